"""One attempt of one callback: judge where it goes, POST once, and say what it came to.

The host is judged by :mod:`policy.callback_url` with the very answer the
connection uses: the connector's resolver checks every address it returns
(an IP literal, which aiohttp never resolves, is checked before), so a name
that re-binds to a private address between the ingest's check and now, or
between two attempts, is refused. Each attempt resolves afresh (no DNS cache,
its own connection) and follows no redirect.

What is worth retrying: a network error, a timeout, a 5xx or a 429. A refused
address, a redirect or another 4xx is final: the receiver (or the URL) said no.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from policy.callback_url import CallbackTarget, CallbackUrlRejectedError, check_addresses, parse_callback_url


@dataclass(frozen=True)
class Attempt:
    """What the receiver answered (or why nothing was), and whether trying again may help."""

    delivered: bool
    retryable: bool
    status_code: int | None = None
    error: str | None = None


class UnsafeAddressError(OSError):
    """The callback's host resolved to an address the policy refuses (raised inside the connector)."""


class CheckedResolver(ThreadedResolver):
    """Resolves as aiohttp does, then refuses the whole answer if any address is unsafe."""

    def __init__(self, target: CallbackTarget, allow_private: bool) -> None:
        super().__init__()
        self._target = target
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses aiohttp will connect to, each judged by the policy."""
        answer = await super().resolve(host, port, family)
        try:
            check_addresses(
                self._target, [entry["host"] for entry in answer], allow_private=self._allow_private
            )
        except CallbackUrlRejectedError as exc:
            raise UnsafeAddressError(exc.message) from exc
        return answer


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _answered(status: int) -> Attempt:
    if 200 <= status < 300:
        return Attempt(delivered=True, retryable=False, status_code=status)
    retryable = status >= 500 or status == 429
    why = "a redirect is not followed" if 300 <= status < 400 else f"the receiver answered {status}"
    return Attempt(delivered=False, retryable=retryable, status_code=status, error=why)


async def post_once(
    url: str, body: bytes, headers: dict[str, str], *, timeout_s: float, allow_private: bool
) -> Attempt:
    """POST ``body`` to ``url`` once, judged and bounded as the module says."""
    try:
        target = parse_callback_url(url)
        if _is_ip(target.host):
            check_addresses(target, [target.host], allow_private=allow_private)
    except CallbackUrlRejectedError as exc:
        return Attempt(delivered=False, retryable=False, error=exc.message)
    connector = aiohttp.TCPConnector(
        resolver=CheckedResolver(target, allow_private), use_dns_cache=False, family=socket.AF_UNSPEC
    )
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    try:
        async with (
            aiohttp.ClientSession(connector=connector, timeout=timeout) as session,
            session.post(url, data=body, headers=headers, allow_redirects=False) as response,
        ):
            return _answered(response.status)  # the body is not read: only the status counts
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, UnsafeAddressError):
            return Attempt(delivered=False, retryable=False, error=str(exc.os_error))
        return Attempt(delivered=False, retryable=True, error=f"cannot connect: {exc.os_error}")
    except TimeoutError:
        return Attempt(delivered=False, retryable=True, error=f"no answer within {timeout_s:g} s")
    except (aiohttp.ClientError, asyncio.IncompleteReadError) as exc:
        return Attempt(delivered=False, retryable=True, error=f"{type(exc).__name__}: {exc}")
