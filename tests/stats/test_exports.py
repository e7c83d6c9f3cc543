"""Each dashboard table as xlsx (opened with openpyxl) and csv: Chinese headers, numbers as
numbers, dates as dates, the distinct total last."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import load_workbook
from web.helpers import login

from .conftest import MARCH, Month


def download(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.get_data()


def test_district_table_as_xlsx(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    data = download(client, f"/stats/export/district.xlsx?{MARCH}&channel=phone")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("区县", "服务企业数", "工单数")
    by_name = {r[0]: r[1:] for r in rows[1:]}
    assert by_name["西湖区"] == (2, 4)  # ints, not text
    assert by_name["萧山区"] == (0, 0)
    assert rows[-1] == ("合计（企业去重）", 2, 4)
    assert sheet.title == "各区县服务企业数"


def test_period_table_as_xlsx_has_date_cells(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    data = download(client, f"/stats/export/period.xlsx?{MARCH}")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["日期", "服务企业数", "工单数"]
    first = sheet["A2"]
    assert first.value == datetime(2025, 3, 1)  # a date cell, shown as a date
    assert first.is_date and first.number_format == "yyyy-mm-dd"
    assert sheet["A4"].value == datetime(2025, 3, 3)
    assert (sheet["B4"].value, sheet["C4"].value) == (1, 2)
    assert sheet.max_row == 1 + 20 + 1  # header, 20 days, the total
    assert [c.value for c in sheet[sheet.max_row]] == ["合计（企业去重）", 3, 7]

    months = download(client, "/stats/export/period.xlsx?from=2024-12-01&to=2025-03-20")
    sheet = load_workbook(io.BytesIO(months)).active
    assert sheet is not None
    assert sheet["A1"].value == "月份"
    assert sheet["A4"].value == datetime(2025, 2, 1) and sheet["A4"].number_format == "yyyy-mm"
    assert sheet["B4"].value == 1


def test_channel_table_as_csv(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    data = download(client, f"/stats/export/channel.csv?{MARCH}")
    sent = client.get(f"/stats/export/channel.csv?{MARCH}").headers["Content-Type"]
    assert sent == "text/csv; charset=utf-8"  # once: some importers refuse it twice
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese only with the mark
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["渠道", "服务企业数", "工单数"]
    assert rows[1:] == [
        ["电话", "2", "4"],
        ["在线交互", "1", "1"],
        ["网站", "1", "1"],
        ["来访", "1", "1"],
        ["合计（企业去重）", "3", "7"],
    ]
    days = list(
        csv.reader(
            io.StringIO(download(client, f"/stats/export/period.csv?{MARCH}").decode("utf-8-sig"))
        )
    )
    assert days[1] == ["2025-03-01", "1", "1"]


def test_unknown_table_or_format_is_not_found(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    assert client.get(f"/stats/export/enterprise.csv?{MARCH}").status_code == 404
    assert client.get(f"/stats/export/district.pdf?{MARCH}").status_code == 404
