from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import UUID, ForeignKey
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique
from piccolo.table import Table

from tenants.ids import new_id


class User(Table, tablename="users", schema=None):
    id = UUID(
        default=new_id,
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-12-02T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members' online access: the account a member signs in with, one member per account in a tenant"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schemes", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Member",
        tablename="members",
        column_name="user_id",
        db_column_name="user_id",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": User,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Member",
        tablename="members",
        constraint_name="members_tenant_id_user_id_key",
        constraint_class=Unique,
        params={"columns": ["tenant_id", "user_id"], "nulls_distinct": True},
        schema=None,
    )

    return manager
