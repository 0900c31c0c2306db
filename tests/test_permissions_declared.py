"""Every root field declares who may call it; the few that anyone may call are
listed here, each for a reason."""

from __future__ import annotations

import pytest
from strawberry.permission import PermissionExtension

from app.api.schema import make_schema
from app.settings import Settings
from tenants.graphql import Requires
from tenants.graphql import field as declared_field
from tenants.permissions import Permission

PUBLIC = {
    "Query.viewer": "tells a caller who it is, signed in or not",
    "Query.node": "each type's resolve_nodes checks its own permission and scopes to readable tenants",
    "Query.administrativeDivisions": "public reference data (ISO 3166-2 regions and the divisions below them)",
    "Mutation.sessionCreate": "signing in",
    "Mutation.sessionRefresh": "the refresh token is the credential",
    "Mutation.sessionRevoke": "ends the caller's own session, if any",
    "Mutation.signInCodeRequest": "asking for a sign-in code by SMS",
    "Mutation.sessionCreateWithCode": "signing in with that code",
    "Mutation.invitationAccept": "the invitation's token is the credential",
    "Mutation.passwordResetRequest": "asking for a reset link (no account oracle)",
    "Mutation.passwordReset": "the reset link's token is the credential",
    "Mutation.passwordChange": "changes the signed-in user's own password, checking the current one",
}


def _declared(settings: Settings) -> dict[str, str | None]:
    schema = make_schema(settings)
    found: dict[str, str | None] = {}
    for root in ("Query", "Mutation"):
        definition = schema.get_type_by_name(root)
        assert definition is not None
        for field in definition.fields:  # type: ignore[union-attr]
            permissions = [
                permission.permission.value
                for extension in field.extensions
                if isinstance(extension, PermissionExtension)
                for permission in extension.permissions
                if isinstance(permission, Requires)
            ]
            found[f"{root}.{schema.config.name_converter.get_graphql_name(field)}"] = (
                permissions[0] if permissions else None
            )
    return found


def test_every_root_field_declares_a_permission_or_is_public(settings: Settings) -> None:
    undeclared = {name for name, permission in _declared(settings).items() if permission is None}
    assert undeclared == set(PUBLIC)


def test_declared_permissions(settings: Settings) -> None:
    assert {name: p for name, p in _declared(settings).items() if p} == {
        "Query.tenant": "tenant:read",
        "Query.auditEvents": "audit:read",
        "Query.auditChain": "audit:read",
        "Query.supervisedAuditEvents": "oversight:read",
        "Query.apiClients": "api_clients:manage",
        "Mutation.apiClientCreate": "api_clients:manage",
        "Mutation.apiClientRotateSecret": "api_clients:manage",
        "Mutation.apiClientRevoke": "api_clients:manage",
        "Query.users": "users:read",
        "Mutation.userRoleChange": "users:manage",
        "Mutation.userDeactivate": "users:manage",
        "Query.invitations": "users:read",
        "Mutation.invitationCreate": "users:manage",
        "Mutation.invitationResend": "users:manage",
        "Mutation.invitationRevoke": "users:manage",
        "Query.employers": "members:read",
        "Query.employer": "members:read",
        "Mutation.employerCreate": "members:write",
        "Mutation.employerUpdate": "members:write",
        "Query.job": "members:write",
        "Query.imports": "members:write",
        "Mutation.memberImportStart": "members:write",
        "Mutation.memberImportSubmit": "members:write",
        "Query.document": "members:read",
        "Mutation.documentUploadStart": "enrolment:write",
        "Mutation.documentUploadComplete": "enrolment:write",
        "Query.schemes": "schemes:read",
        "Query.scheme": "schemes:read",
        "Query.supervisedSchemes": "oversight:read",
        "Mutation.schemeCreate": "schemes:write",
        "Mutation.schemeUpdate": "schemes:write",
        "Mutation.schemeRuleVersionCreate": "schemes:write",
        "Mutation.schemeRuleVersionUpdate": "schemes:write",
        "Query.members": "members:read",
        "Query.member": "members:read",
        "Query.memberByNumber": "members:read",
        "Query.myMember": "self:service",
        "Query.myStatement": "self:service",
        "Query.myPayments": "self:service",
        "Query.contributionCollection": "contributions:read",
        "Query.paymentGateways": "tenant:manage",
        "Query.myOnlinePaymentProviders": "self:service",
        "Query.onlinePayments": "contributions:read",
        "Query.myOnlinePayments": "self:service",
        "Query.memberCounts": "members:read",
        "Query.membershipNumbering": "tenant:manage",
        "Mutation.memberEnrol": "enrolment:write",
        "Mutation.memberEnrolBatch": "enrolment:write",
        "Mutation.memberUpdate": "members:write",
        "Mutation.memberStatusChange": "members:write",
        "Mutation.memberAccessOpen": "members:write",
        "Mutation.memberAccessClose": "members:write",
        "Mutation.beneficiaryAdd": "enrolment:write",
        "Mutation.beneficiaryRemove": "members:write",
        "Mutation.membershipNumberingSet": "tenant:manage",
        "Query.duplicates": "members:read",
        "Query.doubleAffiliations": "oversight:read",
        "Mutation.duplicateResolve": "members:write",
        "Query.contributionCalls": "contributions:read",
        "Query.contributionCallTotals": "contributions:read",
        "Query.payments": "contributions:read",
        "Query.memberStatement": "contributions:read",
        "Query.employerDeclarations": "contributions:read",
        "Query.employerStatement": "contributions:read",
        "Mutation.employerDeclarationFile": "contributions:write",
        "Query.subsidyStatements": "subsidies:read",
        "Mutation.subsidyStatementDraw": "contributions:write",
        "Mutation.subsidyPaymentRecord": "subsidies:settle",
        "Mutation.paymentRecord": "contributions:write",
        "Mutation.paymentGatewayConfigure": "tenant:manage",
        "Mutation.onlinePaymentStart": "contributions:write",
        "Mutation.myOnlinePaymentStart": "self:service",
        "Mutation.onlinePaymentRefresh": "contributions:write",
        "Mutation.myOnlinePaymentRefresh": "self:service",
        "Mutation.onlinePaymentRefund": "contributions:write",
        "Mutation.paymentReverse": "contributions:write",
        "Mutation.contributionCallsRun": "contributions:write",
    }


def test_a_field_with_a_permission_cannot_hand_graphql_core_an_awaitable() -> None:
    def employer(self: object) -> object:
        return None

    with pytest.raises(TypeError, match="awaits what it loads"):
        declared_field("The employer.", permission=Permission.MEMBERS_READ, graphql_type=str | None)(employer)
