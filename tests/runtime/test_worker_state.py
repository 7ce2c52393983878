"""The worker's one account of itself: what heartbeats say is what the counters and actions did."""

from uuid import uuid4

from runtime.faust.worker_state import WorkerState, worker_id_for
from schemas.codec import decode, encode
from schemas.worker_events import LintProcess, WorkerHeartbeat


def test_worker_ids_are_readable_and_path_safe() -> None:
    assert worker_id_for("processors", "build host/7", 42) == "processors@build-host-7-42"


def test_counters_and_current_tasks_reach_the_heartbeat() -> None:
    state = WorkerState(role="processors", consumer_group="g", host="h", pid=7)
    state.lint_processes = lambda: (LintProcess(pid=8, state="busy"),)
    done, failed, running = uuid4(), uuid4(), uuid4()
    for task in (done, failed, running):
        state.task_started(task)
    state.task_finished(done, failed=False)
    state.task_finished(failed, failed=True)
    beat = decode(encode(state.heartbeat(5.0, rss_bytes=1024)), WorkerHeartbeat)
    assert (beat.worker_id, beat.files_done, beat.files_failed) == ("processors@h-7", 1, 1)
    assert beat.current_tasks == (running,)
    assert beat.lint_processes[0].state == "busy"
    state.reset_stats()
    assert (state.files_done, state.files_failed, state.current_tasks) == (0, 0, {running})
