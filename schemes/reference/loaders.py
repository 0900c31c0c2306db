"""Batch reads of administrative divisions, for DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence

from schemes.reference import service
from tenants.context import Viewer
from tenants.tx import platform_tx


async def divisions_by_code(viewer: Viewer, codes: Sequence[str]) -> list[service.Division | None]:
    """Divisions below the regions by code (public reference data), None for an unknown code."""
    async with platform_tx() as tx:
        found = await service.divisions_by_code(tx, list(codes))
    return [found.get(code) for code in codes]
