"""The summary as a table to file: CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese
headers) and XLSX (XlsxWriter) with the daily chart embedded."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import xlsxwriter

from api.reports.chart import daily_png
from api.reports.schemas import ReportFormat, RowPublic, SummaryReport

LEVEL_NAMES = {
    "province": "省",
    "city": "市",
    "district": "区县",
    "street": "街道乡镇",
    "community": "社区",
    "grid": "网格",
}
PLACE_HEADERS = ("辖区代码", "辖区名称", "层级", "上级辖区")
SUMMARY_SHEET, DAILY_SHEET = "情况汇总表", "每日趋势"
DAILY_HEADERS = ("日期", "发现人次", "护送")


def filename(report: SummaryReport, extension: str) -> str:
    return f"summary-{report.jurisdiction}-{report.date_from}-{report.date_to}.{extension}"


def headers(report: SummaryReport) -> list[str]:
    return [*PLACE_HEADERS, *(f.header for s in report.sections for f in s.figures)]


def _place(row: RowPublic) -> list[str]:
    return [row.code, row.name, LEVEL_NAMES.get(row.level, row.level), row.parent or ""]


def _values(report: SummaryReport, row: RowPublic) -> Iterator[int | float | None]:
    for section in report.sections:
        for figure in section.figures:
            yield row.figures[section.key][figure.key]


def render(report: SummaryReport, format: ReportFormat) -> bytes:
    if format == ReportFormat.csv:
        return to_csv(report)
    if format == ReportFormat.xlsx:
        return to_xlsx(report)
    return report.model_dump_json(by_alias=True, indent=2).encode() + b"\n"


def to_csv(report: SummaryReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(report))
    for row in report.rows:
        writer.writerow([*_place(row), *("" if v is None else v for v in _values(report, row))])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: SummaryReport) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    _summary_sheet(book, report)
    _daily_sheet(book, report)
    book.close()
    return out.getvalue()


def _summary_sheet(book: xlsxwriter.Workbook, report: SummaryReport) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    title = book.add_format({"bold": True, "font_size": 14})
    band = book.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#DDEBF7"})
    head = book.add_format(
        {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1}
    )
    number = book.add_format({"border": 1})
    decimal = book.add_format({"border": 1, "num_format": "0.0#"})
    all_headers = headers(report)
    local_as_of = report.as_of.astimezone(ZoneInfo(report.timezone))
    sheet.write(0, 0, f"{report.name}（{report.jurisdiction}）情况汇总表", title)
    sheet.write(
        1,
        0,
        f"统计期间：{report.date_from} 至 {report.date_to}（{report.timezone}），"
        f"数据截至 {local_as_of:%Y-%m-%d %H:%M}；上级辖区的数字包含其下所有辖区",
    )
    sheet.merge_range(3, 0, 3, len(PLACE_HEADERS) - 1, "辖区", band)
    column = len(PLACE_HEADERS)
    for section in report.sections:
        last = column + len(section.figures) - 1
        if last > column:
            sheet.merge_range(3, column, 3, last, section.title, band)
        else:
            sheet.write(3, column, section.title, band)
        column = last + 1
    sheet.write_row(4, 0, all_headers, head)
    sheet.set_row(4, 48)
    indented = {
        depth: book.add_format({"border": 1, "indent": depth}) for depth in {r.depth for r in report.rows}
    }
    for offset, row in enumerate(report.rows):
        line = 5 + offset
        sheet.write_row(line, 0, _place(row), number)
        sheet.write(line, 1, row.name, indented[row.depth])
        for col, value in enumerate(_values(report, row), start=len(PLACE_HEADERS)):
            if value is None:
                sheet.write_blank(line, col, None, number)
            else:
                sheet.write_number(line, col, value, decimal if isinstance(value, float) else number)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, len(all_headers) - 1, 10)
    sheet.freeze_panes(5, 2)


def _daily_sheet(book: xlsxwriter.Workbook, report: SummaryReport) -> None:
    sheet = book.add_worksheet(DAILY_SHEET)
    head = book.add_format({"bold": True, "border": 1})
    sheet.write_row(0, 0, DAILY_HEADERS, head)
    for line, day in enumerate(report.daily, start=1):
        sheet.write_row(line, 0, [day.date.isoformat(), day.encounters, day.escorts])
    sheet.set_column(0, 0, 12)
    sheet.insert_image(1, len(DAILY_HEADERS) + 1, "daily.png", {"image_data": io.BytesIO(daily_png(report))})
