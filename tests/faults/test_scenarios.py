"""Never lose a job: each fault scenario against real processes, the 3-node cluster and MariaDB.

The same functions run from ``infra/faults.sh <name>``, which prints the figures
that docs/reliability.md quotes. A scenario fails on any lost or duplicated
job, any status moving backwards, any result differing from SQLFluff's, any
answer other than 2xx or 503, and (replay, pause) any row the replay changed. It
also counts what a read_committed consumer of lint-results sees: every final task's
result at least once always, and exactly once when the processors run
``exactly_once`` (``PROCESSORS_PROCESSING_GUARANTEE`` in the environment, or their default).
"""

import pytest

from faults.runner import FaultEnv
from faults.scenarios import SCENARIOS

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(420)]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scenario_loses_nothing(name: str, fault_env: FaultEnv) -> None:
    figures = SCENARIOS[name](fault_env)
    print(figures.report())
    assert figures.problems() == [], figures.report()
    assert figures.completed == figures.accepted
