"""The resources one app instance shares among its handlers, under one app key."""

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import Engine

from ingest.idempotency import IdempotencyKeys
from ingest.intake import Intake
from ingest.metrics import Metrics
from ingest.producer import KafkaPublisher
from ingest.recent import RecentJobs
from ingest.settings import IngestSettings
from ingest.storage import Storage


@dataclass(frozen=True)
class Services:
    """Built by ``create_app``; opened and closed by its cleanup contexts."""

    settings: IngestSettings
    engine: Engine
    storage: Storage
    publisher: KafkaPublisher
    recent: RecentJobs
    keys: IdempotencyKeys
    intake: Intake
    metrics: Metrics
    dialects: frozenset[str]


SERVICES = web.AppKey("services", Services)
