"""How graphql-core executes Socle's operations: its own executor, with a
shorter path for the commonest field of all, a scalar or an enum read from an
attribute of its object (a member's name, a beneficiary's birth date).

graphql-core runs every field through the same steps: it builds a resolve
info, calls Strawberry's resolver for the field, which calls the default
resolver, then checks the value's type before coercing it. On a page of a
hundred members with their households, that is two thousand fields and most
of the request's time. For a leaf read from an attribute, none of it changes
the answer: the value is read and coerced directly. Anything unusual (a
null where the schema says non-null, a value that does not coerce) takes
graphql-core's own path, which reports it as it always does.

A field resolved by a method of its type taking only the object and the
info (a member's scheme, their beneficiaries) has a shorter path too: the
method is graphql-core's resolver itself, not the end of Strawberry's chain,
which converts arguments and runs extensions such a field does not have.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import strawberry
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
    is_non_null_type,
)


@dataclass(frozen=True, slots=True)
class LeafRead:
    """How to answer a field that reads a leaf from its object's attribute."""

    attribute: str
    coerce: Callable[[Any], Any]
    nullable: bool


def _enum_names(enum_type: GraphQLEnumType) -> Callable[[Any], Any]:
    # Strawberry's enum type finds a member's name by walking its values on
    # every call; a dictionary answers at once, and anything it does not know
    # goes to Strawberry's own coercion.
    names = {value.value: name for name, value in enum_type.values.items()}
    coerce = enum_type.coerce_output_value

    def name_of(value: Any) -> Any:
        found = names.get(getattr(value, "value", None))
        return found if found is not None else coerce(value)

    return name_of


def leaf_read(field_def: GraphQLField) -> LeafRead | None:
    """The short path of a field, or None when it needs graphql-core's: a
    resolver, field extensions (permissions), arguments, or a type that is
    not a leaf."""
    strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not isinstance(strawberry_field, StrawberryField)
        or not strawberry_field.is_basic_field
        or strawberry_field.default_resolver is not getattr
        or not getattr(field_def.resolve, "_is_default", False)
        or field_def.args
    ):
        return None
    leaf = get_nullable_type(field_def.type)
    if isinstance(leaf, GraphQLEnumType):
        coerce = _enum_names(leaf)
    elif isinstance(leaf, GraphQLScalarType):
        coerce = leaf.coerce_output_value
    else:
        return None
    return LeafRead(strawberry_field.python_name, coerce, not is_non_null_type(field_def.type))


_READS: dict[int, tuple[GraphQLField, LeafRead | None]] = {}
"""Each field's short path, found once. Keyed by identity, since graphql-core's
fields compare by value; the entry keeps its field alive, so an id is never
reused for another."""


def _read_of(field_def: GraphQLField) -> LeafRead | None:
    found = _READS.get(id(field_def))
    if found is None:
        found = _READS[id(field_def)] = (field_def, leaf_read(field_def))
    return found[1]


def direct_resolver(field_def: GraphQLField, info_class: type[strawberry.Info]) -> Callable[..., Any] | None:
    """graphql-core's resolver calling the field's method directly, or None
    when Strawberry's chain has work to do: arguments to convert, field
    extensions (permissions, argument checks), or a method taking more than
    the object and the info."""
    strawberry_field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not isinstance(strawberry_field, StrawberryField)
        or strawberry_field.base_resolver is None
        or strawberry_field.extensions
        or strawberry_field.arguments
        or field_def.args
    ):
        return None
    resolver = strawberry_field.base_resolver
    if not callable(resolver.wrapped_func) or [
        parameter.name for parameter in inspect.signature(resolver.wrapped_func).parameters.values()
    ] != ["self", "info"]:
        return None
    method = cast(Callable[[Any, strawberry.Info], Any], resolver.wrapped_func)
    field: StrawberryField = strawberry_field

    def resolve(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
        return method(source, info_class(_raw_info=info, _field=field))

    return resolve


def shorten_resolvers(schema: strawberry.Schema) -> None:
    """Give every field of ``schema`` that :func:`direct_resolver` accepts
    its direct resolver; a schema whose exception handlers turn errors into
    results keeps Strawberry's resolvers, which apply them."""
    if schema.exception_handlers:
        return
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, GraphQLObjectType):
            for field_def in graphql_type.fields.values():
                direct = direct_resolver(field_def, schema.config.info_class)
                if direct is not None:
                    field_def.resolve = direct


class SocleExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, answering leaves read from attributes
    without graphql-core's per-field machinery (see the module's docstring)."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """A field's completed value: directly for a leaf read from an attribute, else as graphql-core does."""
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        read = _read_of(field_def) if field_def is not None and not node.arguments else None
        # Strawberry always gives a middleware manager, empty unless a schema
        # extension wraps resolvers; a wrapped resolver must run.
        if read is not None and not (self.middleware_manager and self.middleware_manager.middlewares):
            value = getattr(source, read.attribute, Undefined)
            if value is None and read.nullable:
                return None
            if value is not None and value is not Undefined:
                try:
                    coerced = read.coerce(value)
                except Exception:
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
