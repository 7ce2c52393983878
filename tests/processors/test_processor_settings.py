import os

import pytest
from mode.utils.queues import FlowControlEvent, FlowControlQueue
from pydantic import ValidationError

from processors.settings import ProcessorSettings


def test_defaults_follow_the_contract() -> None:
    settings = ProcessorSettings()
    assert settings.consumer_group_id == "sqllint-processors"
    assert settings.lint_workers == (os.cpu_count() or 1)
    # Every lint slot (the running batches, one waiting in the pipe, the next per process) has an actor.
    assert (settings.lint_batch_files, settings.lint_batch_bytes) == (4, 16 * 1024)
    assert settings.lint_slots == (2 * settings.lint_workers + 1) * 4
    assert settings.lint_concurrency == settings.lint_slots + settings.lint_workers
    assert (settings.lint_timeout_seconds, settings.lint_memory_mb) == (60.0, 1536)
    assert (settings.inline_max_bytes, settings.max_file_bytes) == (64 * 1024, 1024 * 1024)
    assert settings.worker_max_tasks == 1000
    assert settings.metrics_port == 0
    assert (settings.cache_enabled, settings.cache_max_entries) == (True, 100_000)
    assert (settings.stream_buffer_maxsize, settings.producer_linger_ms) == (256, 5)
    assert settings.topics.lint_cache == "sqllint.lint-cache.v1"


def test_environment_and_nested_zip_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROCESSORS_LINT_WORKERS", "3")
    monkeypatch.setenv("PROCESSORS_ZIP_LIMITS__MAX_ENTRIES", "7")
    settings = ProcessorSettings()
    assert settings.lint_workers == 3
    assert settings.zip_limits.max_entries == 7
    assert ProcessorSettings(agent_concurrency=5).lint_concurrency == 5
    one_by_one = ProcessorSettings(lint_workers=2, lint_batch_files=1)
    assert (one_by_one.lint_slots, one_by_one.lint_concurrency) == (5, 7)


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError):
        ProcessorSettings(**{"lint_wrokers": 2})


def test_the_cache_topic_follows_a_renamed_tasks_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOPICS__TASKS", "team-a.sqllint.tasks.v1")
    assert ProcessorSettings().topics.lint_cache == "team-a.sqllint.lint-cache.v1"
    monkeypatch.setenv("TOPICS__LINT_CACHE", "shared.cache")
    monkeypatch.setenv("PROCESSORS_CACHE_ENABLED", "false")
    settings = ProcessorSettings()
    assert settings.topics.lint_cache == "shared.cache"
    assert settings.cache_enabled is False


@pytest.mark.parametrize(("buffer", "partitions"), [(256, 8), (256, 1), (16, 8), (1, 1), (4096, 24)])
def test_a_fetch_always_fits_the_buffer_past_its_pause_mark(buffer: int, partitions: int) -> None:
    settings = ProcessorSettings(stream_buffer_maxsize=buffer, topic_partitions=partitions)
    queue: FlowControlQueue[int] = FlowControlQueue(maxsize=buffer, flow_control=FlowControlEvent())
    headroom = buffer - queue.pressure_high_size  # what Faust still puts after pausing a partition
    assert settings.max_poll_records >= 1
    # Every partition of the topic may bring one more fetch before its own record pauses it.
    assert settings.max_poll_records * partitions <= max(headroom, partitions)
