"""Piccolo app of scheme operations inside one tenant."""

import os

from piccolo.conf.apps import AppConfig

from schemes.contributions.tables import (
    CallReminder,
    ContributionCall,
    DeclarationLine,
    EmployerDeclaration,
    Payment,
    PaymentAllocation,
    PaymentReceipt,
    ReceiptSequence,
    SubsidyPayment,
    SubsidyStatement,
    SubsidyStatementCall,
)
from schemes.documents.tables import Document
from schemes.duplicates.tables import DuplicatePair
from schemes.employers.tables import Employer
from schemes.gateways.tables import Checkout, GatewayAccount, GatewayEvent
from schemes.imports.tables import ImportJob, ImportRowProblem
from schemes.members.tables import (
    Beneficiary,
    Employment,
    IdentityDocument,
    Member,
    MembershipNumbering,
    MemberStatusChange,
    MemberTally,
)
from schemes.reference.tables import AdministrativeDivision
from schemes.rules.tables import Scheme, SchemeRuleVersion

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
        MemberTally,
        Employment,
        ImportJob,
        ImportRowProblem,
        AdministrativeDivision,
        Document,
        DuplicatePair,
        EmployerDeclaration,
        DeclarationLine,
        ContributionCall,
        Payment,
        PaymentAllocation,
        PaymentReceipt,
        ReceiptSequence,
        SubsidyStatement,
        SubsidyStatementCall,
        SubsidyPayment,
        GatewayAccount,
        Checkout,
        GatewayEvent,
        CallReminder,
    ],
    migration_dependencies=["tenants.piccolo_app"],
    commands=[],
)
