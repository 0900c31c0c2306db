"""Piccolo app of the tenancy kernel."""

import os

from piccolo.conf.apps import AppConfig

from tenants.audit.tables import AuditEvent
from tenants.identity.tables import (
    Membership,
    OneTimeCode,
    PasswordReset,
    RefreshToken,
    Session,
    SigningKey,
    SignInThrottle,
    User,
)
from tenants.invitations.tables import Invitation
from tenants.partners.tables import ApiClient
from tenants.registry.tables import Tenant
from tenants.tables import JobDelivery, OutboxJob

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
