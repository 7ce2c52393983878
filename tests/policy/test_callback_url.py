"""The callback URL policy: its shape, and every address range it refuses (IPv4, IPv6, mixed answers)."""

import pytest

from policy.callback_url import (
    MAX_CALLBACK_URL,
    CallbackUrlRejectedError,
    check_addresses,
    parse_callback_url,
)
from schemas.error_codes import ErrorCode

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://hooks.example.com/sqllint?x=1", "https://hooks.example.com:443"),
        ("http://Hooks.Example.com./a", "http://hooks.example.com:80"),
        ("HTTPS://hooks.example.com:8443/", "https://hooks.example.com:8443"),
        ("http://[2606:2800:21f::1]:81/h", "http://[2606:2800:21f::1]:81"),
        ("https://bücher.example/h", "https://xn--bcher-kva.example:443"),
    ],
)
def test_well_formed_urls_name_their_origin(url: str, origin: str) -> None:
    assert parse_callback_url(url).origin == origin


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "1 to"),
        ("https://example.com/" + "a" * MAX_CALLBACK_URL, "1 to"),
        ("/relative/path", "absolute http"),
        ("ftp://example.com/x", "absolute http"),
        ("file:///etc/passwd", "absolute http"),
        ("javascript:alert(1)", "absolute http"),
        ("https:///no-host", "absolute http"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://user@example.com/", "credentials"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com/\r\nX-Injected: 1", "control"),
        ("https://example.com:99999/", "not a valid URL"),
        ("https://example.com:port/", "not a valid URL"),
        ("http://[::1/", "not a valid URL"),
    ],
)
def test_malformed_urls_are_invalid_requests(url: str, says: str) -> None:
    with pytest.raises(CallbackUrlRejectedError) as caught:
        parse_callback_url(url)
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert says in caught.value.message


REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("::ffff:10.0.0.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("2001:db8::1", "private"),  # documentation
    ("192.0.2.1", "private"),  # documentation
    ("169.254.169.254", "link-local"),  # cloud metadata
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("64:ff9b::7f00:1", "reserved"),  # NAT64
]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_every_unsafe_range_is_refused(address: str, kind: str) -> None:
    target = parse_callback_url("https://hooks.example.com/h")
    with pytest.raises(CallbackUrlRejectedError) as caught:
        check_addresses(target, [address], allow_private=False)
    assert caught.value.code is ErrorCode.UNSAFE_CALLBACK_URL
    assert caught.value.message.endswith(f"a {kind} address")


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "8.8.8.8", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    check_addresses(parse_callback_url("https://hooks.example.com/h"), [address], allow_private=False)


def test_one_private_answer_among_public_ones_refuses_the_host() -> None:
    target = parse_callback_url("https://rebind.example.com/h")
    with pytest.raises(CallbackUrlRejectedError, match=r"10\.0\.0\.7, a private address"):
        check_addresses(target, [PUBLIC_V4, PUBLIC_V6, "10.0.0.7"], allow_private=False)
    with pytest.raises(CallbackUrlRejectedError, match="::1, a loopback address"):
        check_addresses(target, [PUBLIC_V4, "::1"], allow_private=False)


def test_a_host_without_addresses_is_refused() -> None:
    with pytest.raises(CallbackUrlRejectedError, match="resolves to no address") as caught:
        check_addresses(parse_callback_url("https://nowhere.example/h"), [], allow_private=False)
    assert caught.value.code is ErrorCode.UNSAFE_CALLBACK_URL


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "fc00::1", "169.254.1.1", "100.64.0.1"]
)
def test_allow_private_lets_private_networks_through(address: str) -> None:
    check_addresses(parse_callback_url("http://127.0.0.1:8000/h"), [address], allow_private=True)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_allow_private_still_refuses_what_nothing_answers(address: str, kind: str) -> None:
    with pytest.raises(CallbackUrlRejectedError, match=f"a {kind} address"):
        check_addresses(parse_callback_url("http://h.example/h"), [address], allow_private=True)
