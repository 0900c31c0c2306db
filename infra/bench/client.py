"""Talking to the targets over HTTP: signing in to Socle, posting a
scenario's request, and the check that every target returns the same rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from infra.bench import postgraphile_queries as graphile
from infra.bench.dataset import Dataset
from infra.bench.scenarios import JSON, Row, Scenario

_SIGN_IN = """mutation BenchSignIn($input: SessionCreateInput!) {
  sessionCreate(input: $input) {
    __typename
    ... on SessionTokens { accessToken }
    ... on SessionCreateError { code message }
  }
}"""


@dataclass(frozen=True)
class Target:
    """A server answering the scenarios: its name, its GraphQL URL, and how it
    asks (the body of a scenario's ``i``-th request) and answers (the rows)."""

    name: str
    url: str
    body: Callable[[Scenario, Dataset, int], bytes | None]
    """None where the target has no query for the scenario."""
    rows: Callable[[Scenario, Dataset, JSON], list[Row]]
    leaves_out: Callable[[Scenario], tuple[str, ...]] = lambda scenario: ()
    """Fields of the scenario's rows this target does not give."""


def socle_body(scenario: Scenario, data: Dataset, i: int) -> bytes:
    """The GraphQL request Socle (and the baseline) receive."""
    return orjson.dumps(
        {"query": scenario.query, "variables": scenario.variables(data, i), "operationName": scenario.operation}
    )


def socle_rows(scenario: Scenario, dataset: Dataset, data: JSON) -> list[Row]:
    """The rows of Socle's (or the baseline's) ``data``."""
    return scenario.rows(data)


def graphile_body(scenario: Scenario, data: Dataset, i: int) -> bytes | None:
    """PostGraphile's request for the scenario, if it has one."""
    if scenario.graphile is None:
        return None
    query, variables = scenario.graphile(data, i)
    return orjson.dumps({"query": query, "variables": variables})


def graphile_rows(scenario: Scenario, dataset: Dataset, data: JSON) -> list[Row]:
    """The rows of PostGraphile's ``data``, in the scenario's shape."""
    assert scenario.graphile is not None
    query, _ = scenario.graphile(dataset, 0)
    return graphile.rows(query, {"data": data}, on=dataset.day)


def graphile_target(url: str) -> Target:
    """PostGraphile at ``url``."""
    return Target("postgraphile", url, graphile_body, graphile_rows, lambda scenario: scenario.graphile_leaves_out)


def sign_in(socle_url: str, identifier: str, password: str, tenant: str | None = None) -> str:
    """A fresh access token (they live 15 minutes, so each measurement takes one)."""
    variables = {"input": {"identifier": identifier, "password": password, "tenant": tenant}}
    response = httpx.post(socle_url, json={"query": _SIGN_IN, "variables": variables}, timeout=30)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()["data"]["sessionCreate"]
    if answer["__typename"] != "SessionTokens":
        raise RuntimeError(f"sign-in of {identifier} refused: {answer}")
    token: str = answer["accessToken"]
    return token


def fetch_rows(target: Target, scenario: Scenario, data: Dataset, token: str, i: int = 0) -> list[Row] | None:
    """The rows of one request to ``target``; None where it has no such query."""
    body = target.body(scenario, data, i)
    if body is None:
        return None
    response = httpx.post(
        target.url,
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=60,
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    if answer.get("errors") or answer.get("data") is None:
        raise RuntimeError(f"{target.name} answered {scenario.name} with errors: {answer.get('errors')}")
    return target.rows(scenario, data, answer["data"])


class RowsDiffer(AssertionError):
    """Two targets returned different rows for one scenario."""


def _without(rows: list[Row], fields: tuple[str, ...]) -> list[Row]:
    return [{key: value for key, value in row.items() if key not in fields} for row in rows]


def same_rows(targets: list[Target], scenario: Scenario, data: Dataset, token: str) -> dict[str, int]:
    """Fetch the scenario once from every target; the rows' count per target,
    or :class:`RowsDiffer` naming the first row that differs (the first
    target's rows are the reference, without the fields the other leaves out)."""
    found = {t.name: (t, rows) for t in targets if (rows := fetch_rows(t, scenario, data, token)) is not None}
    reference_name, (_, full_reference) = next(iter(found.items()))
    for name, (target, rows) in found.items():
        reference = _without(full_reference, target.leaves_out(scenario))
        if rows != reference:
            where = next((i for i, (a, b) in enumerate(zip(reference, rows, strict=False)) if a != b), None)
            detail = (
                f"row {where}: {reference[where]!r} against {rows[where]!r}"
                if where is not None
                else f"{len(reference)} rows against {len(rows)}"
            )
            raise RowsDiffer(f"{scenario.name}: {name} differs from {reference_name}, {detail}")
    return {name: len(rows) for name, (_, rows) in found.items()}
