"""The providers a Socle process talks to, the key their accounts' secrets
are sealed with, and the addresses providers send payers and events back to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from schemes.contributions.payments import Provider
from schemes.gateways import errors
from schemes.gateways.providers import Gateway
from tenants.sealing import Sealer
from tenants.services import ServiceKey

CHECKOUT_PAGE = "/me/checkouts/{checkout_id}"
"""The page a payer comes back to from the provider: it says how the payment stands."""
WEBHOOK_PATH = "/webhooks/{provider}/{tenant_id}"


@dataclass(frozen=True)
class Gateways:
    """The process's payment providers."""

    sealer: Sealer
    by_provider: Mapping[Provider, Gateway]
    public_url: str

    def of(self, provider: str, path: tuple[str, ...] = ("input", "provider")) -> Gateway:
        """The gateway of ``provider``; :class:`errors.ProviderNotOnline` for an operator Socle cannot reach."""
        try:
            return self.by_provider[Provider(provider)]
        except (KeyError, ValueError):
            raise errors.ProviderNotOnline(path=path, provider=provider) from None

    def webhook_url(self, tenant_id: UUID, provider: str) -> str:
        """Where the tenant registers, at the provider, the address of its events."""
        return self.public_url + WEBHOOK_PATH.format(provider=provider, tenant_id=tenant_id)

    def return_url(self, checkout_id: UUID) -> str:
        """Where the provider sends the payer back to, paid or not."""
        return self.public_url + CHECKOUT_PAGE.format(checkout_id=checkout_id)


GATEWAYS: ServiceKey[Gateways] = ServiceKey("gateways")
