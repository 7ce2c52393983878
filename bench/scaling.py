"""Stub."""

from bench.common import Context


def scaling(ctx: Context) -> None:
    raise NotImplementedError
