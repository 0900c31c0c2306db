"""Errors of members and households. Each names the input at fault by its
path; the text is in the message catalogue."""

from tenants.errors import DomainError


class MemberError(DomainError):
    """Base of the members' errors."""


class TenantNotApproved(MemberError):
    """Only a licensed (approved) tenant enrols."""

    code = "members.TENANT_NOT_APPROVED"


class MemberNotFound(MemberError):
    code = "members.MEMBER_NOT_FOUND"


class BeneficiaryNotFound(MemberError):
    code = "members.BENEFICIARY_NOT_FOUND"


class SchemeNotFound(MemberError):
    code = "members.SCHEME_NOT_FOUND"


class CategoryNotAdmitted(MemberError):
    """The scheme does not admit the member's category."""

    code = "members.CATEGORY_NOT_ADMITTED"


class FieldRequired(MemberError):
    """A field the member's category (or the input) requires is missing."""

    code = "members.FIELD_REQUIRED"


class FieldNotAllowed(MemberError):
    """Details of another category than the member's."""

    code = "members.FIELD_NOT_ALLOWED"


class InvalidText(MemberError):
    """A text that is empty once trimmed or longer than its maximum."""

    code = "members.INVALID_TEXT_LENGTH"


class InvalidBirth(MemberError):
    """Neither or both of a birth date and a birth year, or one in the future or before 1900."""

    code = "members.INVALID_BIRTH"


class InvalidCountry(MemberError):
    code = "members.INVALID_COUNTRY"


class InvalidRegion(MemberError):
    code = "members.INVALID_REGION"


class InvalidPhone(MemberError):
    code = "members.INVALID_PHONE"


class InvalidDocumentNumber(MemberError):
    code = "members.INVALID_DOCUMENT_NUMBER"


class DuplicateDocument(MemberError):
    """The identity document is already a person's of the tenant: names the member's number."""

    code = "members.DUPLICATE_DOCUMENT"


class RepeatedDocument(MemberError):
    """The same identity document twice in one input."""

    code = "members.REPEATED_DOCUMENT"


class EmployerNotFound(MemberError):
    code = "members.EMPLOYER_NOT_FOUND"


class InvalidSalary(MemberError):
    code = "members.INVALID_SALARY"


class InvalidContractKind(MemberError):
    """A salaried employee's contract is permanent; a precarious worker's is day, seasonal or temporary."""

    code = "members.INVALID_CONTRACT_KIND"


class InvalidDate(MemberError):
    """A date in the future, or an end before its start."""

    code = "members.INVALID_DATE"


class TooMany(MemberError):
    """A list longer than its maximum."""

    code = "members.TOO_MANY"


class InvalidIdempotencyKey(MemberError):
    code = "members.INVALID_IDEMPOTENCY_KEY"


class IdempotencyKeyRequired(MemberError):
    """Each enrolment of an offline batch carries its client's key."""

    code = "members.IDEMPOTENCY_KEY_REQUIRED"


class IdempotencyKeyReused(MemberError):
    """One key for two different enrolments of a batch: names the first one's index."""

    code = "members.IDEMPOTENCY_KEY_REUSED"


class IllegalTransition(MemberError):
    """A status change the lifecycle does not allow."""

    code = "members.ILLEGAL_TRANSITION"


class ReasonRequired(MemberError):
    """A termination says why (death, resignation, transfer, fraud); nothing else takes a reason."""

    code = "members.REASON_REQUIRED"


class ReasonNotAllowed(MemberError):
    code = "members.REASON_NOT_ALLOWED"


class DuplicateByReviewOnly(MemberError):
    """Terminating a member as a duplicate is a decision of the duplicates' review."""

    code = "members.DUPLICATE_BY_REVIEW_ONLY"


class MemberTerminated(MemberError):
    """A terminated member's household no longer changes."""

    code = "members.MEMBER_TERMINATED"


class AccessOfTerminated(MemberError):
    """A terminated member has no access online."""

    code = "members.ACCESS_OF_TERMINATED"


class PhoneRequired(MemberError):
    """Access online is by the member's phone: they need one."""

    code = "members.PHONE_REQUIRED"


class AccountDisabled(MemberError):
    """The account with the member's phone was disabled by the operator."""

    code = "members.ACCOUNT_DISABLED"


class PhoneOfStaff(MemberError):
    """The member's phone is the account of one of the tenant's staff."""

    code = "members.PHONE_OF_STAFF"


class PhoneOfAnotherMember(MemberError):
    """The member's phone already opens another member's access (a phone shared in a family)."""

    code = "members.PHONE_OF_ANOTHER_MEMBER"


class BeneficiaryRemoved(MemberError):
    code = "members.BENEFICIARY_REMOVED"


class NumberingInUse(MemberError):
    """The format cannot change once a number was issued."""

    code = "members.NUMBERING_IN_USE"


class InvalidNumbering(MemberError):
    code = "members.INVALID_NUMBERING"


class InvalidAgeBand(MemberError):
    code = "members.INVALID_AGE_BAND"
