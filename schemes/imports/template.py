"""The members' import template: the columns in order and two households
as examples, as a CSV or an XLSX file."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from schemes.imports.files import FileFormat, csv_bytes
from schemes.imports.members import COLUMNS

EXAMPLES: list[dict[str, str]] = [
    {
        "household": "F001",
        "scheme": "ARTISANS",
        "category": "artisan",
        "last_name": "Ndiaye",
        "first_names": "Mamadou",
        "sex": "M",
        "birth": "14/02/1979",
        "phone": "77 412 33 08",
        "document_kind": "CNI",
        "document_number": "1 751 1979 01234",
        "region": "Thiès",
        "department": "Mbour",
        "locality": "Joal-Fadiouth",
        "trade": "Menuisier",
        "trades_register": "TH-2019-00457",
        "chamber": "Chambre des métiers de Thiès",
    },
    {
        "household": "F001",
        "relationship": "épouse",
        "last_name": "Sarr",
        "first_names": "Awa",
        "sex": "F",
        "birth": "1985",
    },
    {
        "household": "F001",
        "relationship": "enfant",
        "last_name": "Ndiaye",
        "first_names": "Fatou",
        "sex": "F",
        "birth": "03/09/2012",
        "studying": "oui",
    },
    {
        "household": "F002",
        "scheme": "SALARIES",
        "category": "salarié",
        "last_name": "Diallo",
        "first_names": "Khadija",
        "sex": "F",
        "birth": "22/07/1990",
        "phone": "+221 76 210 45 19",
        "region": "Dakar",
        "department": "Pikine",
        "employer": "0045874 2V2",
        "staff_number": "MAT-0192",
        "salary": "185000",
        "contract": "CDI",
    },
]
"""Households as a manager would type them (the scheme code and the employer's
NINEA are to be replaced by the tenant's own)."""


def template(file_format: FileFormat) -> bytes:
    """The template file in ``file_format``."""
    header = [column.header for column in COLUMNS]
    rows = [[example.get(column.key, "") for column in COLUMNS] for example in EXAMPLES]
    if file_format is FileFormat.CSV:
        return csv_bytes(header, rows)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Adhérents"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
