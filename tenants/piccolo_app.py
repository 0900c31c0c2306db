"""Piccolo app of the tenancy kernel."""

import os

from piccolo.conf.apps import AppConfig

from tenants.tables import (
    ApiClient,
    AuditEvent,
    Invitation,
    JobDelivery,
    Membership,
    OneTimeCode,
    OutboxJob,
    PasswordReset,
    RefreshToken,
    Session,
    SigningKey,
    SignInThrottle,
    Tenant,
    User,
)

APP_CONFIG = AppConfig(
    app_name="tenants",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Tenant,
        User,
        Membership,
        OutboxJob,
        JobDelivery,
        SigningKey,
        Session,
        RefreshToken,
        AuditEvent,
        SignInThrottle,
        ApiClient,
        OneTimeCode,
        Invitation,
        PasswordReset,
    ],
    migration_dependencies=[],
    commands=[],
)
