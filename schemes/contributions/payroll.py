"""An employer's payroll file (CSV or Excel) read as a declaration's lines:
each row's staff number or member number and gross salary, as typed, for
the manager to check on the declaration's form before filing it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from schemes.imports.files import Column, FileFormat, read_rows

COLUMNS = (
    Column("staff_number", "Matricule"),
    Column("member_number", "Numéro d'adhérent"),
    Column("salary", "Salaire brut", required=True),
)
"""The columns a payroll file may have; headers compare without accents nor case."""


@dataclass(frozen=True)
class PayrollLine:
    """One row of the file, its cells as typed (the declaration checks them)."""

    line: int
    staff_number: str
    member_number: str
    salary: str


def format_of(file_name: str) -> FileFormat | None:
    """The file's format by its name's extension; None for neither CSV nor XLSX."""
    try:
        return FileFormat(PurePosixPath(file_name.lower()).suffix.lstrip("."))
    except ValueError:
        return None


def read_payroll(data: bytes, file_format: FileFormat, most: int) -> list[PayrollLine]:
    """The file's rows, up to ``most`` of them and one more (so the caller
    tells a file too long). Raises :class:`schemes.imports.files.FileProblem`
    for a file that cannot be read. Slow (a workbook is unzipped and parsed):
    run it off the event loop."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"payroll.{file_format.value}"
        path.write_bytes(data)
        found = []
        for row in read_rows(path, file_format, COLUMNS):
            found.append(
                PayrollLine(
                    line=row.line,
                    staff_number=row.values.get("staff_number", ""),
                    member_number=row.values.get("member_number", ""),
                    salary=row.values.get("salary", ""),
                )
            )
            if len(found) > most:
                break
        return found
