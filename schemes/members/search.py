"""The members' register: filters and the search, as one keyset-paged
statement that stays on indexes among millions of members.

The search matches a name fragment (every word of it, in any order, accents
and case ignored, through the trigram index on the normalized name), a
membership number, a phone number or an identity document's number; each is
a branch of a union, so that each uses its own index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import phonenumbers

from schemes.members import errors
from schemes.members import identity as ids
from schemes.members.tables import Member, MemberStatus
from schemes.rules.model import MemberCategory, Sex
from tenants.tx import Transaction

MAX_AGE = 130


@dataclass(frozen=True)
class MemberFilter:
    """Narrows the register; every field is optional."""

    status: MemberStatus | None = None
    category: MemberCategory | None = None
    scheme_id: UUID | None = None
    region: str | None = None
    sex: Sex | None = None
    age_from: int | None = None
    """Youngest age, in full years on ``age_on``."""
    age_to: int | None = None
    """Oldest age, in full years on ``age_on``."""
    age_on: date | None = None
    enrolled_from: date | None = None
    enrolled_to: date | None = None
    """Last enrolment date included."""
    employer_id: UUID | None = None
    """Members working for this employer on the day the list is read (an employment not ended)."""
    search: str | None = None


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


class _Statement:
    def __init__(self, tenant_id: UUID) -> None:
        self.args: list[Any] = [tenant_id]
        self.clauses: list[str] = ["m.tenant_id = $1"]

    def arg(self, value: Any) -> str:
        self.args.append(value)
        return f"${len(self.args)}"


def _where(statement: _Statement, member_filter: MemberFilter, today: date) -> None:
    clauses = statement.clauses
    for column, value in (
        ("status", member_filter.status),
        ("category", member_filter.category),
        ("scheme_id", member_filter.scheme_id),
        ("sex", member_filter.sex),
    ):
        if value is not None:
            clauses.append(f"m.{column} = {statement.arg(value)}")
    if member_filter.region:
        clauses.append(f"m.address_region = {statement.arg(member_filter.region.strip().upper())}")
    _ages(statement, member_filter, today)
    if member_filter.enrolled_from:
        clauses.append(f"m.enrolled_on >= {statement.arg(member_filter.enrolled_from)}")
    if member_filter.enrolled_to:
        clauses.append(f"m.enrolled_on <= {statement.arg(member_filter.enrolled_to)}")
    if member_filter.employer_id is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM member_employments e WHERE e.tenant_id = $1 AND e.member_id = m.id"
            f" AND e.employer_id = {statement.arg(member_filter.employer_id)}"
            f" AND (e.ended_on IS NULL OR e.ended_on >= {statement.arg(today)}))"
        )


def _ages(statement: _Statement, member_filter: MemberFilter, today: date) -> None:
    """Ages in full years on a day become a range of birth dates."""
    low, high = member_filter.age_from, member_filter.age_to
    if low is None and high is None:
        return
    if any(age is not None and not 0 <= age <= MAX_AGE for age in (low, high)) or (
        low is not None and high is not None and low > high
    ):
        raise errors.InvalidAgeBand(path=("filter", "ageFrom"), maximum=MAX_AGE)
    on = member_filter.age_on or today
    if low is not None:
        statement.clauses.append(f"m.birth_date <= {statement.arg(_years_before(on, low))}")
    if high is not None:
        statement.clauses.append(f"m.birth_date > {statement.arg(_years_before(on, high + 1))}")


def _search_branches(statement: _Statement, search: str, country: str) -> list[tuple[str, str]]:
    """Each way ``search`` can match a member, as the rows to read (aliasing
    members as ``m``) and the condition on them."""
    term = search.strip()
    words = ids.normalized_words(term)
    branches = []
    if words:
        likes = " AND ".join(f"m.normalized_name LIKE {statement.arg(f'%{word}%')}" for word in words)
        branches.append(("members m", likes))
    branches.append(("members m", f"m.number = {statement.arg(term.upper())}"))
    phone = _phone(term, country)
    if phone:
        branches.append(("members m", f"m.phone = {statement.arg(phone)}"))
    document = ids.normalized_document_number(term)
    if document:
        branches.append(
            (
                "members m JOIN identity_documents d ON d.member_id = m.id",
                f"d.tenant_id = $1 AND d.normalized_number = {statement.arg(document)}",
            )
        )
    return branches


def _searched(member_filter: MemberFilter) -> str | None:
    return member_filter.search if member_filter.search and member_filter.search.strip() else None


def _phone(term: str, country: str) -> str | None:
    try:
        number = phonenumbers.parse(term, country)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def list_statement(
    tenant_id: UUID,
    member_filter: MemberFilter,
    today: date,
    country: str,
    *,
    after: tuple[str, UUID] | None,
    limit: int,
) -> tuple[str, list[Any]]:
    """The statement of one page of the register, by normalized name and id.

    A search reads one page of each way of matching (name, number, phone,
    document), each in the register's order, and keeps the first of their
    union: a common name is read along the name index until the page is
    full, a rare one through the trigram index, and neither reads every
    member of the tenant to sort them."""
    statement = _Statement(tenant_id)
    _where(statement, member_filter, today)
    if after is not None:
        name, member_id = statement.arg(after[0]), statement.arg(after[1])
        statement.clauses.append(f"(m.normalized_name, m.id) > ({name}, {member_id})")
    where = " AND ".join(statement.clauses)
    limit_arg = statement.arg(limit)
    order = "ORDER BY m.normalized_name, m.id"
    search = _searched(member_filter)
    if search is None:
        return f"SELECT m.* FROM members m WHERE {where} {order} LIMIT {limit_arg}", statement.args
    pages = " UNION ".join(
        f"(SELECT m.normalized_name, m.id FROM {rows} WHERE {where} AND {condition} {order} LIMIT {limit_arg})"
        for rows, condition in _search_branches(statement, search, country)
    )
    return (
        f"SELECT m.* FROM (SELECT * FROM ({pages}) found ORDER BY normalized_name, id LIMIT {limit_arg}) page"
        f" JOIN members m ON m.id = page.id WHERE m.tenant_id = $1 ORDER BY page.normalized_name, page.id",
        statement.args,
    )


async def list_members(
    tx: Transaction,
    tenant_id: UUID,
    member_filter: MemberFilter,
    today: date,
    country: str,
    *,
    after: tuple[str, UUID] | None,
    limit: int,
) -> list[Member]:
    """Up to ``limit`` members of ``tenant_id`` the filter keeps, after the
    one at ``after`` (keyset pagination on normalized name and id)."""
    sql, args = list_statement(tenant_id, member_filter, today, country, after=after, limit=limit)
    return [Member(**dict(row)) for row in await tx.fetch(sql, *args)]


async def count_members(
    tx: Transaction, tenant_id: UUID, member_filter: MemberFilter, today: date, country: str
) -> int:
    """How many members of ``tenant_id`` the filter keeps."""
    statement = _Statement(tenant_id)
    _where(statement, member_filter, today)
    where = " AND ".join(statement.clauses)
    search = _searched(member_filter)
    if search is None:
        sql = f"SELECT count(*) FROM members m WHERE {where}"
    else:
        matches = " UNION ".join(
            f"SELECT m.id FROM {rows} WHERE {where} AND {condition}"
            for rows, condition in _search_branches(statement, search, country)
        )
        sql = f"SELECT count(*) FROM ({matches}) found"
    count: int = await tx.fetchval(sql, *statement.args)
    return count
