"""GraphQL scalars of Socle's own."""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

SAFE_INTEGER = 2**53 - 1
"""The largest integer a JSON reader holding numbers as doubles (JavaScript) reads exactly."""


def _amount(value: Any) -> int:
    # bool is an int in Python, never an amount.
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > SAFE_INTEGER:
        raise ValueError(f"Amount cannot represent {value!r}: a whole number of at most 2^53 - 1 in absolute value")
    return value


Amount = NewType("Amount", int)
"""An amount of money in a field's type; the schema maps it to :data:`AMOUNT`."""

AMOUNT = strawberry.scalar(
    name="Amount",
    serialize=_amount,
    parse_value=_amount,
    description="An amount in a currency's minor unit (whole francs for XOF and XAF), as a JSON number: a whole "
    "number of at most 2^53 − 1 in absolute value. GraphQL's Int stops at 2^31 − 1, less than a scheme's "
    "yearly dues.",
)

SCALARS: dict[object, ScalarDefinition] = {Amount: AMOUNT}
"""The scalar map of the schema (``StrawberryConfig.scalar_map``)."""
