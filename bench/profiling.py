"""Stub."""

from bench.common import Context


def profile(ctx: Context) -> None:
    raise NotImplementedError
