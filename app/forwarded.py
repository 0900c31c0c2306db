"""The client's address behind reverse proxies (``SOCLE_TRUSTED_PROXIES``).

A request whose direct peer is a trusted proxy is taken to come from the
right-most address of ``X-Forwarded-For`` that is not a trusted proxy: each
proxy appends the peer it saw, so entries left of the first untrusted one may
have been written by the client. A peer that is not a trusted proxy is the
client, whatever its headers say. Socle applies this itself rather than
through the ASGI server, so that it is the same under uvicorn and in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from litestar.types import ASGIApp, Receive, Scope, Send

Network = IPv4Network | IPv6Network

HEADER = b"x-forwarded-for"


def _address(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def client_address(peer: str, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The client's address for a request from ``peer`` carrying the
    ``X-Forwarded-For`` entries ``forwarded_for`` (left to right)."""

    def is_trusted(address: IPv4Address | IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in trusted)

    if not is_trusted(_address(peer)):
        return peer
    client = peer
    for entry in reversed(forwarded_for):
        address = _address(entry)
        if address is None:
            # Not an address: the hop that forwarded it is the last one known.
            break
        client = str(address)
        if not is_trusted(address):
            break
    return client


class ForwardedForMiddleware:
    """Replace the ASGI scope's client with :func:`client_address`."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if self.trusted and client and scope["type"] in ("http", "websocket"):
            entries = [
                entry
                for name, value in scope["headers"]
                if name == HEADER
                for entry in value.decode("latin-1").split(",")
            ]
            address = client_address(client[0], entries, self.trusted)
            if address != client[0]:
                scope["client"] = (address, 0)
        await self.app(scope, receive, send)
