"""Where a webhook may be sent: http(s) URLs whose host resolves only to public addresses
(no server-side request forgery), checked when an endpoint or the send hook is set and
again at every connection (a name may resolve elsewhere by then: DNS rebinding), unless
the operator allows private targets (MAILSLOT_WEBHOOK_ALLOW_PRIVATE).

The URL is judged as the clients will read it: plain ASCII (a parser that reads
`\\`, `%`-escapes or spaces in the host differently from ours would connect elsewhere),
and httpx (the send hook's) and yarl (aiohttp's, the delivery worker's) must find the
same host and port in it. Addresses are judged after
resolution, so every spelling of an address (`127.1`, `0x7f000001`, `2130706433`) meets
the same rule, and an IPv6 address that carries an IPv4 one (mapped, compatible, NAT64,
6to4) is judged as that IPv4 address."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
import httpx
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from mailslot.errors import WebhookUrlRefused

MAX_URL_LENGTH = 2048
# A name server that does not answer must not hold a request (or a delivery worker) for
# the resolver's own 30 s and more.
RESOLVE_SECONDS = 5.0

# Visible ASCII except the characters parsers disagree on (WHATWG reads `\` as `/`).
_URL_CHARACTERS = re.compile(r"^[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+$")
# A host name of letters, digits, `-` and `_` labels (an IDN in its xn-- form), or an IP.
_HOST_NAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$")

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d (deprecated, RFC 4291)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the low bits
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own NAT64
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, still routed inside networks
_TEREDO = ipaddress.ip_network("2001::/32")  # a tunnel to any IPv4 address


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL, split: connect to one of the addresses `resolve` gives, say `host`
    (Host, SNI)."""

    url: str
    scheme: str
    host: str
    port: int

    @property
    def host_header(self) -> str:
        """The Host header of a request to this URL: the name, and the port unless it is
        the scheme's own."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        return name if self.port == default_port else f"{name}:{self.port}"


def parse(url: str) -> Target:
    """The URL's parts, or WebhookUrlRefused saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlRefused(f"A webhook URL has at most {MAX_URL_LENGTH} characters.")
    if not _URL_CHARACTERS.match(url):
        raise WebhookUrlRefused(
            "A webhook URL is written in visible ASCII without spaces or backslashes: "
            "escape the path as %XX and write a non-ASCII host name in its xn-- form."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlRefused(f"The URL is malformed: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlRefused("A webhook URL is http:// or https://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise WebhookUrlRefused("A webhook URL carries no user name or password.")
    host = parts.hostname
    if not host:
        raise WebhookUrlRefused("The URL names no host.")
    if not (_HOST_NAME.match(host) or _is_ip(host)):
        raise WebhookUrlRefused(f"The URL's host {host!r} is neither a host name nor an IP.")
    if port == 0:
        raise WebhookUrlRefused("The URL's port is 1 to 65535.")
    if parts.fragment or url.endswith("#"):
        raise WebhookUrlRefused("A webhook URL has no #fragment.")
    target = Target(url, parts.scheme, host, port or (443 if parts.scheme == "https" else 80))
    _same_for_clients(target)
    return target


def _is_ip(host: str) -> bool:
    if "%" in host:
        return False  # an IPv6 zone names an interface of this machine: never a target
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _same_for_clients(target: Target) -> None:
    """The clients (httpx, and aiohttp's yarl) must read the host and port we checked."""
    try:
        theirs = httpx.URL(target.url)
        host = theirs.raw_host.decode("ascii").lower()
        yarls = yarl.URL(target.url, encoded=True)
    except (httpx.InvalidURL, UnicodeDecodeError, ValueError):
        raise WebhookUrlRefused("The URL is malformed.") from None
    for read_host, read_port in ((host, theirs.port), ((yarls.host or "").lower(), yarls.port)):
        if read_host != target.host or (read_port or target.port) != target.port:
            raise WebhookUrlRefused("The URL's host is ambiguous: write it plainly.")


def is_public(address: str) -> bool:
    """Whether an IP address is globally routable: not loopback, private, link-local
    (cloud metadata at 169.254.169.254), shared, reserved, multicast or unspecified, in
    IPv4 or IPv6. An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64,
    6to4) is judged as that address; site-local, local NAT64 and Teredo never pass."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _SITE_LOCAL or ip in _NAT64_LOCAL or ip in _TEREDO:
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _IPV4_COMPATIBLE or ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


async def lookup(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, each once, in the resolver's order."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def resolve(target: Target, *, allow_private: bool) -> list[str]:
    """The addresses to connect to, every one public unless `allow_private`; raises
    WebhookUrlRefused when the name does not resolve within RESOLVE_SECONDS or any
    address is not public (one private answer among public ones is refused too: a client
    may pick any). The delivery worker calls this at every connection and connects to
    what it returns, never resolving the name again."""
    addresses: list[str] = []
    if _is_ip(target.host):
        # An IP literal resolves to itself: no thread and resolver call per attempt (the
        # resolver's spelling, e.g. of a shortened IPv6 address, is the canonical one).
        addresses = [str(ipaddress.ip_address(target.host))]
    else:
        with anyio.move_on_after(RESOLVE_SECONDS):
            try:
                addresses = await lookup(target.host, target.port)
            except OSError as exc:
                raise WebhookUrlRefused(
                    f"The host {target.host!r} does not resolve: {exc}."
                ) from None
    if not addresses:
        raise WebhookUrlRefused(f"The host {target.host!r} does not resolve in time.")
    if not allow_private:
        private = [address for address in addresses if not is_public(address)]
        if private:
            named = (
                f"The address {target.host} is not public"
                if _is_ip(target.host)
                else f"The host {target.host!r} resolves to a non-public address ({private[0]})"
            )
            raise WebhookUrlRefused(f"{named}; webhooks go to public addresses only.")
    return addresses


async def check(url: str, *, allow_private: bool) -> Target:
    """A URL as an endpoint or the hook is set: parsed, and its host resolved and checked."""
    target = parse(url)
    await resolve(target, allow_private=allow_private)
    return target


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver for one target's connections: `resolve` and its check at every
    connection, which then goes only to the addresses returned (no later look-up of the
    name). aiohttp asks no resolver for an IP literal: `parse_checked` judges those."""

    def __init__(self, target: Target, *, allow_private: bool) -> None:
        self._target = target
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await resolve(self._target, allow_private=self._allow_private)
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


async def parse_checked(url: str, *, allow_private: bool) -> Target:
    """`parse`, and an IP literal's address checked (a name is checked at every connection
    by PinnedResolver; a literal cannot resolve elsewhere later)."""
    target = parse(url)
    if _is_ip(target.host):
        await resolve(target, allow_private=allow_private)
    return target


async def post_pinned(
    client: httpx.AsyncClient,
    target: Target,
    addresses: Sequence[str],
    *,
    content: bytes,
    headers: dict[str, str],
    budget: float,
) -> httpx.Response:
    """POST to the checked `addresses` in turn (the next one only if connecting failed),
    never to the name itself, which may resolve elsewhere by now; the name stays in Host
    and in TLS (SNI, the certificate). The response is streamed: the caller reads what it
    wants of the body, and closes it. (The send hook's client; the delivery worker's
    connections are pinned by PinnedResolver.)"""
    url = httpx.URL(target.url)
    headers = {**headers, "host": target.host_header}
    for index, address in enumerate(addresses):
        request = client.build_request(
            "POST",
            url.copy_with(host=address),
            content=content,
            headers=headers,
            extensions={"sni_hostname": target.host},
            timeout=budget,  # for each phase (connect, write, read)
        )
        try:
            return await client.send(request, stream=True)
        except httpx.ConnectError:
            if index == len(addresses) - 1:
                raise
    raise ValueError("no address to connect to")
