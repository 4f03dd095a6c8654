"""The report's tables as an Excel workbook people can use: Chinese headers, units, numbers as numbers (people as
integers, 万人 and rates with 2 decimals), a frozen header, and a 说明 sheet with 制表单位 and 数据截至."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from planwatch.reports import report_text as text
from planwatch.reports.report_data import ReportData

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def number_format(unit: str) -> str:
    return "0" if text.decimals(unit) == 0 else "0.00"


def _header(sheet, headers: list[str], widths: list[int]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    sheet.freeze_panes = "A2"


INDICATOR_HEADERS = ["类别", "指标", "单位", "属性", "基数", "目标", "目标值", "完成情况", "完成率（%）", "目标进度（%）",
                     "时间进度（%）", "评价", "Open SDG 方法", "联合国方法", "示例数据", "数据状态"]


def write_xlsx(data: ReportData, path: Path, made_by: str = "planwatch") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "指标完成情况"
    _header(sheet, INDICATOR_HEADERS, [10, 36, 8, 8, 10, 12, 10, 12, 11, 11, 11, 16, 16, 16, 9, 9])
    for row in data.rows:
        sheet.append([row.category, row.name_zh, row.unit, row.attribute, row.baseline_value, row.target_text,
                      row.final_target_value, row.measure_value, row.completion_rate,
                      None if row.progress_share is None else round(row.progress_share * 100, 2),
                      None if row.time_elapsed_share is None else round(row.time_elapsed_share * 100, 2),
                      row.category_zh, row.open_sdg_zh, row.un_sdg_zh, "是" if row.is_synthetic else "否",
                      text.STATUS["zh"].get(row.actual_status or "", "正式数" if row.actual_status else "")])
        fmt = number_format(row.unit)
        for column in ("E", "G", "H"):
            sheet[f"{column}{sheet.max_row}"].number_format = fmt
        for column in ("I", "J", "K"):
            sheet[f"{column}{sheet.max_row}"].number_format = "0.00"

    if data.counties:
        counties = book.create_sheet("县（市、区）情况")
        names = list(data.county_names)
        _header(counties, ["指标", "单位"] + [data.county_names[c] for c in names], [36, 8] + [10] * len(names))
        for row in data.rows:
            values = dict((c, v) for c, v, _ in data.counties.get(row.indicator_code, []))
            if not values:
                continue
            counties.append([row.name_zh, row.unit] + [values.get(c) for c in names])
            for j in range(len(names)):
                counties.cell(counties.max_row, 3 + j).number_format = number_format(row.unit)

    warnings = book.create_sheet("预警")
    _header(warnings, ["预警", "Early warning"], [90, 90])
    for zh, en in data.warnings:
        warnings.append([zh, en])

    notes = book.create_sheet("说明")
    released = f"{data.released_at:%Y-%m-%d %H:%M}" if data.released_at else "—"
    for line in (("报告", text.title(data, "zh")), ("制表单位", made_by),
                 ("数据截至", f"第 {data.release_no} 号发布版本（{released}）" if data.release_no else "尚无发布版本"),
                 ("地区", data.region_zh), ("年份", data.year)) + tuple(("说明", n) for n in text.data_notes(data, "zh")):
        notes.append(list(line))
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 12, 110
    for cell in notes["B"]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)
    return path
