"""The resources one app instance shares among its handlers, under one app key."""

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import Engine

from ingest.accepted import AcceptedJobs
from ingest.active_jobs import ActiveJobs
from ingest.metrics import Metrics
from ingest.operations import Operations
from ingest.producer import KafkaPublisher
from ingest.request import RequestLimits
from ingest.settings import IngestSettings
from ingest.storage import Storage
from ingest.submit import SubmitJob


@dataclass(frozen=True)
class Services:
    """Built by ``create_app``; opened and closed by its cleanup contexts."""

    settings: IngestSettings
    engine: Engine
    storage: Storage
    publisher: KafkaPublisher
    accepted: AcceptedJobs
    submit: SubmitJob
    metrics: Metrics
    limits: RequestLimits
    operations: Operations
    active_jobs: ActiveJobs


SERVICES = web.AppKey("services", Services)
