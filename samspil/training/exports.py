"""CSV and XLSX downloads that a spreadsheet cannot mistake for formulas.

A text cell that starts with = + - @, a tab or a carriage return could run as a formula when opened
in a spreadsheet (CSV/formula injection); such cells get a leading apostrophe. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from samspil.core.spreadsheets import defuse_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: Any) -> Any:
    """The value for a spreadsheet cell: numbers as they are, text defused, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return round(value, 4) if isinstance(value, float) else value
    return defuse_formula(str(value))


def _rows(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterable[list[Any]]:
    yield [safe_cell(str(h)) for h in header]
    for row in rows:
        yield [safe_cell(value) for value in row]


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(header, rows):
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes spreadsheets read UTF-8


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], sheet_title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    for row in _rows(header, rows):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def table_download(
    fmt: str, *, header: Sequence[Any], rows: Iterable[Sequence[Any]], basename: str, sheet_title: str
) -> HttpResponse:
    """A CSV or XLSX attachment of a table; ``fmt`` is "csv" or "xlsx" (the URL pattern guarantees it)."""
    if fmt == "xlsx":
        return download(
            xlsx_bytes(header, rows, sheet_title), filename=f"{basename}.xlsx", content_type=XLSX_CONTENT_TYPE
        )
    return download(
        csv_bytes(header, rows), filename=f"{basename}.csv", content_type="text/csv; charset=utf-8"
    )
