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


class SchemeNotFound(SchemeError):
    """No scheme with that id in a tenant the caller may write (another tenant's is "not found")."""

    code = "schemes.SCHEME_NOT_FOUND"


class StateShareOfSalary(SchemeError):
    """A contribution on salaries is paid by the employer, for itself and its employees: the State has no share."""

    code = "schemes.STATE_SHARE_OF_SALARY"


class EmployerShareWithoutSalary(SchemeError):
    """An employer pays its share through its declarations of salaries: only a contribution on salaries has one."""

    code = "schemes.EMPLOYER_SHARE_WITHOUT_SALARY"


class RateOutOfRange(SchemeError):
    """A rate or share outside 0–100 % (0 to 10,000 basis points)."""

    code = "schemes.RATE_OUT_OF_RANGE"


class AmountNotPositive(SchemeError):
    code = "schemes.AMOUNT_NOT_POSITIVE"


class NegativeNumber(SchemeError):
    code = "schemes.NEGATIVE_NUMBER"


class AmountRequired(SchemeError):
    """A flat contribution basis without its amount."""

    code = "schemes.AMOUNT_REQUIRED"


class RateRequired(SchemeError):
    """A rate contribution basis without its rate."""

    code = "schemes.RATE_REQUIRED"


class NotApplicable(SchemeError):
    """A value the contribution basis does not use (a rate on a flat basis)."""

    code = "schemes.NOT_APPLICABLE"


class FloorAboveCeiling(SchemeError):
    code = "schemes.FLOOR_ABOVE_CEILING"


class SharesNotWhole(SchemeError):
    """Payers' shares that do not sum to 100 %."""

    code = "schemes.SHARES_NOT_WHOLE"


class DuplicatePayer(SchemeError):
    code = "schemes.DUPLICATE_PAYER"


class DuplicateWaitingPeriod(SchemeError):
    code = "schemes.DUPLICATE_WAITING_PERIOD"


class DuplicateBenefitLine(SchemeError):
    """Two benefit lines for one care category at one facility level."""

    code = "schemes.DUPLICATE_BENEFIT_LINE"


class CoverageRequired(SchemeError):
    """A benefit line needs a coverage rate or a fixed amount, not both."""

    code = "schemes.COVERAGE_REQUIRED"


class InvalidAgeLimit(SchemeError):
    code = "schemes.INVALID_AGE_LIMIT"


class InvalidStudentAgeLimit(SchemeError):
    code = "schemes.INVALID_STUDENT_AGE_LIMIT"


class EffectiveDateTooEarly(SchemeError):
    """A version taking effect on or before the end of a period already
    called under the scheme's rules."""

    code = "schemes.EFFECTIVE_DATE_TOO_EARLY"


class EffectiveDateTaken(SchemeError):
    """Another version of the scheme takes effect on that date."""

    code = "schemes.EFFECTIVE_DATE_TAKEN"


class RuleVersionUsed(SchemeError):
    """A version already used for a period: make a new version instead."""

    code = "schemes.RULE_VERSION_USED"
