"""The sink's faust application, wired from explicit settings."""

from pathlib import Path

import faust

from sink.agents import BatchWriter, raw_topic, register_agents
from sink.resources import SinkResources
from sink.settings import SinkSettings


def make_faust_app(settings: SinkSettings) -> faust.App:
    """A worker app consuming jobs, tasks, progress and lint-results into the database.

    No ``exactly_once``: the database, not Kafka, is where effects land, and
    acking after the commit plus idempotent upserts already make replays harmless.
    """
    datadir = Path(settings.faust_datadir)
    datadir.mkdir(parents=True, exist_ok=True)  # faust creates only the last level
    app = faust.App(
        settings.consumer_group_id,
        broker=[f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")],
        datadir=str(datadir / settings.consumer_group_id),
        store="memory://",
        web_enabled=False,
        topic_disable_leader=True,
        topic_allow_declare=False,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        key_serializer="raw",
        value_serializer="raw",
    )
    resources = SinkResources(settings)
    # First child: started before the consumer and agents, stopped after them.
    app.add_dependency(resources)
    writer = BatchWriter(settings, lambda: resources.engine, raw_topic(app, settings.topics.dead_letter))
    register_agents(app, settings, writer)
    return app
