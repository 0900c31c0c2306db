"""Errors of contributions and payments."""

from tenants.errors import DomainError


class ContributionError(DomainError):
    """Base of the contributions' errors."""


class InvalidPeriod(ContributionError):
    """Not the name of a period of the scheme's rule (``2026-12``, ``2026-T4``, ``2026``)."""

    code = "contributions.INVALID_PERIOD"


class InvalidYear(ContributionError):
    """A year outside those Socle keeps figures for."""

    code = "contributions.INVALID_YEAR"


class NoRuleInForce(ContributionError):
    """The scheme has no rule version in force for the period."""

    code = "contributions.NO_RULE_IN_FORCE"


class RateBasisNotCalled(ContributionError):
    """A rate of income or salary is called from declarations, not for every member."""

    code = "contributions.RATE_BASIS_NOT_CALLED"


class PayerNotFound(ContributionError):
    code = "contributions.PAYER_NOT_FOUND"


class PayerTerminated(ContributionError):
    """A terminated member owes nothing more and pays nothing more."""

    code = "contributions.PAYER_TERMINATED"


class InvalidAmount(ContributionError):
    """Not a positive whole amount in the currency's minor unit, or too large."""

    code = "contributions.INVALID_AMOUNT"


class CurrencyMismatch(ContributionError):
    """A payment in another currency than the tenant's."""

    code = "contributions.CURRENCY_MISMATCH"


class ReferenceRequired(ContributionError):
    """Mobile money, card and bank transfers are recorded with their transaction's reference."""

    code = "contributions.REFERENCE_REQUIRED"


class ProviderRequired(ContributionError):
    """Mobile money is recorded with its operator: a reference is unique per operator."""

    code = "contributions.PROVIDER_REQUIRED"


class InvalidReference(ContributionError):
    code = "contributions.INVALID_REFERENCE"


class ReferenceAlreadyRecorded(ContributionError):
    """The provider's transaction is already a payment: money is recorded once."""

    code = "contributions.REFERENCE_ALREADY_RECORDED"


class InvalidIdempotencyKey(ContributionError):
    code = "contributions.INVALID_IDEMPOTENCY_KEY"


class IdempotencyKeyReused(ContributionError):
    """The key was used for another payment: a replay must send the same payment."""

    code = "contributions.IDEMPOTENCY_KEY_REUSED"


class CallNotFound(ContributionError):
    """A chosen call is not an open call of the payer."""

    code = "contributions.CALL_NOT_FOUND"


class InvalidReceivedAt(ContributionError):
    """A payment received in the future, or before the tenant's first day."""

    code = "contributions.INVALID_RECEIVED_AT"


class TextTooLong(ContributionError):
    code = "contributions.TEXT_TOO_LONG"


class PaymentNotFound(ContributionError):
    code = "contributions.PAYMENT_NOT_FOUND"


class PaymentAlreadyReversed(ContributionError):
    code = "contributions.PAYMENT_ALREADY_REVERSED"


class ReversalNotReversible(ContributionError):
    """A reversal is itself never reversed: record the payment again instead."""

    code = "contributions.REVERSAL_NOT_REVERSIBLE"


class ReasonRequired(ContributionError):
    """A reversal says why."""

    code = "contributions.REASON_REQUIRED"


class NotSalaryBased(ContributionError):
    """A declaration of salaries for a scheme whose contribution is not a rate of the salary."""

    code = "contributions.NOT_SALARY_BASED"


class PeriodNotStarted(ContributionError):
    """Salaries are declared for a period begun, not ahead."""

    code = "contributions.PERIOD_NOT_STARTED"


class TooManyLines(ContributionError):
    code = "contributions.TOO_MANY_LINES"


class LinesRequired(ContributionError):
    """A first declaration names at least one employee; a correction may name none, to withdraw it."""

    code = "contributions.LINES_REQUIRED"


class EmployeeNotFound(ContributionError):
    """No member of the scheme works for the employer in the period under that staff or member number."""

    code = "contributions.EMPLOYEE_NOT_FOUND"


class EmployeeRequired(ContributionError):
    """A line names its employee by their staff number or their member number."""

    code = "contributions.EMPLOYEE_REQUIRED"


class EmployeeTwice(ContributionError):
    code = "contributions.EMPLOYEE_TWICE"


class DeclarationExists(ContributionError):
    """The period is declared already: a correction names the declaration it replaces."""

    code = "contributions.DECLARATION_EXISTS"


class DeclarationSuperseded(ContributionError):
    """The declaration a correction names was replaced meanwhile."""

    code = "contributions.DECLARATION_SUPERSEDED"


class DeclarationNotFound(ContributionError):
    """The declaration a correction names is not one of this employer, scheme and period."""

    code = "contributions.DECLARATION_NOT_FOUND"


class DeclarationKeyReused(ContributionError):
    """The key was used for another employer's or period's declaration: a replay sends the same declaration."""

    code = "contributions.DECLARATION_KEY_REUSED"


class NothingToState(ContributionError):
    """The period has no call of the State's not on a statement yet."""

    code = "contributions.NOTHING_TO_STATE"


class StatementKeyReused(ContributionError):
    """The key was used for another scheme's or period's statement: a replay asks for the same statement."""

    code = "contributions.STATEMENT_KEY_REUSED"


class StatementNotFound(ContributionError):
    """No statement of a tenant the caller supervises has this id."""

    code = "contributions.STATEMENT_NOT_FOUND"


class StatementOverpaid(ContributionError):
    """The State's payments of a statement never exceed it."""

    code = "contributions.STATEMENT_OVERPAID"


class InvalidPaidOn(ContributionError):
    """A transfer dated in the future, or more than a year ago."""

    code = "contributions.INVALID_PAID_ON"


class SubsidyKeyReused(ContributionError):
    """The key was used for another payment of the State: a replay sends the same payment."""

    code = "contributions.SUBSIDY_KEY_REUSED"


class SubsidyNotReversible(ContributionError):
    """The State's payment is its ministry's record in the tenant's ledger: the tenant does not reverse it."""

    code = "contributions.SUBSIDY_NOT_REVERSIBLE"
