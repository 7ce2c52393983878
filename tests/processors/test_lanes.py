"""Which lane a job's tasks take, and how the routing table sends them down it."""

import uuid

import pytest

from processors.lanes import EXPRESS, JobLane
from runtime.kafka_admin import topic_specs
from schemas.events import JobExpanded, LintTask, TaskRegistered
from schemas.routing import events_on, route
from schemas.topics import TopicNames

NAMES = TopicNames(tasks="team.tasks.v1")


def _task() -> LintTask:
    return LintTask(task_id=uuid.uuid4(), job_id=uuid.uuid4(), ordinal=2, file_name="a.sql",
                    sql_content="select 1\n", size_bytes=9, tenant="team-a")


@pytest.mark.parametrize(("files", "express"), [(None, False), (0, False), (1, True), (3, True), (4, False)])
def test_jobs_up_to_the_bound_take_the_express_lane(files: int | None, express: bool) -> None:
    lane = JobLane(3)
    if files is not None:
        lane.sized(files)
    assert lane.express is express
    assert JobLane(0).express is False  # 0 turns the lane off


def test_an_express_task_is_registered_for_the_sink_then_sent_down_the_lane() -> None:
    lane = JobLane(1)
    lane.sized(1)
    task = _task()
    [(registered, on_progress), (sent, down)] = lane.publications(task)
    assert isinstance(registered, TaskRegistered)
    assert (registered.task_id, registered.job_id, registered.ordinal, registered.file_name) == (
        task.task_id, task.job_id, 2, "a.sql")
    assert (on_progress, sent, down) == (None, task, EXPRESS)
    expanded = JobExpanded(job_id=task.job_id, task_count=1)
    assert lane.publications(expanded) == [(expanded, None)]  # only tasks change lanes
    bulk = JobLane(1)
    bulk.sized(2)
    assert bulk.publications(task) == [(task, None)]


def test_the_lane_carries_the_tasks_topics_events_under_the_same_key() -> None:
    task = _task()
    assert NAMES.express_tasks == "team.express-tasks.v1"  # derived, like the other internal topics
    assert route(task, NAMES, lane=EXPRESS) == (NAMES.express_tasks, str(task.task_id).encode())
    assert route(task, NAMES) == (NAMES.tasks, str(task.task_id).encode())
    assert events_on(EXPRESS) == events_on("tasks") == (LintTask,)
    with pytest.raises(ValueError, match="not a lane of progress"):
        route(JobExpanded(job_id=task.job_id, task_count=1), NAMES, lane=EXPRESS)


def test_the_lane_is_created_with_the_other_topics() -> None:
    specs = {spec.name: spec for spec in topic_specs(NAMES, partitions=6)}
    assert specs[NAMES.express_tasks].partitions == specs[NAMES.tasks].partitions == 6
    assert specs[NAMES.express_tasks].config["retention.ms"] == specs[NAMES.tasks].config["retention.ms"]
