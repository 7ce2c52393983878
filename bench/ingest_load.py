"""Stub."""

from bench.common import Context


def ingest(ctx: Context) -> None:
    raise NotImplementedError
