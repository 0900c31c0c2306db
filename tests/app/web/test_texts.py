"""Every text a page asks for exists in both languages, and every value of
an API enum a page labels has its label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.i18n.catalog import MESSAGES
from app.web.pages import PAGE_SETS
from app.web.site import HERE
from graphql import GraphQLEnumType, build_schema

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = build_schema((ROOT / "graphql" / "schema.graphql").read_text())
# A text's code in a template or a page module: t("page.X"), "page.X" or MenuItem("page.X", ...).
CODE = re.compile(r"""["'](page\.[A-Z0-9_]+)["']""")
# An enum a page labels: t("enum.X." ~ value), or its options: map("enum_option", "X", t).
ENUM = re.compile(r"""["']enum\.([A-Za-z]+)\.["']|["']enum_option["'],\s*["']([A-Za-z]+)["']""")


def _sources() -> list[Path]:
    folders = [HERE / "templates", *(pages.templates for pages in PAGE_SETS)]
    templates = [path for folder in folders for path in folder.glob("*.html")]
    modules = [path.parent / "pages.py" for path in (pages.templates for pages in PAGE_SETS)]
    return [*templates, *modules, HERE / "site.py"]


def _found(pattern: re.Pattern[str]) -> set[str]:
    found = (match for path in _sources() for match in pattern.findall(path.read_text()))
    return {part for match in found for part in ((match,) if isinstance(match, str) else match) if part}


@pytest.mark.parametrize("code", sorted(_found(CODE)))
def test_every_text_of_the_pages_is_in_the_catalogue(code: str) -> None:
    assert set(MESSAGES[code]) == {"fr", "en"}


@pytest.mark.parametrize("enum", sorted(_found(ENUM)))
def test_every_value_of_a_labelled_enum_has_its_label(enum: str) -> None:
    kind = SCHEMA.get_type(enum)
    assert isinstance(kind, GraphQLEnumType)
    missing = [value for value in kind.values if f"enum.{enum}.{value}" not in MESSAGES]
    assert missing == []


def test_the_texts_are_found() -> None:
    assert {"page.SIGN_IN", "page.MENU_MEMBERS", "page.NOT_FOUND"} <= _found(CODE)
    assert {"MemberStatus", "Relationship", "Role", "DocumentKind"} <= _found(ENUM)
