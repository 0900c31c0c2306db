"""``POST /oauth/token``: the OAuth2 client credentials grant (RFC 6749 §4.4)
for partner applications, served by authlib's authorization server.

authlib's server is synchronous, so the client named in the request is read
from the database first and handed to it; the access token is Socle's JWT,
carrying the client's tenant and the granted scopes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import unquote

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidClientError, InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.util import scope_to_list
from litestar import Request, Response, post
from litestar.di import NamedDependency

from tenants.context import PrincipalKind
from tenants.identity import tokens
from tenants.identity.keys import KeyRing, KeyStore
from tenants.partners import service as partner_service
from tenants.partners.tables import ApiClient
from tenants.permissions import CLIENT_SCOPES
from tenants.tx import platform_tx


class _Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, row: ApiClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return str(self.row.id)

    def get_allowed_scope(self, scope: str | None) -> str:
        granted = partner_service.granted_scopes(self.row.scopes)
        if not scope:
            return " ".join(sorted(granted))
        return " ".join(s for s in scope_to_list(scope) if s in granted)

    def check_client_secret(self, client_secret: str) -> bool:
        return partner_service.secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class _ClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    def validate_token_request(self) -> None:
        super().validate_token_request()
        requested = set(scope_to_list(self.request.payload.scope) or [])
        if not requested <= partner_service.granted_scopes(self.request.client.row.scopes):
            raise InvalidScopeError()


CLIENT_AUTHENTICATION_FAILED = "Client authentication failed."
"""The one description of a refused client, whether its id is unknown or its secret wrong."""


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, client: ApiClient | None, ring: KeyRing) -> None:
        super().__init__(scopes_supported=sorted(CLIENT_SCOPES))
        self._client = client
        self._ring = ring
        self.register_grant(_ClientCredentials)
        self.register_token_generator("default", self._generate)

    def query_client(self, client_id: str) -> _Client | None:
        if self._client is not None and str(self._client.id) == client_id:
            return _Client(self._client)
        return None

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        """The request is already in authlib's form (see ``_FormRequest``)."""
        return request

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens are self-contained JWTs: nothing to store."""

    def _generate(self, grant_type: str, client: _Client, scope: str | None = None, **_: Any) -> dict[str, Any]:
        scope = client.get_allowed_scope(scope)  # no scope asked: every granted one
        token, _expires = tokens.issue(
            self._ring,
            tokens.AccessClaims(
                kind=PrincipalKind.CLIENT,
                subject=client.row.id,
                tenant_id=client.row.tenant_id,
                scopes=frozenset((scope or "").split()),
            ),
        )
        return {
            "token_type": "Bearer",
            "access_token": token,
            "expires_in": int(tokens.ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": scope or "",
        }

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, Any]:
        return status, body, headers

    def handle_error_response(self, request: OAuth2Request, error: OAuth2Error) -> tuple[int, Any, Any]:
        if isinstance(error, InvalidClientError):
            # authlib tells an unknown client from a wrong secret: that would
            # confirm which client ids exist to anyone guessing them.
            error = InvalidClientError(status_code=401, description=CLIENT_AUTHENTICATION_FAILED)
        result: tuple[int, Any, Any] = super().handle_error_response(request, error)
        return result

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals."""


class _FormRequest(OAuth2Request):  # type: ignore[misc]
    """A token request as authlib reads it: the form as payload.

    TLS ends at the load balancer in front of Socle, so the URL given to
    authlib (which insists on HTTPS) is the public one the client called.
    """

    def __init__(self, request: Request, form: dict[str, str]) -> None:  # type: ignore[type-arg]
        public_url = str(request.url.with_replacements(scheme="https"))
        # authlib looks headers up by their canonical names ("Authorization").
        headers = {name.title(): value for name, value in request.headers.items()}
        super().__init__(request.method, public_url, None, headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _client_id(request: Request, form: dict[str, str]) -> str | None:  # type: ignore[type-arg]
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return unquote(decoded.partition(":")[0])
    return form.get("client_id")


@post("/oauth/token", include_in_schema=False, status_code=200)
async def token_endpoint(request: Request, keys: NamedDependency[KeyStore]) -> Response[Any]:  # type: ignore[type-arg]
    """Issue an access token to a partner application for its granted scopes."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    client: ApiClient | None = None
    client_id = _client_id(request, form)
    if client_id:
        async with platform_tx() as tx:
            client = await partner_service.find_active(tx, client_id)
    server = _Server(client, await keys.ring())
    status, body, headers = server.create_token_response(_FormRequest(request, form))
    return Response(
        json.loads(body) if isinstance(body, str) else body,
        status_code=status,
        headers={**dict(headers), "Cache-Control": "no-store"},
    )
