"""Reading import files: the forms spreadsheets export, headers as people type them."""

from __future__ import annotations

import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from schemes.imports.files import Column, FileFormat, FileProblem, Row, read_rows, write_csv

COLUMNS = [
    Column("last_name", "Nom", required=True),
    Column("first_names", "Prénoms", required=True),
    Column("birth_date", "Date de naissance"),
    Column("phone", "Téléphone"),
]


def test_a_french_spreadsheet_csv_in_windows_1252_with_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "adherents.csv"
    path.write_bytes(
        "NOM;Prénoms;Date de naissance;Remarque\r\nNdiaye;Aïssatou;12/03/1984;x\r\n;;;\r\nFall;Mamadou;;\r\n".encode(
            "cp1252"
        )
    )

    assert list(read_rows(path, FileFormat.CSV, COLUMNS)) == [
        Row(line=2, values={"last_name": "Ndiaye", "first_names": "Aïssatou", "birth_date": "12/03/1984"}),
        Row(line=4, values={"last_name": "Fall", "first_names": "Mamadou"}),
    ]


def test_utf8_with_a_byte_order_mark_commas_and_keys_as_headers(tmp_path: Path) -> None:
    path = tmp_path / "adherents.csv"
    path.write_bytes("\ufefflast_name,PRENOMS,telephone\n Diop , Khady ,+221 77 123 45 67\n".encode())

    assert list(read_rows(path, FileFormat.CSV, COLUMNS)) == [
        Row(line=2, values={"last_name": "Diop", "first_names": "Khady", "phone": "+221 77 123 45 67"}),
    ]


@pytest.mark.parametrize(
    ("content", "reason", "columns"),
    [
        (b"", "empty", ()),
        (b"Nom;Date de naissance\nNdiaye;1984\n", "missing_columns", ("Prénoms",)),
        ("Nom;Prénoms;nom\nNdiaye;Awa;Ndiaye\n".encode(), "duplicate_columns", ("Nom",)),
        (b"Nom;Pr\xc3\xa9noms\n" + b'"' + b"x" * 200_000 + b'";Awa\n', "unreadable", ()),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole(
    tmp_path: Path, content: bytes, reason: str, columns: tuple[str, ...]
) -> None:
    path = tmp_path / "adherents.csv"
    path.write_bytes(content)

    with pytest.raises(FileProblem) as raised:
        list(read_rows(path, FileFormat.CSV, COLUMNS))

    assert (raised.value.reason, raised.value.columns) == (reason, columns)


def test_an_xlsx_workbook_with_dates_and_numbers_as_typed(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Nom", "Prénoms", "Date de naissance", "Téléphone"])
    sheet.append(["Sarr", "Ousmane", datetime(1990, 5, 17), 771234567])
    sheet.append([None, None, None, None])
    sheet.append(["Sow", "Fatou", date(2001, 1, 2), 77.0])
    path = tmp_path / "adherents.xlsx"
    workbook.save(path)

    assert list(read_rows(path, FileFormat.XLSX, COLUMNS)) == [
        Row(
            line=2,
            values={"last_name": "Sarr", "first_names": "Ousmane", "birth_date": "1990-05-17", "phone": "771234567"},
        ),
        Row(line=4, values={"last_name": "Sow", "first_names": "Fatou", "birth_date": "2001-01-02", "phone": "77"}),
    ]


def test_a_csv_that_is_not_a_workbook_is_unreadable_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "adherents.xlsx"
    path.write_bytes(b"Nom;Prenoms\n")

    with pytest.raises(FileProblem) as raised:
        list(read_rows(path, FileFormat.XLSX, COLUMNS))

    assert raised.value.reason == "unreadable"


def test_reading_100_000_rows_holds_one_row_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "adherents.csv"
    write_csv(
        path, ["Nom", "Prénoms", "Téléphone"], ((f"Nom{i}", f"Prénom{i}", f"+22177{i:07d}") for i in range(100_000))
    )

    tracemalloc.start()
    count = 0
    for _ in read_rows(path, FileFormat.CSV, COLUMNS):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert count == 100_000
    assert peak < 1_000_000, peak
