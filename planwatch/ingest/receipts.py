"""What goes back to the statistician who sent a file (回执): the load summary and, when anything was quarantined
or the submission returned, the error list (错误清单) as a workbook — every row with its sheet, row, column,
value and reason in Chinese and English — under $PLANWATCH_HOME/receipts/<load>/."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from planwatch.ingest.results import FileResult, LoadSummary
from planwatch.settings import Settings

HEADERS = ("文件 File", "工作表 Sheet", "行 Row", "列 Column", "值 Value", "处理 Action", "原因", "Reason")
# the rows a file's sender gets back: quarantined records and the findings that returned the submission
ROWS_SQL = """
select file_name, sheet, source_row, column_name, raw_value, '隔离 quarantined' as action, reason_zh, reason_en
from raw.quarantine where load_id = $load_id
union all
select f.file_name, s.sheet, s.source_row, s.column_name, s.raw_value, '退回 returned', s.reason_zh, s.reason_en
from raw.submission_finding as s join raw.load_file as f using (load_id) where load_id = $load_id
union all
select o.file_name, o.sheet, o.source_row, o.source_column, o.value_as_given, '查询 queried', q.detail_zh,
       q.detail_en || ' (query ' || left(q.query_id, 8) || ')'
from raw.review_query as q
join raw.observation as o using (load_id, indicator_code, region_code, period_start_year, year)
where q.load_id = $load_id
order by action desc, sheet nulls first, source_row, column_name
"""


def receipt_folder(settings: Settings, result: FileResult) -> Path:
    stem = re.sub(r"[^\w.-]+", "_", Path(result.name).stem)[:60]
    tag = result.load_id or f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-error"
    return settings.home / "receipts" / f"{tag}_{stem}"


def rows_for(con, result: FileResult) -> list[tuple]:
    if result.load_id is None:  # the file could not be read at all: its one problem is the row
        return [(result.name, None, None, None, None, "未加载 not loaded", result.error_zh, result.error_en)]
    return con.execute(ROWS_SQL, {"load_id": result.load_id}).fetchall()


def write_error_list(path: Path, rows: list[tuple], result: FileResult) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "错误清单"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(list(row))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDEFGH", (28, 14, 8, 14, 16, 16, 40, 50)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row[6:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明 Notes")
    for line in (("文件 File", result.name), ("批次 Load", result.load_id or "—"),
                 ("生成时间 Written (UTC)", f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M}"),
                 ("处理 Action", "隔离：该行未加载，请修改后重新报送；退回：整份报送未发布，请修改后重新报送全部数据；"
                                "查询：该数值暂不发布，请说明原因（planwatch answer）"),
                 ("", "quarantined: the row was not loaded — correct it and send it again; returned: none of the "
                      "submission was released — correct it and send the whole file again; queried: the value "
                      "waits for your explanation (planwatch answer)")):
        notes.append(line)
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 22, 100
    book.save(path)


def write_receipts(settings: Settings, summary: LoadSummary) -> dict[str, Path]:
    """For each file read: its summary; for each file with anything to send back, the error list (its rows,
    `rows_for`, were read by the loader while the warehouse was open). Returns the error lists written, by file
    name."""
    lists = {}
    for result in summary.files:
        if result.status == "already_loaded":
            continue
        folder = receipt_folder(settings, result)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "load_summary.txt").write_text(LoadSummary([result]).render() + "\n", encoding="utf-8")
        if result.needs_sender:
            if not result.rows_back:
                result.rows_back = rows_for(None, result)
            path = folder / "错误清单.xlsx"
            write_error_list(path, result.rows_back, result)
            lists[result.name] = path
    return lists
