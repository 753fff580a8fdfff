"""Partner-supplied URLs are an SSRF risk: Portero would otherwise POST to its own loopback,
the private network around it, or a cloud's metadata service on a partner's say-so.

An endpoint's URL is checked when it is set (its form, and where its host resolves now) and
again before every delivery, because DNS can change between the two: the delivery connects to
the very address that was checked (the host name still goes in the Host header and TLS's
SNI, so certificates are verified against the name), never to a second resolution.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from portero.kit.errors import InvalidField

MAX_URL_LENGTH = 2048
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeAddress(Exception):
    """The URL's host resolves to an address Portero must not call (or to none)."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where one delivery goes: the URL with its host replaced by the checked address."""

    url: str  # scheme://address:port/path?query
    host_header: str
    server_name: str | None  # TLS: the name the certificate must carry


def parse(url: str) -> SplitResult:
    """An endpoint URL's parts; InvalidField("url") when it is not an absolute http(s) URL
    Portero can send to."""
    if len(url) > MAX_URL_LENGTH or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise InvalidField("url", "invalid", "url: not a URL Portero can send to")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 (raises on a port out of range)
    except ValueError:
        raise InvalidField("url", "invalid", "url: the port is not a number in range") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidField("url", "invalid", "url: an absolute http:// or https:// URL")
    if parts.username or parts.password:
        raise InvalidField("url", "invalid", "url: credentials do not belong in the URL")
    if parts.fragment:
        raise InvalidField("url", "invalid", "url: a fragment is never sent")
    return parts


def is_public(address: IpAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local (the
    cloud metadata service at 169.254.169.254 included), shared, reserved, multicast or
    unspecified; an IPv4-mapped IPv6 address is judged as its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


async def resolve(host: str, port: int) -> list[IpAddress]:
    """Every address `host` resolves to now (an address literal is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise UnsafeAddress(f"{host} does not resolve") from error
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def target_of(url: str, *, allow_private: bool) -> Target:
    """The checked address to deliver `url` to. Every address the name resolves to must be
    public (a name with one private address among public ones is refused: which one a
    client picks is not Portero's to guess); `allow_private` lets any through."""
    parts = parse(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await resolve(host, port)
    if not addresses:
        raise UnsafeAddress(f"{host} does not resolve")
    if not allow_private:
        unsafe = [str(a) for a in addresses if not is_public(a)]
        if unsafe:
            raise UnsafeAddress(f"{host} resolves to a non-public address ({unsafe[0]})")
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    default_port = port == (443 if parts.scheme == "https" else 80)
    host_header = host if default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
    server_name = host if parts.scheme == "https" and not _is_literal(host) else None
    return Target(f"{parts.scheme}://{literal}:{port}{path}{query}", host_header, server_name)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


async def check(url: str, *, allow_private: bool) -> str:
    """An endpoint URL as set by a partner or an operator: refused (InvalidField "url") when
    malformed or resolving to an address Portero must not call."""
    try:
        await target_of(url, allow_private=allow_private)
    except UnsafeAddress as error:
        raise InvalidField(
            "url",
            "unsupported",
            f"url: {error}; Portero only calls public addresses",
        ) from None
    return url
