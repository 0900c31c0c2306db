"""Errors of scheme rules."""

from tenants.errors import DomainError


class SchemeError(DomainError):
    """Base of the scheme rules' errors."""


class InvalidSchemeCode(SchemeError):
    code = "schemes.INVALID_SCHEME_CODE"


class SchemeCodeTaken(SchemeError):
    code = "schemes.SCHEME_CODE_TAKEN"


class InvalidSchemeName(SchemeError):
    code = "schemes.INVALID_SCHEME_NAME"


class CategoriesRequired(SchemeError):
    """A scheme admits no member category."""

    code = "schemes.CATEGORIES_REQUIRED"


class RuleVersionNotFound(SchemeError):
    code = "schemes.RULE_VERSION_NOT_FOUND"


class UsedBeforeEffectiveDate(SchemeError):
    """A version marked used for a period that ends before it took effect."""

    code = "schemes.USED_BEFORE_EFFECTIVE_DATE"
