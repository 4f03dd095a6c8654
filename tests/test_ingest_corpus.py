"""The landing loader against a corpus of bad and awkward files, each with its expected outcome.

Every case loads into a fresh DuckDB warehouse through the real loader and checks: the file-level outcome,
the counts, that every record is accounted for (read = loaded + duplicates + quarantined, and the rows stored
match), and the quarantine reasons with their row and column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import openpyxl
import pytest

from planwatch.ingest import load_files
from planwatch.ingest.encodings import display_name
from planwatch.ingest.readers import transcode_to_utf8
from planwatch.settings import get_settings

HEADER = "指标,地区,年份,数值,单位,状态,来源,备注\n"


def settings_for(tmp_path: Path):
    return get_settings(home=tmp_path / "home")


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def xlsx(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), merged: dict = None,
         formats: dict = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
        if title in hidden:
            ws.sheet_state = "hidden"
        for cell_range in (merged or {}).get(title, []):
            ws.merge_cells(cell_range)
        for cell, number_format in (formats or {}).get(title, {}).items():
            ws[cell].number_format = number_format
    workbook.save(path)
    return path


def parquet(path: Path, header: list[str], rows: list[list]) -> Path:
    """A Parquet file as a bulk export writes it: typed columns, the header as column names."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: [row[i] for row in rows] for i, name in enumerate(header)}), path)
    return path


@dataclass
class Case:
    name: str
    build: Callable[[Path], Path]
    status: str = "loaded"
    loaded: int = 0
    duplicate: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # a word the (English) file-level error must contain
    values: dict[tuple[str, str, int], float] = field(default_factory=dict)  # (indicator, region, year) → value
    quarantine_cells: list[tuple] = field(default_factory=list)  # (sheet, row, column, raw value, reason)
    notes: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # settings for this case (a low limit)
    notes_stored: dict[tuple[str, str, int], str] = field(default_factory=dict)  # key → note as stored
    hidden_rows: int = 0


LARGE_ROWS = 120_000
REGIONS = ["440703", "440704", "440705", "440781", "440783", "440784", "440785"]


def _huge(path: Path) -> Path:
    """120k records over 7 counties × 15 years: each key's value depends on the key only, so one row per key
    loads and the rest are identical duplicates."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(LARGE_ROWS):
            region, year = REGIONS[i % 7], 2016 + (i // 7) % 15
            f.write(f"URBAN_NEW_JOBS,{region},{year},{int(region) % 1000 * 10 + year % 100},人,,large,\n")
    return path


def _crlf_gbk(d: Path) -> Path:
    return write(d / "gbk_crlf.csv", (HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,初步,广东省统计局,备注：粤\n"
                        "城镇登记失业率,鹤山市,2021,2.43,%,最终,,\n").replace("\n", "\r\n"), "gbk")


# ------------------------------------------------------------------ hostile and accidental input (issue 16)
def _whole_grid_dimension(directory: Path) -> Path:
    """A small workbook whose recorded size is the whole grid: one styled, empty cell at XFD1048576."""
    from openpyxl.styles import PatternFill

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "数据"
    for row in (["指标", "地区", "年份", "数值"], ["城镇新增就业人数", "江门市", 2021, 4.6]):
        ws.append(row)
    ws["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")
    path = directory / "whole_grid.xlsx"
    workbook.save(path)
    return path


def _many_shared_strings(directory: Path) -> Path:
    """A workbook as Excel writes one, texts in a shared-strings table: 20,000 distinct notes, 2.4 MB of it."""
    import zipfile

    texts = ["指标", "地区", "年份", "数值", "备注", "城镇新增就业人数", "江门市"]
    texts += [f"说明文字 {i:06d} " + "x" * 80 for i in range(20000)]
    rows = ['<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{i}</v></c>' for i, c in enumerate("ABCDE")) + "</row>"]
    for i in range(20000):
        r = i + 2
        rows.append(f'<row r="{r}"><c r="A{r}" t="s"><v>5</v></c><c r="B{r}" t="s"><v>6</v></c>'
                    f'<c r="C{r}"><v>2021</v></c><c r="D{r}"><v>4.6</v></c><c r="E{r}" t="s"><v>{i + 7}</v></c></row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        f'</Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        f'<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="'
        f'worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'</Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
        + "".join(rows) + "</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(texts)}" '
        f'uniqueCount="{len(texts)}">' + "".join(f"<si><t>{t}</t></si>" for t in texts) + "</sst>",
    }
    path = directory / "strings.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def _hidden_draft_row(directory: Path) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "数据"
    for row in (["指标", "地区", "年份", "数值"], ["城镇新增就业人数", "江门市", 2021, 999],
                ["城镇新增就业人数", "江门市", 2021, 4.6]):
        ws.append(row)
    ws.row_dimensions[2].hidden = True
    path = directory / "hidden_row.xlsx"
    workbook.save(path)
    return path


def _gbk_name(directory: Path) -> Path:
    return write(directory / os.fsdecode("江门市2021年报表".encode("gbk") + b".csv"),
                 HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n")


BIG5_NOTE = "廣東省統計局資料，已核對"


CASES = [
    Case("utf8_long", lambda d: write(d / "utf8_long.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"
                                       "URBAN_REG_UNEMP_RATE,440700,2021,2.4,%,,,\n"),
         loaded=2, values={("URBAN_NEW_JOBS", "440700", 2021): 4.6}),
    Case("utf8_bom", lambda d: write(d / "bom.csv", "\ufeff" + HEADER + "城镇新增就业人数,蓬江区,2021,9000,人,,,\n"),
         loaded=1, values={("URBAN_NEW_JOBS", "440703", 2021): 0.9}),
    Case("gbk_crlf", _crlf_gbk, loaded=2, values={("URBAN_REG_UNEMP_RATE", "440784", 2021): 2.43}),
    Case("gb18030_wide", lambda d: write(d / "wide_gb18030.csv",
                                         "指标,地区,单位,2021年,2022年,2023年\n"
                                         "城镇新增就业人数,江门市,万人,4.6,4.1,\n"
                                         "城镇登记失业率,江门市,%,2.4,2.5,2.3\n", "gb18030"),
         loaded=5, values={("URBAN_NEW_JOBS", "440700", 2022): 4.1}),
    Case("undecodable", lambda d: write_bytes(d / "latin1.csv", HEADER.encode() + "é,à,2021,".encode("latin-1")
                                              + b"\x80\xff,,,,\n"),
         status="error", error="neither UTF-8 nor GB18030"),
    Case("empty_file", lambda d: write(d / "empty.csv", ""), status="error", error="empty"),
    Case("no_header", lambda d: write(d / "no_header.csv", "城镇新增就业人数,江门市,2021,4.6\n"),
         status="error", error="no header"),
    Case("missing_year_column", lambda d: write(d / "missing_columns.csv", "指标,地区,数值\n城镇新增就业人数,江门市,4.6\n"),
         status="error", error="no header"),
    Case("extra_columns", lambda d: write(d / "extra.csv", "指标,地区,年份,数值,负责人,电话\n"
                                          "城镇新增就业人数,江门市,2022,4.2,张三,123\n"),
         loaded=1, notes=["负责人"]),
    Case("semicolon_and_tab", lambda d: write(d / "tab.csv", "指标\t地区\t年份\t数值\n城镇新增就业人数\t江门市\t2022\t4.2\n"),
         loaded=1),
    Case("units_in_cells", lambda d: write(d / "units.csv", HEADER +
                                           "城镇新增就业人数,江门市,2021,23.76万人,,,,\n"
                                           "城镇新增就业人数,江海区,2021,\"1,234\",人,,,\n"
                                           "城镇登记失业率,江门市,2021,２．３６％,,,,\n"
                                           "城镇登记失业率,新会区,2021, 2.5 % ,,,,\n"
                                           "开展补贴性职业技能培训人次,江门市,2021,23000人次,,,,\n"),
         loaded=5, values={("URBAN_NEW_JOBS", "440700", 2021): 23.76, ("URBAN_NEW_JOBS", "440704", 2021): 0.1234,
                           ("URBAN_REG_UNEMP_RATE", "440700", 2021): 2.36, ("URBAN_REG_UNEMP_RATE", "440705", 2021): 2.5,
                           ("SUBSIDISED_TRAINING", "440700", 2021): 2.3}),
    Case("unit_problems", lambda d: write(d / "unit_problems.csv", HEADER +
                                          "城镇新增就业人数,江门市,2021,23.76万人,人,,,\n"
                                          "城镇新增就业人数,江门市,2022,4.2,千人,,,\n"
                                          "城镇新增就业人数,江门市,2023,4.2,%,,,\n"),
         quarantined={"unit_conflict": 1, "unknown_unit": 1, "unit_mismatch": 1},
         quarantine_cells=[(None, 2, "单位", "人", "unit_conflict"), (None, 4, "单位", "%", "unit_mismatch")]),
    Case("duplicates_same_value", lambda d: write(d / "dups.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"
                                                  "URBAN_NEW_JOBS,440700,2021,46000,人,,,\n"),
         loaded=1, duplicate=1),
    Case("conflicting_duplicates", lambda d: write(d / "conflict.csv", HEADER +
                                                   "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"
                                                   "城镇新增就业人数,江门市,2021,4.7,万人,,,\n"
                                                   "城镇登记失业率,江门市,2021,2.4,%,,,\n"),
         loaded=1, quarantined={"conflicting_duplicate": 2}),
    Case("unknown_indicator_and_region", lambda d: write(d / "unknown.csv", HEADER +
                                                         "新增外星人数,江门市,2021,1,人,,,\n"
                                                         "城镇新增就业人数,广州市,2021,1,万人,,,\n"
                                                         "城镇新增就业人数,广东省,2021,1,万人,,,\n"),
         quarantined={"unknown_indicator": 1, "unknown_region": 2},
         quarantine_cells=[(None, 2, "指标", "新增外星人数", "unknown_indicator"),
                           (None, 3, "地区", "广州市", "unknown_region")]),
    Case("years_out_of_range", lambda d: write(d / "years.csv", HEADER +
                                               "城镇新增就业人数,江门市,2015,1,万人,,,\n"
                                               "城镇新增就业人数,江门市,2031,1,万人,,,\n"
                                               "城镇新增就业人数,江门市,二〇二一,1,万人,,,\n"
                                               "城镇新增就业人数,江门市,2016-2020,23.76,万人,,,\n"),
         loaded=1, quarantined={"year_out_of_range": 2, "bad_year": 1},
         quarantine_cells=[(None, 4, "年份", "二〇二一", "bad_year")]),
    # well-formed but impossible values load, and the quality gate blocks publication (tests/test_quality_gate.py)
    Case("negative_counts", lambda d: write(d / "negative.csv", HEADER + "失业保险参保人数,江门市,2021,-94.5,万人,,,\n"),
         loaded=1, values={("UNEMP_INS_PARTICIPANTS", "440700", 2021): -94.5}),
    Case("rates_over_100", lambda d: write(d / "rates.csv", HEADER + "基本养老保险参保率,江门市,2021,101.5,%,,,\n"
                                           "基本养老保险参保率,蓬江区,2021,91.5,%,,,\n"),
         loaded=2, values={("PENSION_INS_RATE", "440700", 2021): 101.5}),
    Case("text_in_numbers", lambda d: write(d / "text.csv", HEADER +
                                            "城镇新增就业人数,江门市,2021,不详,,,,\n"
                                            "城镇新增就业人数,江门市,2022,—,,,,\n"
                                            "城镇新增就业人数,江门市,2023,\"2,36\",,,,\n"
                                            "城镇新增就业人数,江门市,2024,,,,,\n"),
         quarantined={"not_a_number": 2, "bad_thousands_separator": 1, "missing_value": 1}),
    Case("status_words", lambda d: write(d / "status.csv", HEADER +
                                         "城镇新增就业人数,江门市,2021,4.6,万人,初步,,\n"
                                         "城镇新增就业人数,江门市,2022,4.2,万人,修订,,\n"
                                         "城镇新增就业人数,江门市,2023,4.2,万人,估计,,\n"),
         loaded=2, quarantined={"unknown_status": 1}),
    Case("blank_rows_keep_row_numbers", lambda d: write(d / "blank.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"
                                                        "\n\n,,,,,,,\n城镇新增就业人数,火星,2021,4.6,万人,,,\n"),
         loaded=1, quarantined={"unknown_region": 1}, quarantine_cells=[(None, 6, "地区", "火星", "unknown_region")]),
    Case("path_traversal_name", lambda d: write(d / "..%2F..%2Fetc%2Fpasswd..\\..\\evil.csv",
                                                HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"),
         loaded=1),
    Case("formula_cells", lambda d: xlsx(d / "formulas.xlsx", {"数据": [
        ["指标", "地区", "年份", "数值"], ["城镇新增就业人数", "蓬江区", 2021, 0.9], ["城镇新增就业人数", "江海区", 2021, 0.3],
        ["城镇新增就业人数", "江门市", 2021, "=SUM(D2:D3)"]]}),
         loaded=2, quarantined={"formula_cell": 1}, quarantine_cells=[("数据", 4, "数值", "=SUM(D2:D3)", "formula_cell")]),
    Case("percent_formatted_cells", lambda d: xlsx(d / "percent.xlsx", {"数据": [
        ["指标", "地区", "年份", "数值"], ["城镇登记失业率", "江门市", 2021, 0.0236]]}, formats={"数据": {"D2": "0.00%"}}),
         loaded=1, values={("URBAN_REG_UNEMP_RATE", "440700", 2021): 2.36}),
    Case("wide_sheets_named_by_region", lambda d: xlsx(d / "wide_regions.xlsx", {
        "蓬江区": [["指标", "单位", 2021, 2022], ["城镇新增就业人数", "人", 9000, 9100]],
        "江海区": [["指标", "单位", 2021, 2022], ["城镇新增就业人数", "人", 3000, None]]}),
         loaded=3, values={("URBAN_NEW_JOBS", "440704", 2021): 0.3}),
    Case("merged_header_cells", lambda d: xlsx(d / "merged.xlsx", {"公报": [
        ["2022年江门市人社统计公报", None, None, None, None],
        ["指标", "地区", "年份", None, None],
        [None, None, 2021, 2022, 2023],
        ["城镇新增就业人数（万人）", "江门市", 4.6, 4.2, 4.0]]},
        merged={"公报": ["A1:E1", "C2:E2", "A2:A3", "B2:B3"]}),
         loaded=3, values={("URBAN_NEW_JOBS", "440700", 2022): 4.2}),
    Case("unit_in_indicator_name", lambda d: write(d / "unit_in_name.csv", "指标,地区,年份,数值\n"
                                                   "城镇新增就业人数（人）,蓬江区,2021,9000\n"
                                                   "城镇新增就业人数(万人),江海区,2021,0.3\n"),
         loaded=2, values={("URBAN_NEW_JOBS", "440703", 2021): 0.9, ("URBAN_NEW_JOBS", "440704", 2021): 0.3}),
    Case("merged_header_cells_clean_names", lambda d: xlsx(d / "merged_clean.xlsx", {"公报": [
        ["2022年江门市人社统计公报", None, None, None, None],
        ["指标", "地区", "年份", None, None],
        [None, None, 2021, 2022, 2023],
        ["城镇新增就业人数", "江门市", 4.6, 4.2, 4.0]]},
        merged={"公报": ["A1:E1", "C2:E2", "A2:A3", "B2:B3"]}),
         loaded=3, values={("URBAN_NEW_JOBS", "440700", 2023): 4.0}),
    Case("empty_and_hidden_sheets", lambda d: xlsx(d / "sheets.xlsx", {
        "空白": [], "草稿": [["指标", "地区", "年份", "数值"], ["城镇新增就业人数", "江门市", 2021, 999]],
        "数据": [["指标", "地区", "年份", "数值"], ["城镇新增就业人数", "江门市", 2021, 4.6]]}, hidden=("草稿",)),
         loaded=1, values={("URBAN_NEW_JOBS", "440700", 2021): 4.6}, notes=["hidden", "empty"]),
    Case("only_empty_sheet", lambda d: xlsx(d / "only_empty.xlsx", {"Sheet1": []}), status="error", error="no data"),
    # Parquet (the national bulk format): column names are the header (row 0), the n-th record is row n
    Case("parquet_with_a_bad_row", lambda d: parquet(d / "national.parquet", ["指标 indicator", "地区 region",
                                                                              "年份 year", "数值 value", "单位 unit"], [
        ["城镇新增就业人数", "江门市", 2021, 4.6, "万人"], ["城镇新增就业人数", "火星市", 2022, 4.2, "万人"],
        ["城镇登记失业率", "440703", 2021, 2.4, "%"], ["城镇登记失业率", "江门市", 2021, None, "%"]]),
         loaded=2, quarantined={"unknown_region": 1, "missing_value": 1},
         values={("URBAN_NEW_JOBS", "440700", 2021): 4.6, ("URBAN_REG_UNEMP_RATE", "440703", 2021): 2.4},
         quarantine_cells=[(None, 2, "地区 region", "火星市", "unknown_region")]),
    Case("wide_row_without_values", lambda d: write(d / "wide_empty_row.csv", "指标,地区,2021,2022\n"
                                                    "城镇新增就业人数,江门市,,\n城镇登记失业率,江门市,2.4,\n"),
         loaded=1, quarantined={"missing_value": 1}),
    # --- bounded work: a limit names itself, nothing loads, and the recorded grid size is not the work
    Case("xlsx_recording_the_whole_grid", _whole_grid_dimension, loaded=1,
         values={("URBAN_NEW_JOBS", "440700", 2021): 4.6}),
    Case("shared_strings_over_the_limit", _many_shared_strings, status="error", error="PLANWATCH_MAX_SHARED_STRINGS_MB",
         env={"PLANWATCH_MAX_SHARED_STRINGS_MB": "1"}),
    Case("shared_strings_within_the_limits", _many_shared_strings, loaded=1, duplicate=19999,
         values={("URBAN_NEW_JOBS", "440700", 2021): 4.6}),
    Case("workbook_unpacking_over_the_limit", _many_shared_strings, status="error", error="PLANWATCH_MAX_UNPACKED_MB",
         env={"PLANWATCH_MAX_UNPACKED_MB": "1"}),
    Case("too_many_sheets", lambda d: xlsx(d / "sheets3.xlsx", {f"表{i}": [["指标", "地区", "年份", "数值"]] for i in range(3)}),
         status="error", error="PLANWATCH_MAX_SHEETS", env={"PLANWATCH_MAX_SHEETS": "2"}),
    Case("too_many_cells", lambda d: write(d / "cells.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"),
         loaded=1, env={"PLANWATCH_MAX_CELLS": "5"}),  # a CSV is bounded by its size and line length
    Case("xlsx_too_many_cells", lambda d: xlsx(d / "cells.xlsx", {"数据": [["指标", "地区", "年份", "数值"],
                                                                         ["城镇新增就业人数", "江门市", 2021, 4.6]]}),
         status="error", error="PLANWATCH_MAX_CELLS", env={"PLANWATCH_MAX_CELLS": "5"}),
    Case("file_over_the_size_limit", lambda d: write(d / "big.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n" * 30000),
         status="error", error="PLANWATCH_MAX_FILE_MB", env={"PLANWATCH_MAX_FILE_MB": "1"}),
    Case("line_over_the_limit", lambda d: write(d / "long_line.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,," + "长" * 2000 + "\n"),
         status="error", error="PLANWATCH_MAX_LINE_KB", env={"PLANWATCH_MAX_LINE_KB": "1"}),
    Case("too_many_columns", lambda d: write(d / "wide200.csv", HEADER.strip() + "," * 200 + "\n"
                                             "城镇新增就业人数,江门市,2021,4.6,万人,,," + ",x" * 200 + "\n"),
         status="error", error="PLANWATCH_MAX_COLUMNS"),
    # --- files as they arrive
    Case("gbk_file_name", _gbk_name, loaded=1),
    Case("newline_in_file_name", lambda d: write(d / "a\nforged ✓ line.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n"),
         loaded=1),
    Case("big5_file", lambda d: write(d / "big5.csv", "indicator,region,year,value,unit,status,source,note\n"
                                      f"URBAN_REG_UNEMP_RATE,440700,2021,2.4,%,,,{BIG5_NOTE}\n", "big5"),
         loaded=1, notes_stored={("URBAN_REG_UNEMP_RATE", "440700", 2021): BIG5_NOTE}),
    Case("gbk_or_big5_cannot_be_told", lambda d: write_bytes(d / "short.csv", b"indicator,region,year,value,note\n"
                                                             b"URBAN_NEW_JOBS,440700,2021,4.6,\xb1\xa8\xb1\xed\n"),
         status="error", error="GB18030/GBK or Big5"),
    Case("blank_line_inside_a_quoted_cell", lambda d: write(d / "multiline.csv", HEADER +
                                                            '城镇新增就业人数,江门市,2021,4.6,万人,,,"第一行\n\n第三行 ""引号"""\n'
                                                            "\n城镇新增就业人数,火星,2021,4.6,万人,,,\n"),
         loaded=1, quarantined={"unknown_region": 1}, quarantine_cells=[(None, 4, "地区", "火星", "unknown_region")],
         notes_stored={("URBAN_NEW_JOBS", "440700", 2021): '第一行\n\n第三行 "引号"'}),
    # --- the reader declares as many columns as the first 100 records hold; a wider record later is read again
    # at the limit's width (and a record over the limit still names it)
    Case("a_wider_row_after_the_sample", lambda d: write(d / "wider_later.csv", HEADER
                                                         + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n" * 150
                                                         + "城镇新增就业人数,江门市,2022,4.2,万人,,,备注,多,出,的,列\n"),
         loaded=2, duplicate=149, values={("URBAN_NEW_JOBS", "440700", 2022): 4.2}),
    Case("a_row_over_the_column_limit_after_the_sample", lambda d: write(d / "too_wide_later.csv", HEADER
                                                                         + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n" * 150
                                                                         + "城镇新增就业人数,江门市,2022,4.2,万人,,,备注,多,出,的,列\n"),
         status="error", error="PLANWATCH_MAX_COLUMNS", env={"PLANWATCH_MAX_COLUMNS": "10"}),
    # a UTF-8 file with Windows line ends is rewritten (the rest are read as they are): the note keeps no \r
    Case("utf8_crlf", lambda d: write(d / "crlf.csv", (HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,备注\n")
                                      .replace("\n", "\r\n")),
         loaded=1, notes_stored={("URBAN_NEW_JOBS", "440700", 2021): "备注"}),
    Case("nul_in_a_note", lambda d: write(d / "nul.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,坏\x00备注\n"
                                          "城镇新增就业人数,江门市,2022,4.2,万人,,,\\N\n"),
         loaded=1, quarantined={"control_character": 1}, notes_stored={("URBAN_NEW_JOBS", "440700", 2022): "\\N"}),
    # --- every record counted
    Case("wide_years_with_annotations", lambda d: write(d / "annotated.csv", "指标,地区,2022年,2023年（预计）,2024*,2024年1-6月\n"
                                                        "城镇新增就业人数,江门市,4.1,4.3,4.4,2.0\n"),
         loaded=3, quarantined={"bad_year": 1}, values={("URBAN_NEW_JOBS", "440700", 2023): 4.3},
         quarantine_cells=[(None, 2, "2024年1-6月", "2024年1-6月", "bad_year")], notes=["2023年（预计）", "2024年1-6月"]),
    Case("hidden_draft_row", _hidden_draft_row, loaded=1, values={("URBAN_NEW_JOBS", "440700", 2021): 4.6},
         hidden_rows=1, notes=["hidden row(s) 2"]),
    # --- no silent change: a rate has no five-year total
    Case("rate_for_a_multi_year_period", lambda d: write(d / "rate_period.csv", HEADER + "城镇登记失业率,江门市,2021-2025,2.4,%,,,\n"),
         quarantined={"rate_over_period": 1}),
]


def test_corpus_has_at_least_25_files():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(tmp_path, monkeypatch, case):
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    path = case.build(tmp_path)
    settings = settings_for(tmp_path)
    summary = load_files(settings, [path])
    (result,) = summary.files
    assert result.status == case.status, (result.error_en, summary.render())
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        if case.status == "error":
            assert case.error in result.error_en and display_name(path.name) in result.error_en
            assert con.execute("select count(*) from raw.observation").fetchone()[0] == 0
            assert con.execute("select count(*) from raw.load_file").fetchone()[0] == 0
            return
        assert (result.rows_loaded, result.rows_duplicate, dict(result.quarantined_by_reason)) == (
            case.loaded, case.duplicate, case.quarantined), summary.render()
        # every record accounted for, and the rows stored match the counts
        assert result.rows_read == result.rows_loaded + result.rows_duplicate + result.rows_quarantined
        stored = con.execute("select count(*) from raw.observation where load_id = ?", [result.load_id]).fetchone()[0]
        held = con.execute("select count(*) from raw.quarantine where load_id = ?", [result.load_id]).fetchone()[0]
        assert (stored, held) == (result.rows_loaded, result.rows_quarantined)
        assert con.execute("select file_name from raw.load_file").fetchone()[0] == display_name(path.name)
        assert result.hidden_rows == case.hidden_rows
        for (indicator, region, year), note in case.notes_stored.items():
            assert con.execute("select note from raw.observation where indicator_code = ? and region_code = ? "
                               "and year = ?", [indicator, region, year]).fetchone()[0] == note
        for (indicator, region, year), expected in case.values.items():
            value = con.execute("select value from raw.observation where indicator_code = ? and region_code = ? "
                                "and year = ?", [indicator, region, year]).fetchone()[0]
            assert float(value) == pytest.approx(expected)
        for sheet, row, column, raw, reason in case.quarantine_cells:
            assert con.execute(
                "select count(*) from raw.quarantine where sheet is not distinct from ? and source_row = ? "
                "and column_name = ? and raw_value = ? and reason_code = ? and reason_zh <> '' and reason_en <> ''",
                [sheet, row, column, raw, reason]).fetchone()[0] == 1, con.execute(
                "select sheet, source_row, column_name, raw_value, reason_code from raw.quarantine").fetchall()
    rendered = "\n".join(result.notes)
    for note in case.notes:
        assert note in rendered


def test_very_large_file(tmp_path):
    path = _huge(tmp_path / "large.csv")
    settings = settings_for(tmp_path)
    (result,) = load_files(settings, [path]).files
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate, result.rows_quarantined) == (
        LARGE_ROWS, 7 * 15, LARGE_ROWS - 7 * 15, 0)


def test_same_file_again_adds_nothing(tmp_path):
    path = write(tmp_path / "a.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n")
    settings = settings_for(tmp_path)
    first = load_files(settings, [path]).files[0]
    second = load_files(settings, [path]).files[0]
    assert (first.status, first.rows_loaded) == ("loaded", 1)
    assert second.status == "already_loaded"
    assert "already loaded" in load_files(settings, [path]).render()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.observation").fetchone()[0] == 1
        assert con.execute("select count(*) from raw.load_file").fetchone()[0] == 1


def test_revision_creates_a_vintage_and_keeps_history(tmp_path):
    settings = settings_for(tmp_path)
    first = write(tmp_path / "2021_preliminary.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,初步,,\n"
                                                      "城镇登记失业率,江门市,2021,2.4,%,初步,,\n")
    second = write(tmp_path / "2021_final.csv", HEADER + "城镇新增就业人数,江门市,2021,4.65,万人,最终,,\n"
                                                 "城镇登记失业率,江门市,2021,2.4,%,初步,,\n")
    load_files(settings, [first])
    result = load_files(settings, [second]).files[0]
    assert (result.rows_loaded, result.rows_duplicate) == (1, 1)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        history = con.execute("select vintage, value, status, file_name from raw.observation "
                              "where indicator_code = 'URBAN_NEW_JOBS' order by vintage").fetchall()
    assert [(v, float(x), s, f) for v, x, s, f in history] == [
        (1, 4.6, "preliminary", "2021_preliminary.csv"), (2, 4.65, "final", "2021_final.csv")]


def test_crash_before_commit_leaves_the_warehouse_as_it_was(tmp_path):
    from conftest import planwatch_cli

    home = tmp_path / "home"
    good = write(tmp_path / "good.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n")
    planwatch_cli("load", str(good), home=home)
    crash = write(tmp_path / "crash.csv", HEADER + "城镇新增就业人数,江门市,2022,4.2,万人,,,\n火星,江门市,2022,1,,,,\n")
    died = planwatch_cli("load", str(crash), home=home, check=False, env_extra={"PLANWATCH_CRASH_AT": "load.before_commit"})
    assert died.returncode == -9
    warehouse = home / "warehouse" / "planwatch.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.observation").fetchone()[0] == 1
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
        assert con.execute("select list(file_name) from raw.load_file").fetchone()[0] == ["good.csv"]
    again = planwatch_cli("load", str(crash), home=home, check=False)
    assert again.returncode == 1  # a quarantined row goes back to its sender: noticed
    assert "crash.csv: read 2, loaded 1, duplicates skipped 0, quarantined 1" in again.stdout


@pytest.mark.parametrize("content, rewritten", [
    (HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n", False),
    (HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n\n", True),  # a blank line keeps its row number
    (HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n\u3000\n", True),
    (HEADER + " 城镇新增就业人数,江门市,2021,4.6,万人,,,\n", True),  # may be blank: rewritten to be sure
    (HEADER.replace("\n", "\r\n"), True),
    ("\n" + HEADER, True),
], ids=["clean", "blank_line", "ideographic_space_line", "leading_space", "crlf", "blank_first_line"])
def test_a_utf8_file_is_rewritten_only_when_the_rewrite_changes_it(tmp_path, content, rewritten):
    """The loader's copy of a UTF-8 file is read by DuckDB as it is unless a blank line or a carriage return
    may need rewriting (the corpus cases above prove what each reads)."""
    source = write(tmp_path / "in.csv", content)
    out, delimiter = transcode_to_utf8(source, "in.csv", "utf-8", tmp_path, 1 << 20)
    assert (out != source) == rewritten and delimiter == ","
