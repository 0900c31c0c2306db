"""What a list's resolver reads of the query's selection, and a loaded
DataLoader value given at once."""

from __future__ import annotations

import asyncio

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from tenants.graphql import asked, loaded, selects, settled

PATHS = [
    ("edges", "node", "name"),
    ("edges", "node", "friends"),
    ("edges", "node", "friends", "name"),
    ("edges", "node", "pet"),
    ("edges", "cursor"),
    ("total",),
]


@strawberry.type
class Person:
    name: str = "Awa"
    pet: str | None = None

    @strawberry.field
    def friends(self) -> list[Person]:
        return []


@strawberry.type
class PersonEdge:
    node: Person
    cursor: str = "c"


@strawberry.type
class People:
    edges: list[PersonEdge]
    total: int = 1


ASKED: list[list[bool]] = []


@strawberry.type
class Query:
    @strawberry.field
    def people(self, info: strawberry.Info) -> People:
        selected = asked(info)
        ASKED.append([selects(selected, *path) for path in PATHS])
        return People(edges=[PersonEdge(node=Person())])


SCHEMA = strawberry.Schema(query=Query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ people { edges { node { name } } } }", [True, False, False, False, False, False]),
        (
            "{ people { total edges { cursor node { friends { name } } } } }",
            [False, True, True, False, True, True],
        ),
        # Through aliases, inline fragments and named fragments.
        (
            "{ people { e: edges { ... on PersonEdge { n: node { ...P } } } } } "
            "fragment P on Person { pals: friends { __typename } pet }",
            [False, True, False, True, False, False],
        ),
        # Directives are not evaluated: asked, at the cost of a statement.
        ("{ people { edges { node { name @skip(if: true) } } } }", [True, False, False, False, False, False]),
    ],
)
def test_selects(query: str, expected: list[bool]) -> None:
    ASKED.clear()
    result = SCHEMA.execute_sync(query)
    assert result.errors is None
    assert [expected] == ASKED


async def test_a_loaded_value_is_given_at_once() -> None:
    calls: list[list[int]] = []

    async def load(keys: list[int]) -> list[int]:
        calls.append(keys)
        return [key * 10 for key in keys]

    loader = DataLoader(load_fn=load)
    pending = settled(loader.load(1), lambda value: value + 1)
    assert asyncio.iscoroutine(pending)
    assert await pending == 11
    assert settled(loader.load(1), lambda value: value + 1) == 11
    await loader.load_many([2, 3])
    assert [settled(loader.load(key), str) for key in (2, 3)] == ["20", "30"]
    assert calls == [[1], [2, 3]]


async def test_a_loaded_value_is_the_value_itself() -> None:
    async def load(keys: list[int]) -> list[int]:
        return [key * 10 for key in keys]

    loader = DataLoader(load_fn=load)
    pending = loaded(loader.load(1))
    assert isinstance(pending, asyncio.Future)
    assert await pending == 10
    assert loaded(loader.load(1)) == 10


async def test_a_failed_load_fails_the_field_either_way() -> None:
    async def load(keys: list[int]) -> list[int]:
        raise LookupError(keys)

    loader = DataLoader(load_fn=load)
    with pytest.raises(LookupError):
        await settled(loader.load(1), str)  # type: ignore[misc]
    with pytest.raises(LookupError):
        settled(loader.load(1), str)
