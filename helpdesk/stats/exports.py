"""A dashboard table as csv or xlsx: headers in the page's language, numbers as numbers, dates
as dates. Both stream: csv line by line, xlsx through XlsxWriter's constant-memory mode (each
row goes to disk as it is written) into a temporary file that is sent in chunks, so a long
table never sits in memory whole. XlsxWriter, not openpyxl: openpyxl's write-only mode without
lxml took ~0.5 ms a row, far from a million rows in a minute (bench/stats_export.py)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter

CHUNK = 64 * 1024


def _csv_value(value: Any, month: bool) -> Any:
    if isinstance(value, date):
        return value.strftime("%Y-%m") if month else value.isoformat()
    return value


def csv_lines(header: list[str], rows: Iterable[list[Any]], month: bool = False) -> Iterator[str]:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese from a csv."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(v, month) for v in row])
        yield buffer.getvalue()


def xlsx_file(
    title: str, header: list[str], rows: Iterable[list[Any]], month: bool = False
) -> IO[bytes]:
    """The workbook in a temporary file, rewound; the caller streams and closes it."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by chunks() once sent)
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet(title[:31])  # Excel's limit on a sheet's name
    as_date = book.add_format({"num_format": "yyyy-mm" if month else "yyyy-mm-dd"})
    for column, text in enumerate(header):
        sheet.write_string(0, column, str(text))
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _write(sheet, number, column, value, as_date)
    book.close()
    out.seek(0)
    return out


def _write(sheet: Any, row: int, column: int, value: Any, as_date: Any) -> None:
    """By the value's type: a text is never read as a formula or a link."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), as_date)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), as_date)
    else:
        sheet.write_string(row, column, str(value))


def chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := file.read(CHUNK):
            yield block
    finally:
        file.close()
