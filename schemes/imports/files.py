"""Reading tabular files row by row: CSV (as spreadsheets export it) and XLSX.

Rows are read one at a time from a file on disk, so a file of any length
costs the memory of one row. Headers are matched to the expected columns
ignoring case, accents, spaces and punctuation, since files are typed by
hand in French ("Date de naissance", "date_naissance" and "DATE NAISSANCE"
are the same column).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path

from openpyxl import load_workbook


class FileFormat(StrEnum):
    """The formats an import reads."""

    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    "text/csv": FileFormat.CSV,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileFormat.XLSX,
}
"""The content types a client may declare for an import file."""


def content_type_of(file_format: FileFormat) -> str:
    """The content type of an import file of ``file_format``."""
    return next(content_type for content_type, known in CONTENT_TYPES.items() if known is file_format)


def looks_like(file_format: FileFormat, head: bytes) -> bool:
    """Whether a file's first bytes fit its format: a workbook is a ZIP
    archive; a CSV file is text, so holds no NUL byte."""
    if file_format is FileFormat.XLSX:
        return head.startswith(b"PK\x03\x04")
    return b"\x00" not in head


@dataclass(frozen=True)
class Column:
    """A column a file may have: its key, its French header, and whether rows need it."""

    key: str
    header: str
    required: bool = False


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file (the header is line 1) and its
    non-empty cells by column key, trimmed."""

    line: int
    values: dict[str, str]


class FileProblem(Exception):
    """A file that cannot be read as a whole (not a row's problem)."""

    def __init__(self, reason: str, columns: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.columns = tuple(columns)


UNREADABLE = "unreadable"
EMPTY = "empty"
MISSING_COLUMNS = "missing_columns"
DUPLICATE_COLUMNS = "duplicate_columns"

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """The form a header is compared in: no accents, lower case, words joined by ``_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("_", plain.lower()).strip("_")


def read_rows(path: Path, file_format: FileFormat, columns: Sequence[Column]) -> Iterator[Row]:
    """The data rows of the file at ``path``, blank rows skipped.

    Raises :class:`FileProblem` (before the first row) when the file cannot
    be read, has no header, lacks a required column or names one twice.
    Cells of columns not in ``columns`` are ignored."""
    lines = _csv_lines(path) if file_format is FileFormat.CSV else _xlsx_lines(path)
    try:
        header = next(lines, None)
        if header is None:
            raise FileProblem(EMPTY)
        positions = _positions(header, columns)
        for number, cells in enumerate(lines, start=2):
            values = {key: cells[i].strip() for key, i in positions.items() if i < len(cells) and cells[i].strip()}
            if values:
                yield Row(line=number, values=values)
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError) as error:
        # A file cut short or damaged halfway is a file problem, not a crash.
        raise FileProblem(UNREADABLE) from error
    finally:
        lines.close()


def _positions(header: Sequence[str], columns: Sequence[Column]) -> dict[str, int]:
    wanted = {header_key(c.header): c for c in columns} | {header_key(c.key): c for c in columns}
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for index, cell in enumerate(header):
        column = wanted.get(header_key(cell))
        if column is None:
            continue
        if column.key in positions:
            repeated.append(column.header)
        positions[column.key] = index
    if repeated:
        raise FileProblem(DUPLICATE_COLUMNS, repeated)
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise FileProblem(MISSING_COLUMNS, missing)
    return positions


def _encoding(path: Path) -> str:
    """UTF-8 (with or without its byte-order mark) when the file decodes as
    such, else Windows-1252, which French spreadsheets export."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as file:
        try:
            while chunk := file.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _csv_lines(path: Path) -> Generator[list[str]]:
    encoding = _encoding(path)
    with path.open("r", encoding=encoding, newline="") as text:
        sample = text.readline(1 << 16)
        text.seek(0)
        # French spreadsheets separate with ";" (the comma is the decimal mark).
        delimiter = max(";,\t", key=sample.count) if sample else ","
        yield from csv.reader(text, delimiter=delimiter)


def _xlsx_lines(path: Path) -> Generator[list[str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(UNREADABLE) from error
    try:
        sheet = workbook.worksheets[0]
        for cells in sheet.iter_rows(values_only=True):
            yield [_cell_text(cell) for cell in cells]
    finally:
        workbook.close()


def _cell_text(cell: object) -> str:
    """A cell as the text a person typed: dates as ISO dates, whole numbers without ``.0``."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def write_csv(path: Path, header: Sequence[str], rows: Iterator[Sequence[object]]) -> None:
    """Write a CSV file as French spreadsheets open it: UTF-8 with a byte-order
    mark, ``;`` between cells."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A small CSV file (a template) as bytes, in the form :func:`write_csv` writes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
