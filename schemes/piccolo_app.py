"""Piccolo app of scheme operations inside one tenant."""

import os

from piccolo.conf.apps import AppConfig

from schemes.documents.tables import Document
from schemes.employers.tables import Employer
from schemes.imports.tables import ImportJob, ImportRowProblem
from schemes.members.tables import (
    Beneficiary,
    Employment,
    IdentityDocument,
    Member,
    MembershipNumbering,
    MemberStatusChange,
)
<<<<<<< HEAD
from schemes.rules.tables import Scheme, SchemeRuleVersion
=======
from schemes.reference.tables import AdministrativeDivision
from schemes.rules.tables import Scheme
>>>>>>> support

APP_CONFIG = AppConfig(
    app_name="schemes",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Scheme,
        SchemeRuleVersion,
        Employer,
        MembershipNumbering,
        Member,
        Beneficiary,
        IdentityDocument,
        MemberStatusChange,
        Employment,
<<<<<<< HEAD
        ImportJob,
        ImportRowProblem,
=======
        AdministrativeDivision,
        Document,
>>>>>>> support
    ],
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
