"""The application factory: explicit settings in, a wired aiohttp app out.

Resources are built here but opened in cleanup contexts, so an app can be
created (and its routes inspected) without touching Kafka or the database,
and everything opened at start is closed at stop in reverse order.
"""

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web

from ingest.accepted import AcceptedJobs
from ingest.active_jobs import ActiveJobs
from ingest.auth import Authenticator, auth_middleware, warn_when_open
from ingest.consul import consul_ctx
from ingest.cors import setup_cors
from ingest.idempotency import IdempotencyKeys
from ingest.incoming_sweep import incoming_sweep_ctx
from ingest.live import LIVE, build_live, close_streams, live_ctx
from ingest.metrics import Metrics
from ingest.middleware import error_middleware
from ingest.operations import Operations
from ingest.producer import KafkaPublisher
from ingest.rate_limit import tenant_limits
from ingest.request import RequestLimits
from ingest.routes import setup_routes
from ingest.services import SERVICES, Services
from ingest.settings import IngestSettings
from ingest.storage import Storage
from ingest.submit import SubmitJob
from runtime.db import create_db_engine
from runtime.kafka_security import kafka_security
from runtime.telemetry.http import traced_requests


def build_services(settings: IngestSettings) -> Services:
    """Every shared resource of one app instance, not yet opened."""
    engine = create_db_engine(settings.database_url)
    storage = Storage(settings.nfs_share_root_path, settings.imports_dir)
    publisher = KafkaPublisher(
        settings.kafka_bootstrap_servers, settings.topics, settings.kafka_delivery_timeout_ms,
        security=kafka_security(settings),
    )
    accepted = AcceptedJobs(engine, settings.accepted_cache_size)
    metrics = Metrics()
    return Services(
        settings=settings,
        engine=engine,
        storage=storage,
        publisher=publisher,
        accepted=accepted,
        submit=SubmitJob(
            settings,
            IdempotencyKeys(engine, settings.idempotency_key_ttl_hours),
            storage,
            publisher,
            accepted,
        ),
        metrics=metrics,
        limits=RequestLimits.of(settings),
        operations=Operations(settings, publisher, storage.root),
        active_jobs=ActiveJobs(engine, metrics),
    )


async def _resources(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    await asyncio.to_thread(services.storage.root.mkdir, parents=True, exist_ok=True)
    await services.publisher.start()
    try:
        yield
    finally:
        await services.publisher.close()
        await services.accepted.close()  # rows still queued, before their engine goes
        await asyncio.to_thread(services.engine.dispose)


async def _operations(app: web.Application) -> AsyncIterator[None]:
    """The heartbeat reader, the admin client and the lag sampler (after the publisher they use)."""
    async with app[SERVICES].operations.running():
        yield


def create_app(settings: IngestSettings) -> web.Application:
    """The ingest's aiohttp application for ``settings``."""
    services = build_services(settings)
    warn_when_open(settings)
    app = web.Application(
        client_max_size=settings.client_max_size,
        middlewares=[
            traced_requests(),
            services.metrics.middleware(),
            error_middleware(settings.retry_after_s),
            auth_middleware(Authenticator(services.engine, settings)),
            tenant_limits(services),  # after auth: it limits by the principal's tenant
        ],
    )
    app[SERVICES] = services
    app[LIVE] = build_live(settings)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(incoming_sweep_ctx)  # after the root exists
    app.cleanup_ctx.append(_operations)
    app.cleanup_ctx.append(live_ctx)
    app.on_shutdown.append(close_streams)
    app.cleanup_ctx.append(consul_ctx(settings))
    setup_routes(app)
    setup_cors(app, settings.cors_allowed_origins)
    return app
