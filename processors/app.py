"""Wiring of the processors service: a Faust app with its agents and resources."""

import os
from pathlib import Path

import faust

from processors.agents import Channels, register_agents
from processors.runtime import ProcessorRuntime
from processors.settings import ProcessorSettings


def make_faust_app(settings: ProcessorSettings) -> faust.App:
    """A Faust app consuming jobs and tasks; nothing connects until it starts."""
    # Stateless (no tables): a per-process folder keeps workers on one host apart.
    datadir = Path("var/faust") / str(os.getpid())
    datadir.parent.mkdir(parents=True, exist_ok=True)  # Faust creates only the last level
    app = faust.App(
        settings.consumer_group_id,
        broker=[f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")],
        datadir=str(datadir),
        store="memory://",
        web_enabled=settings.metrics_port > 0,
        web_port=settings.metrics_port or 6066,
        topic_disable_leader=True,
        key_serializer="raw",
        value_serializer="raw",
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        # A lint takes milliseconds to seconds: a deep prefetch buys nothing and holds
        # inline tasks (up to 64 KiB each) in memory per actor; expansion bursts batch
        # better with a few ms of linger.
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        producer_linger=settings.producer_linger_ms / 1000,
        producer_max_batch_size=256 * 1024,
    )
    runtime = ProcessorRuntime(settings)
    # First child: started before Faust's consumer and agents, stopped after them.
    app.add_dependency(runtime)
    register_agents(app, settings, Channels.declare(app, settings), runtime)
    return app
