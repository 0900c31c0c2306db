"""Rows skip Piccolo's per-column constructor and come out as that
constructor makes them: read with every column, or given some columns and
filled with the same defaults and refusals."""

from __future__ import annotations

import pytest
from piccolo.table import Table

from schemes.employers.tables import Employer
from tenants.ids import new_id


def test_a_full_row_is_kept_as_read() -> None:
    made = Employer(tenant_id=new_id(), name="Sonatel", registration_number="005012345")
    values = {column._meta.name: getattr(made, column._meta.name) for column in Employer._meta.columns}
    read = Employer(**values, _exists_in_db=True)
    built = Employer.__new__(Employer)
    Table.__init__(built, **values, _exists_in_db=True)
    assert {name: getattr(read, name) for name in values} == {name: getattr(built, name) for name in values}
    assert (read._exists_in_db, read._was_created) == (built._exists_in_db, built._was_created) == (True, None)


def test_a_partial_row_gets_its_defaults() -> None:
    tenant_id = new_id()
    row = Employer(tenant_id=tenant_id, name="Sonatel", registration_number="005012345")
    assert (row.tenant_id, row.name, row.sector, row._exists_in_db) == (tenant_id, "Sonatel", "", False)
    assert row.region is None
    assert row.id is not None


def test_a_partial_row_is_made_as_piccolo_makes_it() -> None:
    given = {"tenant_id": new_id(), "name": "Sonatel", "registration_number": "005012345", "region": "SN-DK"}
    made = Employer(**given)
    built = Employer.__new__(Employer)
    Table.__init__(built, **given)
    drawn = {"id", "created_at", "updated_at"}
    names = [column._meta.name for column in Employer._meta.columns]
    assert {name: getattr(made, name) for name in names if name not in drawn} == {
        name: getattr(built, name) for name in names if name not in drawn
    }
    assert [type(getattr(made, name)) for name in sorted(drawn)] == [
        type(getattr(built, name)) for name in sorted(drawn)
    ]
    assert (made._exists_in_db, made._was_created) == (built._exists_in_db, built._was_created) == (False, None)


def test_a_missing_value_and_an_unknown_column_are_refused() -> None:
    with pytest.raises(ValueError, match=r"^tenant_id wasn't provided$"):
        Employer(name="Sonatel", registration_number="005012345")
    with pytest.raises(ValueError, match=r"^Unrecognized columns"):
        Employer(tenant_id=new_id(), name="Sonatel", registration_number="005012345", ninea="005012345")
    assert Employer(name="Sonatel", _ignore_missing=True).tenant_id is None
