"""Hostile archives and texts against the real stack: the documented answer, nothing written astray.

``python -m faults hostile`` prints the same run as the table of docs/reliability.md.
"""

import pytest

from faults.hostile import run_all, table
from faults.runner import FaultEnv

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(420)]


def test_every_hostile_input_gets_its_answer(fault_env: FaultEnv) -> None:
    outcomes = run_all(fault_env)
    report = table(outcomes)
    print(report)
    assert [case.name for case, out in outcomes if out.got not in case.accepted] == [], report
    assert [out.stray_files for _, out in outcomes] == [[] for _ in outcomes], report
