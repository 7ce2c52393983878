"""Functions the lint-pool tests run inside the spawned workers (importable by module name)."""

import os
import sys

MIB = 1024 * 1024


def allocate(mib: int) -> int:
    """Touch ``mib`` MiB: what a runaway parse does to a worker's memory."""
    block = bytearray(mib * MIB)
    return len(block)


def hash_state() -> tuple[int, int]:
    """Whether hash randomisation is on in this process, and a string hash that depends on the seed."""
    return sys.flags.hash_randomization, hash("sqllint LT07")


def pid() -> int:
    """The worker's process id."""
    return os.getpid()
