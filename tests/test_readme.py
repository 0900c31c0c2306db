"""README.md lists every setting as the code defines it."""

from pathlib import Path

from app.settings import settings_table

README = Path(__file__).parent.parent / "README.md"


def test_readme_lists_every_setting() -> None:
    assert settings_table() in README.read_text(), (
        "README.md's settings table is out of date: paste the output of "
        "`uv run python -c 'from app.settings import settings_table; print(settings_table())'`"
    )


def test_readme_shows_the_permission_matrix() -> None:
    from tenants.permissions import matrix_table

    assert matrix_table() in README.read_text(), (
        "README.md's permission matrix is out of date: paste the output of "
        "`uv run python -c 'from tenants.permissions import matrix_table; print(matrix_table())'`"
    )
