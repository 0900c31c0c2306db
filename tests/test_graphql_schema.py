"""The committed SDL is the schema the code builds."""

from pathlib import Path

from app.api.schema import export_sdl
from app.settings import Settings

SCHEMA_FILE = Path(__file__).parent.parent / "graphql" / "schema.graphql"


def test_committed_schema_matches_code(settings: Settings) -> None:
    assert export_sdl(settings) == SCHEMA_FILE.read_text(), (
        "graphql/schema.graphql is out of date: run `socle schema export` and commit the result"
    )
