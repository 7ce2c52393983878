"""The tenant gateway: outside producers' jobs, from their own topics onto the shared jobs topic.

Kafka never tells a consumer who produced a record, so a ``tenant`` written by an outside
producer proves nothing. Each outside tenant gets its own topic ``<jobs>.tenant.<name>``
that only its principal may write (``sqllint-admin kafka grant-tenant``); the topic's name
is the proof. This gateway reads every such topic, validates each event as a
``job.submitted``, stamps the tenant the topic names, gives the job its tenant-scoped id
(:func:`schemas.tenant_topics.tenant_job_id`) and publishes it on the shared jobs
topic, which only the ingest and the processors may write; the expander and the sink read
that topic as before. An event naming another tenant is dead-lettered (TENANT_MISMATCH),
never accepted. No ``job.rejected`` is ever published for a tenant topic's message: its
``job_id`` is the producer's claim, and may be another tenant's job.

Faust cannot subscribe an agent to a pattern (its aiokafka driver subscribes names only),
so the gateway runs its own aiokafka consumer with a pattern subscription inside the
processors app; a tenant granted later is found at the next metadata refresh. Offsets are
committed only after the brokers acknowledged every produce of the batch, as the agents do;
under ``exactly_once`` the batch and its offsets commit in one transaction
(:mod:`processors.gateway_transactions`), and the gateway reads tenant topics ``read_committed``.
"""

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import mode
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from faust.types import EventT

from processors.gateway_transactions import GatewayTransactions
from processors.settings import ProcessorSettings
from processors.transactional import buffered_view
from runtime.faust.app import WorkerApp
from runtime.kafka_security import kafka_security
from runtime.telemetry.tracing import consuming
from schemas.codec import decode
from schemas.error_codes import ErrorCode
from schemas.errors import SchemaError, error_info
from schemas.events import ErrorInfo, JobSubmitted
from schemas.tenant_topics import TENANT_INFIX, tenant_job_id, tenant_pattern

log = logging.getLogger(__name__)
Record = ConsumerRecord[bytes, bytes]
# How often the consumer looks for new tenant topics: a tenant granted now is read within this.
DISCOVERY_MS = 10_000


@dataclass(frozen=True)
class _Received:
    """A consumed record in the shape the kit's dead letters read (``event.message``, ``event.value``)."""

    message: Record

    @property
    def value(self) -> bytes | None:
        """The record's payload, as the dead letter keeps it."""
        return self.message.value


def admit(raw: bytes | None, tenant: str) -> JobSubmitted | ErrorInfo:
    """The job stamped with ``tenant`` under its tenant-scoped id, or why it is dead-lettered instead."""
    try:
        job = decode(raw or b"", JobSubmitted)
    except SchemaError as exc:
        return error_info(exc)
    if job.tenant is not None and job.tenant != tenant:
        return ErrorInfo(
            code=ErrorCode.TENANT_MISMATCH,
            message=f"the job names tenant {job.tenant!r} on the topic of tenant {tenant!r}",
        )
    return job.model_copy(update={"tenant": tenant, "job_id": tenant_job_id(tenant, job.job_id)})


class TenantGateway(mode.Service):
    """Reads the tenant topics in the processors' group ``<group>-tenant-gateway``; started with the app."""

    def __init__(self, worker: WorkerApp, settings: ProcessorSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._worker = worker
        self._settings = settings
        self._prefix = settings.topics.jobs + TENANT_INFIX
        self._consumer: AIOKafkaConsumer | None = None
        self._group = f"{settings.consumer_group_id}-tenant-gateway"
        exactly_once = settings.processing_guarantee == "exactly_once"
        self._transactions = GatewayTransactions(settings, self._group) if exactly_once else None

    async def on_start(self) -> None:
        """Subscribe by pattern; a new group starts at the earliest offset, like the agents."""
        s = self._settings
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=s.kafka_bootstrap_servers,
            group_id=self._group,
            enable_auto_commit=False,
            # Always: a tenant's producer may write in transactions, and its aborted jobs are not jobs.
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            metadata_max_age_ms=DISCOVERY_MS,
            **kafka_security(s).aiokafka(),
        )
        await self._consumer.start()
        self._consumer.subscribe(pattern=tenant_pattern(s.topics.jobs), listener=self._transactions)

    async def on_stop(self) -> None:
        """Leave the group; uncommitted records are read again by the next member."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await consumer.stop()
        if self._transactions is not None:
            await self._transactions.close()

    @mode.Service.task
    async def _forward(self) -> None:
        while not self.should_stop and self._consumer is not None:
            batches = await self._consumer.getmany(timeout_ms=500, max_records=256)
            for partition, records in batches.items():
                await self.forward(partition, records)

    async def forward(self, partition: TopicPartition, records: Sequence[Record]) -> None:
        """Publish (or dead-letter) each record, await every ack, then commit past the last one."""
        if self._transactions is not None:
            worker, buffer = buffered_view(self._worker)
            await self._publish(worker, partition, records)
            await self._transactions.commit(partition, buffer.messages, records[-1].offset + 1)
            return
        await asyncio.gather(*await self._publish(self._worker, partition, records))
        if self._consumer is None:
            return
        try:
            await self._consumer.commit({partition: records[-1].offset + 1})
        except CommitFailedError:  # rebalanced meanwhile: the new owner forwards them again (at least once)
            log.warning("commit of %s lost to a rebalance; its records will be forwarded again", partition)

    async def _publish(
        self, worker: WorkerApp, partition: TopicPartition, records: Sequence[Record]
    ) -> list[Awaitable[Any]]:
        """Publish (or dead-letter) each record through ``worker``; the futures of the brokers' acks."""
        tenant = partition.topic.removeprefix(self._prefix)
        pending: list[Awaitable[Any]] = []
        for record in records:
            admitted = admit(record.value, tenant)
            with consuming("processors.tenant_gateway", record.headers, tenant=tenant):
                if isinstance(admitted, JobSubmitted):
                    log.info("job %s of tenant %s admitted", admitted.job_id, tenant)
                    pending.append(await worker.publisher.publish(admitted))
                else:
                    received = cast(EventT, _Received(record))
                    pending.append(await worker.dead_letters.publish(received, admitted))
        return pending


def register_tenant_gateway(worker: WorkerApp, settings: ProcessorSettings) -> TenantGateway:
    """Start the gateway once the app runs (its producer is up), and stop it with the app."""
    gateway = TenantGateway(worker, settings)

    @worker.app.task
    async def start_tenant_gateway() -> None:
        await worker.app.add_runtime_dependency(gateway)

    return gateway
