"""Fault scenarios and hostile inputs against real processes: the evidence behind docs/reliability.md.

``python -m faults kill-worker`` (or ``infra/faults.sh``) runs a scenario and prints
its figures; ``tests/faults`` runs the same functions under pytest. The services
are started through :mod:`harness`, each in its own process group, so a fault
hits a worker together with its lint pool.
"""
