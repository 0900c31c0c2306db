"""Piccolo app of scheme operations inside one tenant."""

import os

from piccolo.conf.apps import AppConfig

from schemes.rules.tables import Scheme, SchemeRuleVersion

APP_CONFIG = AppConfig(
    app_name="schemes",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Scheme, SchemeRuleVersion],
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
