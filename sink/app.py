"""The sink's Faust app: the kit's app with one batch-writing agent per consumed topic."""

import faust

from runtime.faust.app import build_app
from sink.agents import register_agents
from sink.metrics import SinkMetrics
from sink.resources import SinkResources
from sink.settings import SinkSettings
from sink.writer import BatchWriter


def make_faust_app(settings: SinkSettings) -> faust.App:
    """A worker app consuming jobs, tasks, progress and lint-results into the database.

    No ``exactly_once``: the database, not Kafka, is where effects land, and
    acking after the commit plus idempotent upserts already make replays harmless.
    It reads committed records only (the kit's transport, runtime/faust/isolation.py):
    an aborted transaction of the processors never becomes a row.
    Topics are the kit's to create (before the agents), never Faust's to declare.
    """
    resources = SinkResources(settings)
    worker = build_app(settings, resources, state=resources.worker_state, topic_allow_declare=False)
    metrics = SinkMetrics(worker.metrics)
    resources.deliveries.on_settled = metrics.delivery_settled
    state = resources.worker_state
    writer = BatchWriter(settings, lambda: resources.engine, worker.dead_letters, metrics, state)
    register_agents(worker.app, settings, writer)
    return worker.app
