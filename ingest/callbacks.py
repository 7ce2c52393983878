"""A submission's callback_url judged where it resolves, before anything of the job is claimed or stored.

The request model has judged its shape; here its host is resolved (by the
event loop's resolver, in a thread: the loop never blocks on DNS) and every
address is judged by :mod:`policy.callback_url`, so a client learns at once,
with a 400, that its callback can never be sent. The sink judges again before
each attempt, as a name may resolve elsewhere later.
"""

import asyncio
import socket

from ingest.errors import RequestRejectedError
from ingest.settings import IngestSettings
from policy.callback_url import CallbackUrlRejectedError, check_addresses, parse_callback_url
from schemas.error_codes import ErrorCode


async def resolve(host: str, port: int, timeout_s: float) -> list[str]:
    """Every address ``host`` resolves to for a TCP connection; none when it does not resolve."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout_s):
            answer = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError):
        return []
    return [str(sockaddr[0]) for *_, sockaddr in answer]


async def check_callback(url: str | None, settings: IngestSettings) -> None:
    """Refuse a callback that cannot be signed (webhooks off) or that points where we never send."""
    if url is None:
        return
    if not settings.webhook_signing_key:
        raise RequestRejectedError(
            ErrorCode.WEBHOOKS_DISABLED, "this service sends no callbacks: WEBHOOK_SIGNING_KEY is not set"
        )
    try:
        target = parse_callback_url(url)
        addresses = await resolve(target.host, target.port, settings.callback_resolve_timeout_s)
        check_addresses(target, addresses, allow_private=settings.callback_allow_private)
    except CallbackUrlRejectedError as exc:
        raise RequestRejectedError(exc.code, exc.message) from exc
