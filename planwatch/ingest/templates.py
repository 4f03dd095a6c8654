"""The templates statisticians fill in (long and wide, CSV and XLSX) and a filled example.

`planwatch templates DIR` writes them; the copies in the repository's templates/ folder were written by it.
Header cells are bilingual ("指标 indicator"); the loader accepts either language (rules.HEADER_ALIASES).
"""

from __future__ import annotations

import csv
from pathlib import Path

LONG_HEADER = ["指标 indicator", "地区 region", "年份 year", "数值 value", "单位 unit", "状态 status", "来源 source",
               "备注 note"]
WIDE_YEARS = [2021, 2022, 2023, 2024, 2025]
WIDE_HEADER = ["指标 indicator", "地区 region", "单位 unit", "状态 status", *WIDE_YEARS, "来源 source", "备注 note"]

INSTRUCTIONS = [
    ("填写说明", "Instructions"),
    ("每行一个数值（长表），或每行一个指标、每列一个年份（宽表）。",
     "One value per row (long layout), or one indicator per row and one year per column (wide layout)."),
    ("指标：填写指标代码（如 URBAN_NEW_JOBS）或规划中印刷的中文名称（如 城镇新增就业人数）。",
     "Indicator: the code (e.g. URBAN_NEW_JOBS) or the Chinese name as printed in the plan."),
    ("地区：江门市或 7 个县（市、区）的名称或行政区划代码（如 蓬江区 或 440703）。",
     "Region: Jiangmen or one of its 7 counties, by name or GB/T 2260 code (e.g. 蓬江区 or 440703)."),
    ("年份：2016 至 2030 年，如 2021 或 2021年；多年合计写 2016-2020。",
     "Year: 2016 to 2030, as 2021 or 2021年; a multi-year total as 2016-2020."),
    ("数值：只填数字，可带单位（如 23.76万人、2.36%），千位分隔符 1,234 可用；不要填公式。",
     "Value: a number, optionally with its unit (23.76万人, 2.36%); 1,234 is fine; no formulas."),
    ("单位：可留空，表示使用指标登记的单位；人 与 万人、人次 与 万人次 会自动换算；其他单位会被拒绝。",
     "Unit: may be empty (the indicator's registered unit); 人/万人 and 人次/万人次 convert; other units are rejected."),
    ("累计类指标（如 城镇新增就业人数）填写当年新增数，不填累计数；系统自动累计。",
     "Cumulative indicators (e.g. new urban jobs): give the year's own figure, not the running total."),
    ("状态：初步 / 最终 / 修订 / 合成（preliminary / final / revised / synthetic），留空视为 最终。",
     "Status: preliminary / final / revised / synthetic; empty means final."),
    ("修订：重新提交含新数值的文件即可，旧数值作为历史版本保留。",
     "Revisions: send a file with the new value; the old value is kept as an earlier vintage."),
    ("无法加载的行会被隔离，并注明文件、工作表、行、列和原因；同一文件重复提交不会重复加载。",
     "Rows that cannot be loaded are quarantined with file, sheet, row, column and reason; "
     "sending the same file again adds nothing."),
]

# a filled example: values for 2026 (outside the bundled demo series), typed the ways people type them,
# marked as synthetic (示例数据) so loading it can never pass for a real statistic
EXAMPLE_LONG = [
    ["城镇新增就业人数", "江门市", "2026", "4.35万人", "", "合成", "填写示例 example", "示例数据"],
    ["URBAN_NEW_JOBS", "440703", "2026", "8,912", "人", "synthetic", "填写示例 example", "示例数据"],
    ["城镇登记失业率", "蓬江区", "2026年", "２．４１％", "", "合成", "填写示例 example", "示例数据"],
    ["社会保障卡持卡人数", "江门市", "2026", "472.5", "万人", "synthetic", "填写示例 example", "示例数据"],
]
EXAMPLE_WIDE = [
    ["基本养老保险参保率", "江门市", "%", "synthetic", 95.4, "填写示例 example", "示例数据"],
    ["失业保险参保人数", "江门市", "万人", "synthetic", 96.3, "填写示例 example", "示例数据"],
]


def _write_csv(path: Path, header: list, rows: list[list] = ()) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Chinese correctly
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def _instructions_sheet(workbook) -> None:
    ws = workbook.create_sheet("说明 Instructions")
    for zh, en in INSTRUCTIONS:
        ws.append([zh])
        ws.append([en])
        ws.append([])
    ws.column_dimensions["A"].width = 110


def _write_xlsx(path: Path, sheets: list[tuple[str, list, list[list]]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        ws = workbook.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
        for column in "ABCDEFGHIJK":
            ws.column_dimensions[column].width = 18
    _instructions_sheet(workbook)
    workbook.save(path)


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wide_example_header = ["指标 indicator", "地区 region", "单位 unit", "状态 status", 2026, "来源 source", "备注 note"]
    paths = {
        "long_csv": folder / "planwatch_long_template.csv",
        "wide_csv": folder / "planwatch_wide_template.csv",
        "long_xlsx": folder / "planwatch_long_template.xlsx",
        "wide_xlsx": folder / "planwatch_wide_template.xlsx",
        "example": folder / "planwatch_example_filled.xlsx",
    }
    _write_csv(paths["long_csv"], LONG_HEADER)
    _write_csv(paths["wide_csv"], WIDE_HEADER)
    _write_xlsx(paths["long_xlsx"], [("数据 data", LONG_HEADER, [])])
    _write_xlsx(paths["wide_xlsx"], [("数据 data", WIDE_HEADER, [])])
    _write_xlsx(paths["example"], [("长表 long", LONG_HEADER, EXAMPLE_LONG),
                                   ("宽表 wide", wide_example_header, EXAMPLE_WIDE)])
    return list(paths.values())


def plan_for_year(seeds: Path, year: int) -> dict:
    """The plan whose period holds `year`; past every period, the latest plan (its monitoring continues until the
    next plan's pack arrives)."""
    from planwatch.plan_pack import seed_rows

    plans = sorted(seed_rows(seeds, "plan_periods"), key=lambda p: int(p["start_year"]))
    for plan in plans:
        if int(plan["start_year"]) <= year <= int(plan["end_year"]):
            return plan
    return plans[-1]


def write_prefilled_template(seeds: Path, region_code: str, year: int, path: Path) -> Path:
    """An XLSX long-layout template for one region and year: one row per indicator of the plan that covers the year,
    in the plan table's order, with the region, the year and the registered unit filled in and the value left
    empty; drop-down lists (Excel data validation) for the indicator, the unit and the status, so what is typed
    is what the loader recognises. The loader reads it like any other long file; an empty value is quarantined
    as `missing_value`, so a row left empty is reported, never loaded as zero."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from planwatch.ingest.rules import UNITS
    from planwatch.plan_pack import indicator_registry, seed_rows

    regions = {r["region_code"]: r for r in seed_rows(seeds, "regions")}
    if region_code not in regions:
        raise KeyError(region_code)
    plan = plan_for_year(seeds, year)
    indicators = indicator_registry(seeds)
    rows = sorted((r for r in seed_rows(seeds, "plan_table_rows") if r["plan_code"] == plan["plan_code"]),
                  key=lambda r: (r["source_table"], int(r["row_no"])))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "数据 data"
    sheet.append(LONG_HEADER)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        indicator = indicators[row["indicator_code"]]
        sheet.append([indicator["name_zh"], regions[region_code]["name_zh"], year, None, indicator["unit"], "初步",
                      None, None])
    last = sheet.max_row
    lists = workbook.create_sheet("选项 lists")
    names = sorted({indicators[r["indicator_code"]]["name_zh"] for r in rows})
    for i, name in enumerate(names, start=1):
        lists.cell(i, 1, name)
    for i, unit in enumerate(UNITS, start=1):
        lists.cell(i, 2, unit)
    # the statuses' plain Chinese names (rules.STATUS_ALIASES), without synthetic: a statistician never sends
    # demo values
    statuses = ["初步", "最终", "修订"]
    for i, status in enumerate(statuses, start=1):
        lists.cell(i, 3, status)
    lists.sheet_state = "hidden"
    for target, letter, count, title in (("A", "A", len(names), "指标 indicator"), ("E", "B", len(UNITS), "单位 unit"),
                                         ("F", "C", len(statuses), "状态 status")):
        validation = DataValidation(type="list", formula1=f"='选项 lists'!${letter}$1:${letter}${count}",
                                    allow_blank=True, showErrorMessage=True, errorTitle=title,
                                    error="请从下拉列表中选择 / choose from the list")
        sheet.add_data_validation(validation)
        validation.add(f"{target}2:{target}{max(last, 2) + 50}")
    for letter, width in zip("ABCDEFGH", (44, 12, 8, 14, 10, 10, 24, 24)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    _instructions_sheet(workbook)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
