"""Keyset pagination: opaque cursors and page sizes, in one place.

A cursor is the URL-safe base64 of the sort key of the last row seen; lists
never use offsets, so a page costs the same at row 10 or row 10 million.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import strawberry

from tenants.errors import DomainError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class InvalidCursor(DomainError):
    code = "api.INVALID_CURSOR"


class InvalidPageSize(DomainError):
    code = "api.INVALID_PAGE_SIZE"


def encode_cursor(*key: Any) -> str:
    """The cursor after a row whose sort key is ``key``."""
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    """The sort key in ``cursor``, checked against ``types``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if len(values) != len(types) or not all(isinstance(v, t) for v, t in zip(values, types, strict=True)):
            raise ValueError(cursor)
        return tuple(values)
    except ValueError:
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
