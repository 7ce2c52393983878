"""Fault scenarios and hostile inputs against real processes: the evidence behind docs/reliability.md."""
