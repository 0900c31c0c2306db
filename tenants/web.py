"""The kernel of the pages: what a domain's ``pages.py`` works with.

A page is a client of the GraphQL schema in the same process: it runs the
operations a partner app would send, as its signed-in user, so that a page
obeys the same rules, permissions, tenant isolation and typed errors as the
API, and no rule has a second copy. :class:`Page` is made for each request by
the web app (``app.web``), which resolves the viewer from the session's
cookies and checks the form's CSRF token before any handler runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import jinja2
from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST, HTTP_403_FORBIDDEN, HTTP_404_NOT_FOUND
from strawberry import Schema

from graphql import GraphQLError
from tenants.context import Viewer
from tenants.graphql import RequestContext
from tenants.ids import new_id
from tenants.permissions import Permission
from tenants.services import Services

PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The browser runs and loads nothing but Socle's own files, and sends forms only to Socle."""


class PageError(HTTPException):
    """A page that cannot be shown: rendered as the error page of its status."""

    def __init__(self, status_code: int, message_code: str, *, message: str | None = None) -> None:
        super().__init__(status_code=status_code, detail=message_code)
        self.message_code = message_code
        self.message = message
        """Said instead of ``message_code``'s text: a domain's refusal, already in the page's language."""


def keyed(form: Mapping[str, str]) -> dict[str, str]:
    """A form to show, its idempotency key kept, or a new one if it has none
    (a form posted without it, by hand): the page's next press sends one."""
    return {"idempotencyKey": new_id().hex, **form}


def not_found() -> PageError:
    """The page of a record the viewer may not see, or that does not exist: one answer for both."""
    return PageError(HTTP_404_NOT_FOUND, "page.NOT_FOUND")


def forbidden() -> PageError:
    """The page of a function the viewer's role does not grant."""
    return PageError(HTTP_403_FORBIDDEN, "page.FORBIDDEN")


class SignInNeeded(Exception):
    """The page needs a signed-in user: the web app answers with the sign-in page."""


def field_key(path: Sequence[str] | None) -> str:
    """The form field an error's input path names: ``["input", "birthDate"]`` is ``birthDate``."""
    parts = list(path or ())
    if parts[:1] == ["input"]:
        parts = parts[1:]
    return ".".join(parts)


@dataclass(frozen=True)
class PageSet:
    """A domain's pages: its route handlers and the folder of its templates,
    which templates name as ``<name>/<file>``."""

    name: str
    templates: Path
    handlers: Sequence[Any]
    menu: Sequence[MenuItem] = ()
    """Where the domain's pages start, in the site's menu."""
    uploads: Sequence[Any] = ()
    """Handlers whose form carries a file: they take bodies up to the largest
    file the operator allows (each operation then checks its own limit)."""


@dataclass(frozen=True)
class MenuItem:
    """An entry of the site's menu, shown to those whose role grants ``permission``."""

    label: str
    """The text's code."""
    path: str
    permission: Permission


@dataclass
class Outcome:
    """What an operation gave: its data, and the refusal of its mutation if any."""

    data: dict[str, Any]
    refusal: dict[str, Any] | None = None
    """The typed error a mutation answered (``code``, ``path``, ``message``)."""

    @property
    def errors(self) -> dict[str, str]:
        """The refusal's messages by the form field each names (``""`` for the
        whole form): its own, and its ``others`` when the operation asked for them."""
        if self.refusal is None:
            return {}
        errors: dict[str, str] = {}
        for error in (self.refusal, *self.refusal.get("others", ())):
            errors.setdefault(field_key(error.get("path")), error["message"])
        return errors

    def errors_within(self, fields: Iterable[str]) -> dict[str, str]:
        """:attr:`errors`, the message of a field the form does not have
        (``fields``, ``*`` for an index) shown for the whole form."""
        shown = frozenset(fields)
        return {key if pattern_of(key) in shown else "": message for key, message in self.errors.items()}


NextPath = Annotated[str | None, QueryParameter(name="next", required=False)]
"""The ``?next=`` of a page: where to go once its form is done (see :func:`safe_next`)."""


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site to go on to after a form: never another site's."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


@dataclass
class Page:
    """One request to a page: who asks, in which language, and the means to answer."""

    request: Request  # type: ignore[type-arg]
    viewer: Viewer
    csrf_token: str
    """The token every form of the page carries (``_csrf``)."""
    schema: Schema
    templates: jinja2.Environment
    translate: Callable[[str, str, Mapping[str, Any]], str]
    context_of: Callable[[Viewer], RequestContext]
    cookies: list[Cookie] = field(default_factory=list)
    """Cookies the answer sets: a refreshed session's, or those an operation set."""

    @property
    def locale(self) -> str:
        """The page's language."""
        return self.viewer.locale

    @property
    def services(self) -> Services:
        """The process's services, for the step of a page no operation covers (a file the page receives)."""
        return self.context_of(self.viewer).services

    def allows(self, permission: Permission) -> bool:
        """Whether the viewer's role grants ``permission`` (what the page offers follows it)."""
        return self.viewer.tenant is not None and self.viewer.tenant.allows(permission)

    def t(self, code: str, /, **params: Any) -> str:
        """The text of ``code`` in the page's language."""
        return self.translate(code, self.locale, params)

    def require(self, permission: Permission | None = None) -> None:
        """Refuse the page unless the viewer is signed in, with ``permission`` when given."""
        if self.viewer.tenant is None:
            raise SignInNeeded()
        if permission is not None and not self.allows(permission):
            raise forbidden()

    async def form(self) -> dict[str, str]:
        """The posted form's text fields (files aside), first value of each."""
        posted = await self.request.form()
        return {key: value for key, value in posted.items() if isinstance(value, str)}

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> Outcome:
        """Run a GraphQL operation as the viewer. A mutation's typed error
        (a member of its result's union with a ``code``) is the outcome's
        refusal, and so is a value of the form its type refuses; an error that
        stops the operation is the page's: sign-in when not signed in, 403
        when not allowed, the error page otherwise."""
        context = self.context_of(self.viewer)
        context.request = self.request
        sub_response: Response[bytes] = Response(b"")
        context.response = sub_response
        result = await self.schema.execute(document, variable_values=dict(variables or {}), context_value=context)
        self.cookies.extend(sub_response.cookies)
        if result.errors:
            invalid = _invalid_input(result.errors)
            if invalid is None:
                raise _page_error(result.errors)
            invalid["message"] = self.t("page.INVALID_VALUE")
            return Outcome(data={}, refusal=invalid)
        data = result.data or {}
        refusal = next((value for value in data.values() if isinstance(value, dict) and "code" in value), None)
        return Outcome(data=data, refusal=refusal)

    def render(self, template: str, /, *, status_code: int = 200, **context: Any) -> Response[str]:
        """The page ``template`` with ``context``, in the page's language."""
        body = self.templates.get_template(template).render(page=self, t=self.t, locale=self.locale, **context)
        return Response(
            body,
            status_code=status_code,
            media_type=MediaType.HTML,
            cookies=self.cookies,
            headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"},
        )

    def redirect(self, path: str) -> Redirect:
        """Go on to ``path`` after a form (303: the browser then GETs it)."""
        return Redirect(path, status_code=HTTP_303_SEE_OTHER, cookies=self.cookies)


def sign_in_path(request: Request) -> str:  # type: ignore[type-arg]
    """The sign-in page, coming back to ``request``'s page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/sign-in?next={quote(here, safe='/=&?')}"


# graphql-core's words for a variable's value its type refuses, naming where in the variable.
_INVALID_VARIABLE = re.compile(r"^Variable '\$(\w+)' (?:got|has) invalid value.*? at '?\.?([\w.\[\]]+?)'?[:;]")


def _invalid_input(errors: Sequence[GraphQLError]) -> dict[str, Any] | None:
    """A value the form sent that its GraphQL type refuses (a date that is
    not one, a number that is not), as a refusal at that value's path."""
    for error in errors:
        found = _INVALID_VARIABLE.match(error.message)
        if found:
            variable, at = found.groups()
            path = at.replace("[", ".").replace("]", "").split(".")
            if path[0] != variable:
                path.insert(0, variable)
            return {"code": "INVALID_VALUE", "path": path, "message": None}
    return None


def pattern_of(key: str) -> str:
    """A field's name with its indexes as ``*``: ``beneficiaries.*.relationship``."""
    return ".".join("*" if part.isdigit() else part for part in key.split("."))


def nested(values: Mapping[str, Any], accepted: Iterable[str]) -> dict[str, Any]:
    """A form whose fields are named by input paths (``person.firstNames``,
    ``beneficiaries.0.relationship``) as the input they name: blank fields
    left out, and any name whose pattern (``*`` for an index) is not in
    ``accepted``. Lists keep their items in the order of their indexes.
    Values already read (a number, a list) are kept as they are."""
    accepted = frozenset(accepted)
    tree: dict[Any, Any] = {}
    for key, raw in values.items():
        value = raw.strip() if isinstance(raw, str) else raw
        parts = key.split(".")
        if value in ("", None) or pattern_of(key) not in accepted:
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(int(part) if part.isdigit() else part, {})
        node[parts[-1]] = value
    converted: dict[str, Any] = _as_lists(tree)
    return converted


def _as_lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(key, int) for key in node):
        return [_as_lists(node[index]) for index in sorted(node)]
    return {key: _as_lists(value) for key, value in node.items()}


def flat(node: Any, prefix: str = "") -> dict[str, str]:
    """The form fields of an input (:func:`nested` undone), to show it again."""
    if isinstance(node, dict):
        items: Iterable[tuple[Any, Any]] = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return {prefix: "" if node is None else str(node)}
    fields: dict[str, str] = {}
    for key, value in items:
        fields.update(flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return fields


_NOT_AN_ID = "Value cannot represent a GlobalID"


def _page_error(errors: Sequence[GraphQLError]) -> Exception:
    codes = {(error.extensions or {}).get("code") for error in errors}
    if "UNAUTHENTICATED" in codes:
        return SignInNeeded()
    if "FORBIDDEN" in codes:
        return forbidden()
    # An id that is not one (a page's address typed or forged) names nothing.
    if "NOT_FOUND" in codes or any(error.message.startswith(_NOT_AN_ID) for error in errors):
        return not_found()
    # Any other refusal of a domain (a cursor that is not one) is the address's fault, told in its words.
    refused = next((error for error in errors if (error.extensions or {}).get("code")), None)
    if refused is not None:
        return PageError(HTTP_400_BAD_REQUEST, "page.BAD_REQUEST", message=refused.message)
    return RuntimeError("; ".join(error.message for error in errors))
