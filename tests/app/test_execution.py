"""Socle's executor answers a leaf read from an attribute directly, a field
resolved by a method without arguments through the method itself, and gives
exactly what graphql-core and Strawberry give for everything, errors included."""

from __future__ import annotations

import asyncio
from datetime import date
from enum import Enum
from typing import Any, cast

import pytest
import strawberry
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission, PermissionExtension

from app.api.execution import SocleExecutionContext, direct_resolver, leaf_read, shorten_resolvers
from graphql import GraphQLObjectType, GraphQLResolveInfo


class Colour(Enum):
    RED = "red"
    DEEP_BLUE = "deep-blue"


class Never(BasePermission):
    message = "Not allowed."

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


def _name_of(self: Thing, info: strawberry.Info) -> str:
    return self.name


class Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    colour: Colour
    born: date
    size: int
    secret: str | None = strawberry.field(extensions=[PermissionExtension(permissions=[Never()])])
    shout: str = strawberry.field(extensions=[Upper()])

    @strawberry.field
    def greeting(self, polite: bool = False) -> str:
        return f"{'Dear ' if polite else ''}{self.name}"

    @strawberry.field
    def path(self, info: strawberry.Info) -> str:
        return f"{info.field_name} {info.path.as_list()} {info.python_name}"

    @strawberry.field
    async def initial(self) -> str:
        return self.name[0]

    @strawberry.field
    def broken(self, info: strawberry.Info) -> str | None:
        raise ValueError(f"no {info.field_name} for {self.name}")

    @strawberry.field
    async def best_friend(self, info: strawberry.Info) -> Thing | None:
        return None if self.name == "Moussa" else THINGS[1]

    loud_name: str = strawberry.field(resolver=_name_of, extensions=[Upper()])


def _thing(**changes: Any) -> Thing:
    values: dict[str, Any] = {
        "name": "Awa",
        "nickname": None,
        "colour": Colour.DEEP_BLUE,
        "born": date(1990, 1, 5),
        "size": 3,
        "secret": "s",
        "shout": "hey",
    }
    values.update(changes)
    return Thing(**values)


THINGS: list[Thing | None] = [
    _thing(),
    _thing(name="Moussa", nickname="Mouss", colour=Colour.RED),
    # Values the schema refuses: graphql-core's path reports each one.
    _thing(name=None),
    _thing(colour="purple"),
    _thing(size="large"),
    _thing(born="not a date"),
]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return THINGS


QUERY = """{
  things {
    name nickname colour born size greeting loud: greeting(polite: true) shout secret
    path initial broken bestFriend { name path } loudName
    ... on Thing { again: name }
    ...Parts
  }
}
fragment Parts on Thing { colour @skip(if: true) size @include(if: false) nickname }
"""


SEEN: list[str] = []


class Observer(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any) -> Any:
        SEEN.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def _run(*, shorten: bool = False, **schema_options: Any) -> Any:
    schema = strawberry.Schema(query=Query, **schema_options)
    if shorten:
        shorten_resolvers(schema)
    result = asyncio.run(schema.execute(QUERY))
    return result.data, sorted((str(error.path), error.message) for error in result.errors or [])


def test_the_answer_and_its_errors_are_graphql_cores() -> None:
    expected = _run()
    assert _run(execution_context_class=SocleExecutionContext, shorten=True) == expected
    data, errors = expected
    assert data["things"][1] == {
        "name": "Moussa",
        "nickname": "Mouss",
        "colour": "RED",
        "born": "1990-01-05",
        "size": 3,
        "greeting": "Moussa",
        "loud": "Dear Moussa",
        "shout": "HEY",
        "secret": None,
        "path": "path ['things', 1, 'path'] path",
        "initial": "M",
        "broken": None,
        "bestFriend": None,
        "loudName": "MOUSSA",
        "again": "Moussa",
    }
    assert data["things"][0]["bestFriend"] == {
        "name": "Moussa",
        "path": "path ['things', 0, 'bestFriend', 'path'] path",
    }
    assert data["things"][2:] == [None, None, None, None]
    assert ("['things', 1, 'broken']", "no broken for Moussa") in errors
    assert [path for path, _ in errors if not path.endswith(("'secret']", "'broken']"))] == [
        "['things', 2, 'name']",
        "['things', 3, 'colour']",
        "['things', 4, 'size']",
        "['things', 5, 'born']",
    ]


def test_a_schema_extension_that_wraps_resolvers_sees_every_field() -> None:
    SEEN.clear()
    _run(extensions=[Observer])
    plain = sorted(SEEN)
    SEEN.clear()
    _run(extensions=[Observer], execution_context_class=SocleExecutionContext, shorten=True)
    assert sorted(SEEN) == plain
    # Each thing's leaves up to its first refused one (graphql-core stops an
    # object there), and the first thing's friend's.
    assert plain.count("name") == 9


@pytest.mark.parametrize(
    ("field", "short"),
    [
        ("name", True),
        ("nickname", True),
        ("colour", True),
        ("born", True),
        ("size", True),
        ("greeting", False),
        ("secret", False),
        ("shout", False),
    ],
)
def test_which_fields_take_the_short_path(field: str, short: bool) -> None:
    schema = strawberry.Schema(query=Query)
    thing = cast(GraphQLObjectType, schema._schema.type_map["Thing"])
    assert (leaf_read(thing.fields[field]) is not None) is short


@pytest.mark.parametrize(
    ("field", "direct"),
    [
        ("path", True),
        ("initial", False),
        ("broken", True),
        ("bestFriend", True),
        ("greeting", False),
        ("loudName", False),
        ("name", False),
        ("secret", False),
    ],
)
def test_which_fields_are_resolved_by_their_method(field: str, direct: bool) -> None:
    schema = strawberry.Schema(query=Query)
    thing = cast(GraphQLObjectType, schema._schema.type_map["Thing"])
    assert (direct_resolver(thing.fields[field], strawberry.Info) is not None) is direct


def test_objects_and_lists_take_graphql_cores_path() -> None:
    schema = strawberry.Schema(query=Query)
    query = cast(GraphQLObjectType, schema._schema.query_type)
    assert leaf_read(query.fields["things"]) is None
