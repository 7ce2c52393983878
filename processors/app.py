"""Wiring of the processors service: the kit's Faust app with the expand and lint agents."""

import faust

from processors.agents import register_agents
from processors.control import processor_controls
from processors.lanes import EXPRESS
from processors.metrics import ProcessorMetrics
from processors.resources import ProcessorResources
from processors.settings import ProcessorSettings
from processors.tenant_gateway import register_tenant_gateway
from runtime.faust.app import build_app
from runtime.faust.transactions import PartitionTransactions


def make_faust_app(settings: ProcessorSettings) -> faust.App:
    """A Faust app consuming jobs and tasks; nothing connects until it starts."""
    resources = ProcessorResources(settings)
    worker = build_app(
        settings,
        resources,
        # Stateless, but several workers may run on one host: each takes its own folder.
        per_process=True,
        state=resources.worker_state,
        controls=processor_controls(resources),
        # A lint takes milliseconds to seconds: a deep prefetch buys nothing and holds
        # inline tasks (up to 64 KiB each) in memory per actor; expansion bursts batch
        # better with a few ms of linger.
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        broker_max_poll_records=settings.max_poll_records,
        producer_linger=settings.producer_linger_ms / 1000,
        producer_max_batch_size=256 * 1024,
    )
    resources.metrics = ProcessorMetrics(worker.metrics, resources.lint_processes)
    transactions = None
    if settings.processing_guarantee == "exactly_once":
        inputs = (settings.topics.jobs, settings.topics.tasks, getattr(settings.topics, EXPRESS))
        transactions = PartitionTransactions(worker.app, settings, inputs, settings.producer_linger_ms)
    register_agents(worker, resources, transactions)
    register_tenant_gateway(worker, settings)  # outside tenants' topics onto the jobs topic
    return worker.app
