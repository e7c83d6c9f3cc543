"""A dashboard table as csv or xlsx: headers in the page's language, numbers as numbers, dates
as dates. Both stream: csv line by line, xlsx through openpyxl's write-only mode into a
temporary file that is sent in chunks, so a long table never sits in memory whole."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet's name
    sheet.append(header)
    date_format = "yyyy-mm" if month else "yyyy-mm-dd"
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = date_format
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by chunks() once sent)
    book.save(out)
    out.seek(0)
    return out


def chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while block := file.read(CHUNK):
            yield block
    finally:
        file.close()
