"""Batch reads of online payments, for DataLoaders: the contributions' rule
of who reads what (staff every member's, a member their own)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from schemes.contributions.loaders import Reader, read_batch
from schemes.gateways.tables import Checkout
from tenants.context import Viewer
from tenants.scoping import within
from tenants.tx import Transaction


async def checkouts_by_id(viewer: Viewer, ids: Sequence[UUID]) -> list[Checkout | None]:
    """Checkouts the viewer may read, by id."""

    async def read(tx: Transaction, reader: Reader, wanted: list[UUID]) -> dict[UUID, Checkout | None]:
        rows = await within(reader.context, Checkout).objects().where(Checkout.id.is_in(wanted))
        return {row.id: row for row in rows if reader.may_read_member(row.member_id)}

    return await read_batch(viewer, ids, lambda: None, read)
