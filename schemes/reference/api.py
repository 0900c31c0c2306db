"""GraphQL query of administrative divisions, for address forms and partner applications."""

from __future__ import annotations

import strawberry

from schemes.reference import service
from tenants.graphql import Info, field
from tenants.tx import platform_tx


@strawberry.type(description="A region (ISO 3166-2) or a division below it (department, arrondissement, commune).")
class AdministrativeDivision:
    code: str = strawberry.field(description="ISO 3166-2 for a region (SN-DK), else Socle's code (SN-DK-01).")
    name: str = strawberry.field(description="Official name, in French where the country writes it so.")
    level: str = strawberry.field(description="region, department, arrondissement or commune.")
    parent_code: str | None = strawberry.field(description="The code of the division it lies in.")


@strawberry.type
class Query:
    @field(
        "The regions of a country (ISO 3166-1 alpha-2, e.g. SN), or the divisions directly under `parent` "
        "(a region's departments), by name. Public reference data."
    )
    async def administrative_divisions(
        self, info: Info, country: str, parent: str | None = None
    ) -> list[AdministrativeDivision]:
        async with platform_tx() as tx:
            found = await service.divisions(tx, country, parent)
        return [
            AdministrativeDivision(code=d.code, name=d.name, level=d.level, parent_code=d.parent_code) for d in found
        ]
