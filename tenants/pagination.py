"""Keyset pagination: opaque cursors, page sizes and connection types, in one place.

A cursor is the URL-safe base64 of the sort key of the last row seen; lists
never use offsets, so a page costs the same at row 10 or row 10 million.
Services return up to ``limit + 1`` rows ordered by their sort key, the extra
row telling whether a next page exists.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry

from tenants.clean_text import is_clean_text
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.graphql import field
from tenants.tx import Transaction, tenant_tx

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


class InvalidCursor(DomainError):
    code = "api.INVALID_CURSOR"


class InvalidPageSize(DomainError):
    code = "api.INVALID_PAGE_SIZE"


def _cursor_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def encode_cursor(*key: Any) -> str:
    """The cursor after a row whose sort key is ``key`` (times and ids as text)."""
    values = [_cursor_value(value) for value in key]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
_BIGINT = 2**63 - 1


def _parsed(value: Any, kind: type) -> Any:
    """A sort key's value as PostgreSQL can compare it, or ValueError: a
    cursor is the client's input, as much as any argument."""
    if kind is datetime:
        if not isinstance(value, str):
            raise ValueError(value)
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None or not _EARLIEST <= parsed.astimezone(UTC) <= _LATEST:
            raise ValueError(value)
        return parsed
    if kind is date:
        if not isinstance(value, str):
            raise ValueError(value)
        return date.fromisoformat(value)
    if kind is UUID:
        if not isinstance(value, str):
            raise ValueError(value)
        return UUID(value)
    # bool is an int in Python, never a sort key here.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int) and not -_BIGINT <= value <= _BIGINT:
        raise ValueError(value)
    if isinstance(value, str) and not is_clean_text(value):
        raise ValueError(value)
    return value


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    """The sort key in ``cursor``, checked against ``types`` (``str``, ``int``,
    ``date``, ``datetime``, ``UUID``); anything else is the client's mistake."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError(cursor)
        return tuple(_parsed(value, kind) for value, kind in zip(values, types, strict=True))
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise InvalidCursor(path=("after",)) from None


def page_size(first: int | None) -> int:
    """``first``, or the default, within 1..MAX_PAGE_SIZE."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidPageSize(path=("first",), maximum=MAX_PAGE_SIZE)
    return size


@strawberry.type(description="Where a page ends.")
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="One item of a page, and the cursor that follows it.")
class Edge(Generic[NodeT]):
    node: NodeT
    _row: strawberry.Private[Any]
    _cursor: strawberry.Private[Callable[[Any], str]]

    @field("Pass as `after` to get the items that follow this one.")
    def cursor(self) -> str:
        # Encoded when asked for: a page shown as a list asks for `endCursor` only.
        return self._cursor(self._row)


@strawberry.type(description="A page of a list, in the list's order; `first` is at most 100.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @field("How many items the whole list has (one more query: ask only when shown).")
    async def total_count(self) -> int:
        return await self._count()


def page(
    rows: Sequence[RowT],
    limit: int,
    *,
    node: Callable[[RowT], NodeT],
    cursor: Callable[[RowT], str],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    """The page of at most ``limit`` of ``rows`` (a row more tells that a next
    page exists); ``count`` runs only if the client asks for ``totalCount``."""
    shown = rows[:limit]
    return Connection(
        edges=[Edge(node=node(row), _row=row, _cursor=cursor) for row in shown],
        page_info=PageInfo(has_next_page=len(rows) > limit, end_cursor=cursor(shown[-1]) if shown else None),
        _count=count,
    )


async def tenant_page(
    context: TenantContext,
    first: int | None,
    after: str | None,
    key_types: tuple[type, ...],
    *,
    rows: Callable[..., Awaitable[Sequence[RowT]]],
    count: Callable[[Transaction, TenantContext], Awaitable[int]],
    node: Callable[[RowT], NodeT],
    key: Callable[[RowT], tuple[Any, ...]],
) -> Connection[NodeT]:
    """A page of a tenant's list: ``rows(tx, context, after=<key or None>,
    limit=...)`` reads it in its order, ``key`` gives a row's sort key (of
    ``key_types``), ``count(tx, context)`` the list's size when asked for."""
    limit = page_size(first)
    position = decode_cursor(after, *key_types) if after else None
    async with tenant_tx(context) as tx:
        found = await rows(tx, context, after=position, limit=limit + 1)

    async def counted() -> int:
        async with tenant_tx(context) as tx:
            return await count(tx, context)

    return page(found, limit, node=node, cursor=lambda row: encode_cursor(*key(row)), count=counted)
