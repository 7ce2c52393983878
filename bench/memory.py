"""Stub."""

from bench.common import Context


def memory(ctx: Context) -> None:
    raise NotImplementedError
