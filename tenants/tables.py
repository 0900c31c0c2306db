"""Tables of the tenancy kernel: the base of every tenant-owned table, the
job outbox and the record of jobs' deliveries."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSONB, UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import Column, OnDelete
from piccolo.columns.defaults.base import Default
from piccolo.table import Table

from tenants.ids import new_id
from tenants.registry.tables import Tenant

TENANT_OWNED_TABLES: set[str] = set()
"""Names of every tenant-owned table, for the checks of raw SQL (:mod:`tenants.scoping`)."""


class TenantTable(Table):
    """Base of every tenant-owned table: a ``tenant_id`` that leads its keys.

    Rows are read and written only through :mod:`tenants.scoping`, which adds
    the tenant to every query; row-level security enforces the same below.
    """

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=False, index=False)
    _column_names: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        TENANT_OWNED_TABLES.add(cls._meta.tablename)
        cls._column_names = frozenset(column._meta.name for column in cls._meta.columns)
        if any(column._meta.db_column_name != column._meta.name for column in cls._meta.columns):
            raise TypeError(f"{cls.__name__}: a column's database name differs from its name")

    def __init__(
        self,
        _data: dict[Any, Any] | None = None,
        _ignore_missing: bool = False,
        _exists_in_db: bool = False,
        **kwargs: Any,
    ) -> None:
        # Piccolo's constructor sets every column through its descriptor, one
        # by one: a fifth of a members page's time, and of an import's. Rows
        # given by name are filled here at once, with the same defaults and
        # the same refusal of a missing value.
        if _data is not None or not kwargs.keys() <= self._column_names:
            super().__init__(_data, _ignore_missing, _exists_in_db, **kwargs)
            return
        values = self.__dict__
        values.update(kwargs)
        if len(kwargs) < len(self._column_names):
            for column in self._meta.columns:
                if column._meta.name not in kwargs:
                    values[column._meta.name] = _default(column, _ignore_missing)
        self._exists_in_db = _exists_in_db
        self._was_created = None


def _default(column: Column, ignore_missing: bool) -> Any:
    """A column's value when none is given, as Piccolo's constructor makes it."""
    value = column.get_default_value()
    if isinstance(value, Default):
        value = value.python()
    if value is None and not column._meta.null and not ignore_missing:
        raise ValueError(f"{column._meta.name} wasn't provided")
    return value


def columns(row: Table) -> dict[str, Any]:
    """A row's values by column name, to read many of them at once.

    Piccolo's columns are descriptors on the table's class: each attribute
    read is a call. The values are in the row's ``__dict__`` under the
    columns' names, however the row was made; a view of a page's rows reads
    thousands of them.
    """
    return row.__dict__


class OutboxJob(Table, tablename="outbox"):
    """A job written in the same transaction as the change that asked for it,
    relayed to the broker after commit and deleted once sent."""

    id = UUID(primary_key=True, default=new_id)
    tenant_id = ForeignKey(Tenant, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    actor_name = Varchar(length=100)
    kwargs = JSONB(default="{}")
    created_at = Timestamptz()
    attempts = Integer(default=0)
    """Sweeps that failed to hand the job to the broker."""
    last_error = Text(null=True, default=None)
    parked_at = Timestamptz(null=True, default=None)
    """Set once the job failed too often: the sweep skips it until an
    operator re-queues it (``socle outbox retry``)."""


class JobDelivery(Table, tablename="job_deliveries"):
    """A job message whose outside effect (an SMS, an email) is under way or
    done, keyed by the message id: a second delivery of the message sends
    nothing."""

    message_id = UUID(primary_key=True)
    actor_name = Varchar(length=100)
    claimed_until = Timestamptz()
    """Until when the delivery that claimed the message may send it; past
    this, another delivery takes over (the first one died)."""
    sent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
