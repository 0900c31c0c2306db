"""Tables of contributions: what is called from each payer, the money
received, how it settles the calls, and the receipts' sequence.

Calls, payments and allocations are written once and never changed nor
deleted (the application role may only insert and read them): a wrong
payment is reversed by a new payment of the opposite amount, whose
allocations undo the first one's. Every balance is a sum of these rows.
"""

from enum import StrEnum

from piccolo.columns import UUID, BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique

from schemes.employers.tables import Employer
from schemes.members.tables import Member
from schemes.rules.tables import Scheme, SchemeRuleVersion
from tenants.tables import TenantTable


class CallKind(StrEnum):
    """What a call is for."""

    CONTRIBUTION = "contribution"
    """A period's contribution (cotisation)."""
    REGISTRATION_FEE = "registration_fee"
    """The fee of the first enrolment (droit d'adhésion)."""


class Channel(StrEnum):
    """How money reached the tenant."""

    MOBILE_MONEY = "mobile_money"
    CARD = "card"
    CASH = "cash"
    """Cash at the counter (guichet)."""
    BANK_TRANSFER = "bank_transfer"


class EmployerDeclaration(TenantTable, tablename="employer_declarations"):
    """An employer's declaration of its employees and their gross salaries
    for one period (déclaration des salaires), and the contribution computed
    from it under the rule version in force for the period.

    A correction is a new declaration that replaces the one in force: the
    replaced one stays as it was, and its call no longer counts (see
    :data:`schemes.contributions.ledger.LIVE`).
    """

    employer_id = ForeignKey(Employer, on_delete=OnDelete.restrict, null=False, index=False)
    scheme_id = ForeignKey(Scheme, on_delete=OnDelete.restrict, null=False, index=False)
    rule_version_id = ForeignKey(SchemeRuleVersion, on_delete=OnDelete.restrict, null=False, index=False)
    period = Varchar(length=7)
    period_start = Date()
    period_end = Date()
    version = Integer()
    """1 for the first declaration of the period, then one more for each correction."""
    replaces_id = UUID(null=True, default=None)
    """The declaration this one corrects (a declaration is replaced at most once)."""
    employees = Integer()
    salaries = BigInt()
    """The gross salaries declared, summed."""
    employer_share = BigInt()
    employee_share = BigInt()
    """What the employer withholds from its employees' salaries and pays with its own share."""
    amount = BigInt()
    """The employer's call: its share and its employees'."""
    currency = Varchar(length=3)
    note = Text(default="")
    """Why a correction was filed."""
    idempotency_key = Varchar(length=100)
    filed_by_kind = Varchar(length=16)
    filed_by_id = UUID(null=True, default=None)
    filed_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()

    employer_declarations_tenant_id_version_key = Unique(
        ["tenant_id", "employer_id", "scheme_id", "period_start", "version"]
    )
    employer_declarations_tenant_id_replaces_id_key = Unique(["tenant_id", "replaces_id"])
    employer_declarations_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])


class DeclarationLine(TenantTable, tablename="employer_declaration_lines"):
    """One employee of a declaration: the salary declared, the part of it
    the rate applies to (between the rule's floor and ceiling) and the two shares."""

    declaration_id = ForeignKey(EmployerDeclaration, on_delete=OnDelete.restrict, null=False, index=False)
    line = Integer()
    """The employee's place in the declaration, from 1."""
    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=False, index=False)
    staff_number = Varchar(length=40, null=True, default=None)
    salary = BigInt()
    base = BigInt()
    employer_share = BigInt()
    employee_share = BigInt()

    employer_declaration_lines_tenant_id_member_key = Unique(["tenant_id", "declaration_id", "member_id"])
    employer_declaration_lines_tenant_id_line_key = Unique(["tenant_id", "declaration_id", "line"])


class ContributionCall(TenantTable, tablename="contribution_calls"):
    """What one payer owes for one period (appel de cotisation) or for a
    registration, computed under the rule version in force for the period.

    A call is about a member (the member's share, the State's subsidy for
    that member) or about an employer (an employer's declaration); ``payer``
    says who pays it. An employer's call covers its own share and what it
    withholds from its employees' salaries.
    """

    scheme_id = ForeignKey(Scheme, on_delete=OnDelete.restrict, null=False, index=False)
    rule_version_id = ForeignKey(SchemeRuleVersion, on_delete=OnDelete.restrict, null=False, index=False)
    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    employer_id = ForeignKey(Employer, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    declaration_id = ForeignKey(EmployerDeclaration, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    """The declaration an employer's call was computed from."""
    payer = Varchar(length=16)
    """:class:`schemes.rules.model.Payer` value."""
    kind = Varchar(length=24, choices=CallKind)
    period = Varchar(length=7)
    """The period's name: ``2026-12``, ``2026-T4`` or ``2026``."""
    period_start = Date()
    period_end = Date()
    due_on = Date()
    """The period's first day, or the member's first day for their first period."""
    persons = Integer(default=1)
    """The people the amount covers (the member and their covered dependants)."""
    amount = BigInt()
    currency = Varchar(length=3)
    created_at = Timestamptz()

    contribution_calls_tenant_id_payer_period_key = Unique(
        ["tenant_id", "kind", "payer", "period_start", "member_id", "employer_id", "declaration_id"],
        nulls_distinct=False,
    )


class Payment(TenantTable, tablename="payments"):
    """Money received from one payer, or, with a negative amount, the
    reversal of a payment wrongly recorded (``reverses_id``)."""

    payer = Varchar(length=16)
    member_id = ForeignKey(Member, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    employer_id = ForeignKey(Employer, on_delete=OnDelete.restrict, null=True, default=None, index=False)
    amount = BigInt()
    currency = Varchar(length=3)
    channel = Varchar(length=16, choices=Channel)
    provider = Varchar(length=32, null=True, default=None)
    """The mobile money operator or payment provider (``wave``, ``stripe``, ``orange_money``)."""
    provider_reference = Varchar(length=100, null=True, default=None)
    """The provider's id of the transaction: one payment per provider and reference."""
    received_at = Timestamptz()
    receipt_number = Varchar(length=32)
    receipt_sequence = BigInt()
    reverses_id = UUID(null=True, default=None)
    """The payment this one reverses (a payment is reversed at most once)."""
    note = Text(default="")
    """The reason of a reversal, or what the cashier wrote."""
    idempotency_key = Varchar(length=100, null=True, default=None)
    subsidy_payment_id = UUID(null=True, default=None)
    """For the State's payment: the ministry's record of it (:class:`SubsidyPayment`, in the ministry's tenant)."""
    recorded_by_kind = Varchar(length=16)
    recorded_by_id = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()

    payments_tenant_id_receipt_number_key = Unique(["tenant_id", "receipt_number"])
    payments_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])
    payments_tenant_id_provider_reference_key = Unique(["tenant_id", "provider", "provider_reference"])
    payments_tenant_id_reverses_id_key = Unique(["tenant_id", "reverses_id"])
    payments_tenant_id_subsidy_payment_id_key = Unique(["tenant_id", "subsidy_payment_id"])


class PaymentAllocation(TenantTable, tablename="payment_allocations"):
    """The part of a payment that settles one call; negative for a reversal.
    What a payment does not settle is its payer's credit. A payment may
    settle a call in several steps (a call reopened by another payment's
    reversal takes the first one's credit again)."""

    payment_id = ForeignKey(Payment, on_delete=OnDelete.restrict, null=False, index=False)
    call_id = ForeignKey(ContributionCall, on_delete=OnDelete.restrict, null=False, index=False)
    amount = BigInt()
    created_at = Timestamptz()


class ReceiptSequence(TenantTable, tablename="receipt_sequences"):
    """The last receipt number a tenant issued in a year. The row is updated
    in the payment's transaction: a payment rolled back gives its number
    back, so receipts have no gap."""

    year = Integer()
    last_value = BigInt(default=0)

    receipt_sequences_tenant_id_year_key = Unique(["tenant_id", "year"])


class PaymentReceipt(TenantTable, tablename="payment_receipts"):
    """The PDF receipt of a payment (or the notice of a reversal), made by a
    job once the payment is recorded and kept in object storage."""

    payment_id = ForeignKey(Payment, on_delete=OnDelete.restrict, null=False, index=False)
    storage_key = Varchar(length=200)
    size = Integer()
    sha256 = Varchar(length=64)
    """The file's digest: a receipt shown later is the one made then."""
    created_at = Timestamptz()

    payment_receipts_tenant_id_payment_id_key = Unique(["tenant_id", "payment_id"])


class ReminderStage(StrEnum):
    """When a member is reminded of a call."""

    BEFORE_DUE = "before_due"
    """In the week before the call is due."""
    OVERDUE = "overdue"
    """In the month after it was due, while it is unpaid."""


class CallReminder(TenantTable, tablename="call_reminders"):
    """A reminder of a call sent to its member, once per call and stage (the
    pass that finds it due writes the row and the message's job together)."""

    call_id = ForeignKey(ContributionCall, on_delete=OnDelete.restrict, null=False, index=False)
    stage = Varchar(length=16, choices=ReminderStage)
    created_at = Timestamptz()

    call_reminders_tenant_id_call_id_stage_key = Unique(["tenant_id", "call_id", "stage"])


class SubsidyStatement(TenantTable, tablename="subsidy_statements"):
    """What the State owes a tenant for a scheme's period (état des
    bénéficiaires subventionnés): the State's calls of the period it covers,
    counted and summed when the statement was drawn up, and never changed.

    A call is on one statement at most: the calls made after a statement
    (members enrolled later in the period) go on the period's next one.
    """

    scheme_id = ForeignKey(Scheme, on_delete=OnDelete.restrict, null=False, index=False)
    period = Varchar(length=7)
    period_start = Date()
    period_end = Date()
    number = Integer()
    """1 for the period's first statement, then one more for each."""
    members = Integer()
    """The members the State pays for."""
    beneficiaries = Integer()
    """The people covered: the members and their covered dependants."""
    amount = BigInt()
    currency = Varchar(length=3)
    idempotency_key = Varchar(length=100, null=True, default=None)
    drawn_by_kind = Varchar(length=16)
    drawn_by_id = UUID(null=True, default=None)
    drawn_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()

    subsidy_statements_tenant_id_number_key = Unique(["tenant_id", "scheme_id", "period_start", "number"])
    subsidy_statements_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])


class SubsidyStatementCall(TenantTable, tablename="subsidy_statement_calls"):
    """A State's call a statement covers."""

    statement_id = ForeignKey(SubsidyStatement, on_delete=OnDelete.restrict, null=False, index=False)
    call_id = ForeignKey(ContributionCall, on_delete=OnDelete.restrict, null=False, index=False)

    subsidy_statement_calls_tenant_id_call_id_key = Unique(["tenant_id", "call_id"])


class SubsidyPayment(TenantTable, tablename="subsidy_payments"):
    """The State's payment of a statement, as its ministry records it: a row
    of the ministry's own tenant (a ministry writes nothing in the tenants it
    supervises). The statement's tenant reads it, and a job records the money
    in that tenant's ledger (a payment of the State's, ``subsidy_payment_id``).

    A statement may be paid in several transfers; together they never exceed it.
    """

    statement_tenant_id = UUID()
    statement_id = ForeignKey(SubsidyStatement, on_delete=OnDelete.restrict, null=False, index=False)
    amount = BigInt()
    currency = Varchar(length=3)
    reference = Varchar(length=100)
    """The reference of the Treasury's transfer."""
    paid_on = Date()
    idempotency_key = Varchar(length=100)
    recorded_by_kind = Varchar(length=16)
    recorded_by_id = UUID(null=True, default=None)
    recorded_by_name = Varchar(length=200, default="")
    created_at = Timestamptz()

    subsidy_payments_tenant_id_idempotency_key_key = Unique(["tenant_id", "idempotency_key"])
