"""Errors of online payments."""

from schemes.contributions.errors import ContributionError


class GatewayError(ContributionError):
    """Base of the online payments' errors."""


class ProviderNotOnline(GatewayError):
    """Socle starts online payments with Wave and Stripe only; other operators are paid at the counter."""

    code = "gateways.PROVIDER_NOT_ONLINE"


class GatewayNotConfigured(GatewayError):
    """The tenant has no enabled account with the provider."""

    code = "gateways.GATEWAY_NOT_CONFIGURED"


class InvalidKey(GatewayError):
    """An API key or webhook secret that cannot be one: empty, with spaces, or too long."""

    code = "gateways.INVALID_KEY"


class GatewayUnavailable(GatewayError):
    """The provider could not be reached: the same request, with the same key, may be sent again."""

    code = "gateways.GATEWAY_UNAVAILABLE"


class GatewayRefused(GatewayError):
    """The provider refused to start the payment."""

    code = "gateways.GATEWAY_REFUSED"


class CheckoutNotFound(GatewayError):
    code = "gateways.CHECKOUT_NOT_FOUND"


class CheckoutKeyReused(GatewayError):
    """The key started another checkout: a replay must send the same member, amount and provider."""

    code = "gateways.CHECKOUT_KEY_REUSED"


class CheckoutNotRefundable(GatewayError):
    """Only an online payment the provider received can be refunded."""

    code = "gateways.CHECKOUT_NOT_REFUNDABLE"
