"""The summary table over a known month: every figure, the roll-up, the daily series, and the same
table as CSV, XLSX (with its chart), PNG and from the command line.

The month is recorded once for the module (about a hundred API calls) and only read afterwards;
no test here uses the per-test ``session``/``client`` fixtures, whose clean-up would empty it.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import struct

import httpx
import openpyxl
import pytest
from PIL import Image
from sqlmodel import Session

from api.auth.models import Role
from api.db import get_engine
from api.reports.figures import SECTIONS
from tests.conftest import _truncate_all
from tests.factories import make_user
from tests.reports import scenario

URL = "/api/v1/reports/summary"
NOT_ADDITIVE = {("handovers", "median_minutes"), ("sweeps", "sweeps"), ("leads", "median_minutes_to_arrive")}
MONTH = {"from": "2025-03-01", "to": "2025-03-31"}
# every figure but the median and the number of distinct sweeps adds up
ADDITIVE = [(s.key, f.key) for s in SECTIONS for f in s.figures if (s.key, f.key) not in NOT_ADDITIVE]


@pytest.fixture(scope="module")
def month(server, migrated):
    """The recorded month: the API's base URL and a city supervisor's headers."""
    try:
        with Session(get_engine()) as session, httpx.Client(base_url=server, timeout=30) as http:
            scenario.build(session, http)
            supervisor = make_user(session, Role.supervisor, "T100")
            yield {"http": http, "headers": supervisor.headers}
    finally:
        _truncate_all()


@pytest.fixture(scope="module")
def report(month) -> dict:
    response = month["http"].get(URL, params={"jurisdiction": "T100", **MONTH}, headers=month["headers"])
    assert response.status_code == 200, response.text
    return response.json()


def expected_figures(named: dict) -> dict:
    """Every figure of every section: zero (no median) unless ``named`` gives it."""
    figures = {s.key: {f.key: f.empty for f in s.figures} for s in SECTIONS}
    for section, values in copy.deepcopy(named).items():
        figures[section].update(values)
    return figures


def rows_by_code(report: dict) -> dict:
    return {row["code"]: row for row in report["rows"]}


def test_every_figure_of_every_row(report):
    assert [row["code"] for row in report["rows"]] == scenario.ROW_ORDER
    rows = rows_by_code(report)
    for code, named in scenario.EXPECTED.items():
        assert rows[code]["figures"] == expected_figures(named), code


def test_the_header_describes_the_period_and_rows_the_tree(report):
    assert (report["jurisdiction"], report["from"], report["to"]) == ("T100", "2025-03-01", "2025-03-31")
    assert report["timezone"] == "Asia/Shanghai"
    assert report["as_of"] == "2025-03-31T16:00:00Z"  # midnight in Shanghai, as the month ends
    rows = rows_by_code(report)
    assert [(rows[c]["parent"], rows[c]["depth"], rows[c]["level"]) for c in ("T100", "T101", "T101A")] == [
        (None, 0, "city"),
        ("T100", 1, "district"),
        ("T101", 2, "street"),
    ]
    keys = [(s["key"], [f["key"] for f in s["figures"]]) for s in report["sections"]]
    assert keys == [(s.key, [f.key for f in s.figures]) for s in SECTIONS]
    headers = [f["header"] for s in report["sections"] for f in s["figures"]]
    assert len(headers) == len(set(headers)), "a column header names one figure"


def test_a_district_is_the_sum_of_its_streets_and_the_city_of_its_districts(report):
    rows = rows_by_code(report)

    def figure(code, section, key):
        return rows[code]["figures"][section][key]

    for section, key in ADDITIVE:
        assert figure("T101", section, key) == figure("T101A", section, key) + figure("T101B", section, key)
        assert figure("T100", section, key) == figure("T101", section, key) + figure("T102", section, key)
    # a sweep over the whole district counts once there, and once in each street it reached
    assert [figure(c, "sweeps", "sweeps") for c in ("T100", "T101", "T101A", "T101B")] == [1, 1, 1, 1]
    # the median is the median of every handover below, not a sum
    assert [figure(c, "handovers", "median_minutes") for c in ("T101", "T101A", "T101B", "T102")] == [
        90.0,
        45.0,
        135.0,
        None,
    ]


def test_the_daily_series_counts_local_days(report):
    daily = {d["date"]: (d["encounters"], d["escorts"]) for d in report["daily"]}
    assert len(daily) == 31 and min(daily) == "2025-03-01" and max(daily) == "2025-03-31"
    assert {day: counts for day, counts in daily.items() if counts != (0, 0)} == scenario.DAILY


def test_the_foreign_city_has_its_own_figures_and_none_of_ours(month, report):
    admin = make_admin(month, "X200")
    foreign = month["http"].get(URL, params={"jurisdiction": "X200", **MONTH}, headers=admin)
    assert foreign.status_code == 200, foreign.text
    [row] = foreign.json()["rows"]
    assert row["code"] == "X200" and row["figures"] == expected_figures(scenario.FOREIGN)
    assert "X200" not in rows_by_code(report)


def make_admin(month, code: str) -> dict:
    with Session(get_engine()) as session:
        return make_user(session, Role.admin, code).headers


def test_levels_limits_the_rows_not_the_figures(month, report):
    shallow = (
        month["http"]
        .get(URL, params={"jurisdiction": "T100", "levels": 1, **MONTH}, headers=month["headers"])
        .json()
    )
    assert [row["code"] for row in shallow["rows"]] == ["T100", "T101", "T102"]
    assert rows_by_code(shallow)["T101"]["figures"] == rows_by_code(report)["T101"]["figures"]


def test_a_street_reports_its_own_subtree(month):
    street = (
        month["http"].get(URL, params={"jurisdiction": "T101B", **MONTH}, headers=month["headers"]).json()
    )
    [row] = street["rows"]
    assert (row["code"], row["depth"], row["parent"]) == ("T101B", 0, "T101")
    assert row["figures"] == expected_figures(scenario.STREET_B)


def test_csv_has_chinese_headers_and_the_same_numbers(month, report):
    response = month["http"].get(
        URL, params={"jurisdiction": "T100", "format": "csv", **MONTH}, headers=month["headers"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="summary-T100-2025-03-01-2025-03-31.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf"), "a BOM, so spreadsheets read the Chinese as UTF-8"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *lines = table
    assert header[:4] == ["辖区代码", "辖区名称", "层级", "上级辖区"]
    assert header[4:] == [f["header"] for s in report["sections"] for f in s["figures"]]
    assert [line[0] for line in lines] == scenario.ROW_ORDER
    t101a = dict(zip(header, next(line for line in lines if line[0] == "T101A"), strict=True))
    assert (t101a["辖区名称"], t101a["层级"], t101a["上级辖区"]) == ("街道A", "街道乡镇", "T101")
    assert (t101a["巡查班次"], t101a["巡查时长（小时）"], t101a["发现人次"]) == ("3", "22.0", "5")
    assert (t101a["护送至救助站"], t101a["拒绝救助"], t101a["交接用时中位数（分钟）"]) == ("1", "1", "45.0")
    t102 = dict(zip(header, next(line for line in lines if line[0] == "T102"), strict=True))
    assert t102["交接用时中位数（分钟）"] == "" and t102["发现人次"] == "0"


def test_xlsx_holds_the_table_and_the_chart(month, report):
    response = month["http"].get(
        URL, params={"jurisdiction": "T100", "format": "xlsx", **MONTH}, headers=month["headers"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    check_workbook(io.BytesIO(response.content), report)


def check_workbook(file, report: dict) -> None:
    book = openpyxl.load_workbook(file)
    assert book.sheetnames == ["情况汇总表", "每日趋势"]
    table = book["情况汇总表"]
    assert table["A1"].value == "测试T100（T100）情况汇总表"
    assert "2025-03-01 至 2025-03-31" in table["A2"].value
    header = [cell.value for cell in table[5]]
    assert header == ["辖区代码", "辖区名称", "层级", "上级辖区"] + [
        f["header"] for s in report["sections"] for f in s["figures"]
    ]
    assert table["E4"].value == "巡查" and "E4:F4" in {str(r) for r in table.merged_cells.ranges}
    by_code = {
        row[0]: dict(zip(header, row, strict=True)) for row in table.iter_rows(min_row=6, values_only=True)
    }
    assert list(by_code) == scenario.ROW_ORDER
    assert by_code["T101"]["发现人次"] == 9 and by_code["T101"]["巡查时长（小时）"] == 24.0
    assert by_code["T101"]["未完成"] == 2 and by_code["T101"]["交接用时中位数（分钟）"] == 90.0
    assert by_code["T102"]["交接用时中位数（分钟）"] is None
    assert isinstance(by_code["T101A"]["巡查班次"], int), "numbers, not text"
    daily = book["每日趋势"]
    assert [c.value for c in daily[1]][:3] == ["日期", "发现人次", "护送"]
    assert sum(row[1] for row in daily.iter_rows(min_row=2, values_only=True)) == 9
    [image] = daily._images
    assert image._data()[:8] == b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_real_png_of_the_daily_series(month):
    params = {"jurisdiction": "T100", **MONTH}
    response = month["http"].get(f"{URL}/chart.png", params=params, headers=month["headers"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert png_size(response.content) == (1000, 480)
    assert 15_000 < len(response.content) < 500_000
    picture = Image.open(io.BytesIO(response.content)).convert("RGB")
    colours = picture.getcolors(maxcolors=1_000_000)
    assert len(colours) > 50, "lines, text and grid, not a blank canvas"
    quiet = month["http"].get(
        f"{URL}/chart.png", params={"jurisdiction": "T102", **MONTH}, headers=month["headers"]
    )
    assert quiet.status_code == 200 and quiet.content != response.content


def test_the_command_line_gives_the_same_table(report, tmp_path, patrol):
    done = patrol("report", "summary", "--jurisdiction", "T100", "--from", "2025-03-01", "--to", "2025-03-31")
    assert done.returncode == 0, done.stderr.decode()
    printed = json.loads(done.stdout)
    assert printed["rows"] == report["rows"] and printed["daily"] == report["daily"]
    out = tmp_path / "march.xlsx"
    done = patrol(
        "report", "summary", "--jurisdiction", "T100", "--from", "2025-03-01", "--to", "2025-03-31",
        "--format", "xlsx", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert "wrote" in done.stdout.decode()
    check_workbook(out, report)
    done = patrol("report", "summary", "--jurisdiction", "X200", "--from", "2025-03-01", "--to", "2025-03-31",
                  "--format", "csv")  # fmt: skip
    lines = done.stdout.decode("utf-8-sig").splitlines()
    assert (
        done.returncode == 0 and len(lines) == 2 and lines[1].startswith("X200,测试X200,市,,1,4.0,1,1,1,1,")
    )
