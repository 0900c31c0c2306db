"""The client's address behind trusted proxies."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from app.forwarded import client_address

TRUSTED = (ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # The proxy appended the address it saw; what the client wrote before it is ignored.
        ("10.0.0.5", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
        # Two trusted proxies in a row: the address the first one saw.
        ("10.0.0.5", ["198.51.100.7", "10.1.2.3"], "198.51.100.7"),
        ("2001:db8::1", ["2001:0db8:0000::0002", "2001:DB8::3"], "2001:db8::2"),
        # A peer that is not a trusted proxy is the client, whatever it forwards.
        ("198.51.100.7", ["10.0.0.9"], "198.51.100.7"),
        # A trusted proxy that forwards nothing is the client itself.
        ("10.0.0.5", [], "10.0.0.5"),
        # An entry that is no address ends the walk at the hop that wrote it.
        ("10.0.0.5", ["198.51.100.7", "unknown", "10.1.2.3"], "10.1.2.3"),
        ("10.0.0.5", [" 198.51.100.7 "], "198.51.100.7"),
    ],
)
def test_client_address(peer: str, forwarded_for: list[str], client: str) -> None:
    assert client_address(peer, forwarded_for, TRUSTED) == client


def test_no_trusted_proxy_keeps_the_peer() -> None:
    assert client_address("10.0.0.5", ["198.51.100.7"], ()) == "10.0.0.5"
