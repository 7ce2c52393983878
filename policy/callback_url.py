"""Where a job's callback may be POSTed: an absolute http(s) URL whose host is a public address.

A callback makes the service send requests on a submitter's behalf, so an
unchecked URL would let anyone reach what only the service can reach (its
database, a cloud metadata endpoint, an admin port on localhost). The URL is
judged by its shape here, and its host by EVERY address it resolves to: one
private answer among public ones is enough to refuse it, since the connection
may go to any of them. Resolving is the caller's business (this module does
no I/O); the ingest judges at submission, the sink again before each attempt
and connects only to the addresses it judged, so a name that re-binds to a
private address after the submission is still refused.

``allow_private`` lets an operator send callbacks inside a private network
(and the tests to a receiver on 127.0.0.1); multicast, reserved and
unspecified addresses stay refused even then, as nothing can answer there.
"""

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from schemas.error_codes import ErrorCode
from schemas.errors import LintServiceError

MAX_CALLBACK_URL = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class CallbackUrlRejectedError(LintServiceError, code=ErrorCode.UNSAFE_CALLBACK_URL):
    """The callback URL is malformed (INVALID_REQUEST) or points where we do not send (UNSAFE_...)."""


@dataclass(frozen=True)
class CallbackTarget:
    """A well-formed callback URL, split into what is resolved and connected to."""

    url: str
    scheme: str
    host: str
    port: int

    @property
    def origin(self) -> str:
        """``scheme://host:port``: the submitter's identity until API keys exist (docs/webhooks.md)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def _malformed(reason: str) -> CallbackUrlRejectedError:
    return CallbackUrlRejectedError(f"callback_url {reason}", code=ErrorCode.INVALID_REQUEST)


def parse_callback_url(url: str) -> CallbackTarget:
    """The URL's target, or the rejection naming what is wrong with its shape."""
    if not 0 < len(url) <= MAX_CALLBACK_URL:
        raise _malformed(f"must have 1 to {MAX_CALLBACK_URL} characters")
    if any(ord(char) <= 0x20 or ord(char) == 0x7F for char in url):
        raise _malformed("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _malformed(f"is not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise _malformed("must be an absolute http or https URL")
    if parts.username is not None or parts.password is not None:
        raise _malformed("must not carry credentials (user:password@)")
    host = parts.hostname.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise _malformed("has a host name that is not a valid international name") from None
    return CallbackTarget(url=url, scheme=scheme, host=host, port=port or DEFAULT_PORTS[scheme])


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The address and the IPv4 ones an IPv6 address carries (mapped, 6to4, Teredo), all judged."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d on a dual-stack socket
        return [address.ipv4_mapped]
    teredo = address.teredo or ()
    return [address, *(v4 for v4 in (address.sixtofour, *teredo) if v4 is not None)]


# In order; the first that applies decides. Liftable ones are allowed by allow_private. Loopback
# comes before reserved because ::1 lies in the reserved ::/8.
_RANGES: tuple[tuple[str, Callable[[IPAddress], bool], bool], ...] = (
    ("unspecified", lambda a: a.is_unspecified, False),
    ("multicast", lambda a: a.is_multicast, False),
    ("loopback", lambda a: a.is_loopback, True),
    ("reserved", lambda a: a.is_reserved, False),
    ("link-local", lambda a: a.is_link_local, True),
    ("private", lambda a: a.is_private, True),
    ("not globally routable", lambda a: not a.is_global, True),
)


def _judge(address: IPAddress, allow_private: bool) -> str | None:
    for name, applies, liftable in _RANGES:
        if applies(address):
            return None if liftable and allow_private else name
    return None


def refusal(address: IPAddress, allow_private: bool) -> str | None:
    """Why nothing may be sent to ``address``, or None when it may be."""
    for judged in _embedded(address):
        reason = _judge(judged, allow_private)
        if reason is not None:
            return reason
    return None


def check_addresses(target: CallbackTarget, addresses: Iterable[str], *, allow_private: bool) -> None:
    """Refuse ``target`` unless it resolved and EVERY one of its addresses may be sent to."""
    resolved = [ipaddress.ip_address(text.split("%", 1)[0]) for text in addresses]
    if not resolved:
        raise CallbackUrlRejectedError(f"callback_url host {target.host!r} resolves to no address")
    for address in resolved:
        reason = refusal(address, allow_private)
        if reason is not None:
            raise CallbackUrlRejectedError(
                f"callback_url host {target.host!r} resolves to {address}, a {reason} address"
            )
