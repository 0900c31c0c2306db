"""Errors of the review of probable duplicates. Each names the input at
fault by its path; the text is in the message catalogue."""

from tenants.errors import DomainError


class DuplicateError(DomainError):
    """Base of the duplicates' errors."""


class PairNotFound(DuplicateError):
    code = "duplicates.PAIR_NOT_FOUND"


class PairAlreadyDecided(DuplicateError):
    """A pair is decided once; its decision (``status``) stands."""

    code = "duplicates.PAIR_ALREADY_DECIDED"


class KeepRequired(DuplicateError):
    """A duplicate names the member kept."""

    code = "duplicates.KEEP_REQUIRED"


class KeepNotAllowed(DuplicateError):
    """Two different people: no member is kept over the other."""

    code = "duplicates.KEEP_NOT_ALLOWED"


class KeepNotInPair(DuplicateError):
    """The member kept must be one of the pair."""

    code = "duplicates.KEEP_NOT_IN_PAIR"


class ReasonRequired(DuplicateError):
    """A pair closed as not duplicate says why."""

    code = "duplicates.REASON_REQUIRED"


class ReasonTooLong(DuplicateError):
    code = "duplicates.REASON_TOO_LONG"


class MemberTerminated(DuplicateError):
    """A member of the pair left meanwhile: a merge needs both still members."""

    code = "duplicates.MEMBER_TERMINATED"
