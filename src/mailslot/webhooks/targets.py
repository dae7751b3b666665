"""Where a webhook may be sent: http(s) URLs whose host resolves only to public addresses
(no server-side request forgery), checked when an endpoint or the send hook is set and
again at every connection (a name may resolve elsewhere by then: DNS rebinding), unless
the operator allows private targets (MAILSLOT_WEBHOOK_ALLOW_PRIVATE)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio

from mailslot.errors import WebhookUrlRefused

MAX_URL_LENGTH = 2048


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL, split: connect to one of `addresses`, say `host` (Host, SNI)."""

    url: str
    scheme: str
    host: str
    port: int


def parse(url: str) -> Target:
    """The URL's parts, or WebhookUrlRefused saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlRefused(f"A webhook URL has at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlRefused(f"The URL is malformed: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlRefused("A webhook URL is http:// or https://.")
    if not parts.hostname:
        raise WebhookUrlRefused("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlRefused("A webhook URL carries no user name or password.")
    if parts.fragment:
        raise WebhookUrlRefused("A webhook URL has no #fragment.")
    default = 443 if parts.scheme == "https" else 80
    return Target(url, parts.scheme, parts.hostname, port or default)


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable: not loopback, private, link-local
    (cloud metadata at 169.254.169.254), shared, reserved, multicast or unspecified, in
    IPv4 or IPv6, an IPv4 address mapped into IPv6 judged as itself."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve(target: Target, *, allow_private: bool) -> list[str]:
    """The addresses to connect to, every one public unless `allow_private`; raises
    WebhookUrlRefused when the name does not resolve or any address is not public (one
    private answer among public ones is refused too: a client may pick any)."""
    try:
        infos = await anyio.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise WebhookUrlRefused(f"The host {target.host!r} does not resolve: {exc}.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise WebhookUrlRefused(
                f"The host {target.host!r} resolves to a non-public address ({private[0]}); "
                "webhooks go to public addresses only."
            )
    return addresses


async def check(url: str, *, allow_private: bool) -> Target:
    """A URL as an endpoint or the hook is set: parsed, and its host resolved and checked."""
    target = parse(url)
    await resolve(target, allow_private=allow_private)
    return target
