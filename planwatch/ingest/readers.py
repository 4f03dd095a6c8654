"""Readers turn one landing file into sheets of raw text cells; they decide nothing about meaning.

Every reader is bounded (settings.ReadLimits: sizes, cells, sheets, columns, line length — checked before
and while parsing) and reads the loader's own copy of the file, never the landing file itself.
CSV: the encoding is decided with evidence (encodings.py: UTF-8, GB18030/GBK or Big5; an undecidable file is
an error naming the candidates), the file is rewritten as UTF-8 in a temporary folder unless it already reads as
it is, and DuckDB's `read_csv` reads it, as wide as its first records. XLSX: openpyxl's row parser streams the
cells present into Arrow columns. Either way, each sheet reaches DuckDB as one relation of text columns c0…cN
with the spreadsheet row number beside each row. Parquet (the bulk format of
national loads): the column names become the header row and every cell is read as text.
"""

from __future__ import annotations

import csv
import itertools
import math
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.ingest.encodings import EncodingUndecided, decide, file_chunks
from planwatch.messages import Problem
from planwatch.settings import ReadLimits

LARGE_FILE_BYTES = 8 << 20  # files above 8 MiB get a progress bar
HEADER_SCAN_ROWS = 20
CHUNK = 1 << 22  # 4 MiB


class FileProblem(Problem):
    """A whole-file problem: nothing from the file is loaded. Carries a bilingual message."""


def over_limit(name: str, what_zh: str, what_en: str, found: str, setting: str, limit: str) -> FileProblem:
    return FileProblem(f"文件 {name} 超出限制：{what_zh} {found}，上限 {limit}（{setting}）；未读取任何数据",
                       f"file {name} is over a limit: {what_en} {found}, the limit is {limit} ({setting}); "
                       f"nothing was read")


@dataclass
class Sheet:
    name: str | None  # None for CSV
    table: str | None  # DuckDB temp table: source_row (integer), c0 … cN (varchar)
    columns: list[str] = field(default_factory=list)  # c0 … cN
    skipped: str | None = None  # why the sheet is not read (hidden, empty)
    hidden_rows: list[int] = field(default_factory=list)  # rows hidden in Excel: drafts, not read (reported)


@dataclass
class ReadResult:
    file_format: str
    encoding: str | None
    sheets: list[Sheet] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- CSV
def detect_encoding(path: Path, name: str) -> str:
    """utf-8-sig, utf-8, gb18030 or big5, decided with evidence (encodings.py); never a guess."""
    try:
        return decide(file_chunks(path))
    except EncodingUndecided as undecided:
        if undecided.candidates:
            raise FileProblem(
                f"无法确定文件 {name} 的编码：可能是 {' 或 '.join(undecided.candidates)}；请另存为 UTF-8 CSV 或 Excel 文件",
                f"the encoding of file {name} cannot be decided: it could be {' or '.join(undecided.candidates)}; "
                f"save it as UTF-8 CSV or as Excel") from None
        raise FileProblem(
            f"文件 {name} 既不是 UTF-8 也不是 GB18030/GBK 或 Big5 编码，无法读取；请另存为 UTF-8 CSV 或 Excel 文件",
            f"file {name} is neither UTF-8 nor GB18030/GBK nor Big5 encoded; save it as UTF-8 CSV or as Excel") from None


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def transcode_to_utf8(path: Path, name: str, encoding: str, out_dir: Path, line_limit: int) -> tuple[Path, str]:
    """Write a UTF-8 copy in which a blank line holds one empty field, so DuckDB keeps it and row numbers stay
    the ones a statistician sees in Excel. A blank line inside a quoted cell is part of the cell and is kept
    byte for byte: lines are told apart by the parity of the quotes before them (an escaped quote is two).
    Returns the copy and the delimiter (sniffed from the header line). A UTF-8 file with nothing to rewrite
    is not copied again: DuckDB reads it as it is (a national file is 55 MiB; its rewrite was 0.5 s)."""
    if encoding == "utf-8" and _reads_as_it_is(path):
        with open(path, "rb") as f:
            first_line = f.read(CHUNK).split(b"\n", 1)[0].decode("utf-8", errors="ignore")
        return path, _sniff_delimiter(first_line)
    out = out_dir / "input.csv"
    first_line = None
    pending = ""
    in_quotes = False
    with open(path, encoding=encoding, errors="strict", newline=None) as src, \
            open(out, "w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK)
            text = pending + chunk
            if chunk:  # keep the last partial line for the next round
                cut = text.rfind("\n") + 1
                text, pending = text[:cut], text[cut:]
                if len(pending.encode("utf-8")) > line_limit:
                    raise over_limit(name, "一行的长度超过", "a line longer than", f"{len(pending.encode()) // 1024} KB",
                                     "PLANWATCH_MAX_LINE_KB", f"{line_limit // 1024} KB")
            if first_line is None and text.strip():
                first_line = next(line for line in text.split("\n") if line.strip())
            if not BLANK_LINE.search(text):  # the usual chunk: nothing to do but follow the quotes
                in_quotes ^= text.count('"') % 2 == 1
                dst.write(text)
            else:
                lines = text.split("\n")
                for i, line in enumerate(lines):
                    if not in_quotes and i < len(lines) - 1 and not line.strip(" \t\u3000"):
                        line = '""'
                    in_quotes ^= line.count('"') % 2 == 1
                    dst.write(line if i == len(lines) - 1 else line + "\n")
            if not chunk:
                break
    return out, _sniff_delimiter(first_line or "")


BLANK_LINE = re.compile(r"^[ \t\u3000]*\n", re.MULTILINE)
# What the rewrite would change, as bytes: a carriage return (universal newlines make it \n) and a line that is
# blank or starts with a space, a tab or U+3000 (which may be blank). Searched with `in` (memchr), not a regex.
REWRITTEN_BYTES = (b"\r", b"\n\n", b"\n ", b"\n\t", "\n\u3000".encode())


def _reads_as_it_is(path: Path) -> bool:
    """True when the rewrite would change nothing: none of REWRITTEN_BYTES, the file's start counting as a line's
    start (each chunk is searched with the previous chunk's last bytes before it)."""
    tail = b"\n"
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            data = tail + chunk
            if any(pattern in data for pattern in REWRITTEN_BYTES):
                return False
            tail = data[-3:]
    return True


def read_csv_file(con, path: Path, name: str, work_dir: Path, limits: ReadLimits) -> ReadResult:
    encoding = detect_encoding(path, name)
    line_limit = limits.line_kb * 1024
    utf8_path, delimiter = transcode_to_utf8(path, name, encoding, work_dir, line_limit)
    large = path.stat().st_size > LARGE_FILE_BYTES
    if large:  # DuckDB's own progress bar while it reads a large file
        print(f"  {name}: {path.stat().st_size / 2**20:.0f} MiB …", file=sys.stderr, flush=True)
        con.execute("set enable_progress_bar = true; set enable_progress_bar_print = true")
    # As wide as the first rows are, not as wide as the limit allows: every declared column is a column of
    # nulls in every row (at national scale, 128 columns read 4 times slower than 8). When that read fails
    # (a later row wider than the sample, or a fault), the file is read again at the limit's width, and that
    # read decides, as every read did before.
    width = _sampled_width(utf8_path, delimiter, limits.columns)
    try:
        try:
            _read_csv_into(con, utf8_path, delimiter, width, line_limit)
        except duckdb.Error:  # a wider row, or any other fault: the read at the limit's width decides
            if width == limits.columns:
                raise
            _read_csv_into(con, utf8_path, delimiter, limits.columns, line_limit)
    except duckdb.Error as exc:  # malformed quoting, more than the columns allowed…
        full = " ".join(str(exc).split())
        text = full[:400]
        if "Expected Number of Columns" in full or "too many columns" in full.lower():
            raise over_limit(name, "列数超过", "more columns than", f"{limits.columns}", "PLANWATCH_MAX_COLUMNS",
                             f"{limits.columns}") from None
        if "Maximum line size" in full:
            raise over_limit(name, "一条记录的长度超过", "a record longer than", f"{limits.line_kb} KB",
                             "PLANWATCH_MAX_LINE_KB", f"{limits.line_kb} KB") from None
        raise FileProblem(f"CSV 文件 {name} 格式错误：{text}", f"CSV file {name} is malformed: {text}") from None
    finally:
        if large:
            con.execute("set enable_progress_bar = false")
    return ReadResult("csv", encoding, [Sheet(None, "pw_sheet_0", _used_columns(con, "pw_sheet_0"))])


def _sampled_width(utf8_path: Path, delimiter: str, limit: int, rows: int = 5 * HEADER_SCAN_ROWS) -> int:
    """The most fields any of the first `rows` records holds (Python's csv module follows quotes across
    lines as DuckDB does), at least 1 and at most `limit`; the limit itself when the sample cannot be read."""
    try:
        with open(utf8_path, encoding="utf-8", newline="") as f:
            sample = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True)
            width = max((len(record) for record in itertools.islice(sample, rows)), default=1)
    except (csv.Error, UnicodeDecodeError):  # a field over csv's own size limit, say: DuckDB decides
        return limit
    return min(max(width, 1), limit)


def _read_csv_into(con, utf8_path: Path, delimiter: str, width: int, line_limit: int) -> None:
    con.execute(
        """
        create or replace temp table pw_sheet_0 as
        select cast(row_number() over () as integer) as source_row, *
        from read_csv($path, header = false, auto_detect = false, columns = $columns, delim = $delim,
                      quote = '"', escape = '"', null_padding = true, parallel = false,
                      max_line_size = $line_limit)
        """,
        {"path": str(utf8_path), "columns": {f"c{i}": "VARCHAR" for i in range(width)}, "delim": delimiter,
         "line_limit": line_limit},
    )


def _used_columns(con, table: str) -> list[str]:
    """The c-columns that hold at least one value (one pass over the table, in SQL)."""
    names = [r[0] for r in con.execute(f"describe {table}").fetchall() if r[0] != "source_row"]
    if not names:
        return []
    counts = con.execute(f"select {', '.join(f'count({n})' for n in names)} from {table}").fetchone()
    return [n for n, count in zip(names, counts) if count]


# ---------------------------------------------------------------------------------------------- XLSX
def _cell_text(cell) -> str | None:
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "f":  # a formula: the text of the formula, never a stale result
        return str(value) if str(value).startswith("=") else f"={value}"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        number_format = getattr(cell, "number_format", "") or ""
        if "%" in number_format:  # Excel keeps 2.36% as 0.0236: give it back as people typed it
            return f"{_plain_number(value * 100)}%"
        return _plain_number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _plain_number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return repr(round(value, 10)).rstrip("0").rstrip(".") if "e" not in repr(value) else format(value, "f")


def check_workbook_directory(path: Path, name: str, limits: ReadLimits) -> None:
    """Bound the work before openpyxl decompresses anything: the zip directory declares every member's
    decompressed size, and Python's zipfile never yields more than declared (a member that lies fails its
    CRC check), so the declared sizes bound what parsing can cost."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileProblem(f"Excel 文件 {name} 无法打开（不是有效的 xlsx 文件）：{exc}",
                          f"Excel file {name} cannot be opened (not a valid xlsx file): {exc}") from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.unpacked_mb << 20:
        raise over_limit(name, "解压后大小", "decompressed size", f"{unpacked >> 20} MB", "PLANWATCH_MAX_UNPACKED_MB",
                         f"{limits.unpacked_mb} MB")
    strings = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if strings > limits.shared_strings_mb << 20:
        raise over_limit(name, "共享字符串表解压后大小", "shared-strings table, decompressed,", f"{strings >> 20} MB",
                         "PLANWATCH_MAX_SHARED_STRINGS_MB", f"{limits.shared_strings_mb} MB")
    sheets = sum(1 for m in members if re.fullmatch(r"xl/worksheets/[^/]+\.xml", m.filename))
    if sheets > limits.sheets:
        raise over_limit(name, "工作表数", "worksheets:", str(sheets), "PLANWATCH_MAX_SHEETS", str(limits.sheets))


def read_xlsx_file(con, path: Path, name: str, limits: ReadLimits, progress: bool = True) -> ReadResult:
    """Each visible sheet by the cells it really has. openpyxl's read-only sheet pads every row to the
    dimension the file *records* (one blank cell at XFD1048576 makes that 17 billion cells), so its own row
    parser is used directly: it yields the rows present with their cells and the row attributes (hidden)."""
    import openpyxl
    import pyarrow as pa  # Excel only: a CSV is read by DuckDB itself, and pyarrow's import is 0.13 s of a load
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import WorkSheetParser

    check_workbook_directory(path, name, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise FileProblem(f"Excel 文件 {name} 无法打开：{exc}", f"Excel file {name} cannot be opened: {exc}") from None
    result = ReadResult("xlsx", None)
    cells_seen = 0
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                result.sheets.append(Sheet(ws.title, None, skipped="hidden"))
                continue
            columns: list[list[str | None]] = []
            rows: list[int] = []
            hidden_rows: list[int] = []
            with ws._get_source() as source:
                parser = WorkSheetParser(source, ws._shared_strings, data_only=False, epoch=workbook.epoch,
                                         date_formats=workbook._date_formats,
                                         timedelta_formats=workbook._timedelta_formats)
                for index, cells in parser.parse():
                    present = [c for c in cells if c["value"] is not None]
                    if not present:
                        continue
                    if parser.row_dimensions.get(str(index), {}).get("hidden") in ("1", "true"):
                        hidden_rows.append(index)
                        continue
                    cells_seen += len(present)
                    if cells_seen > limits.cells:
                        raise over_limit(name, "有内容的单元格超过", "cells holding something: more than",
                                         str(limits.cells), "PLANWATCH_MAX_CELLS", str(limits.cells))
                    width = max(c["column"] for c in present)
                    if width > limits.columns:
                        raise over_limit(name, f"工作表“{ws.title}”第 {index} 行的列数", f"sheet '{ws.title}' row "
                                         f"{index}: columns", str(width), "PLANWATCH_MAX_COLUMNS", str(limits.columns))
                    texts: list[str | None] = [None] * width
                    for c in present:
                        texts[c["column"] - 1] = _cell_text(ReadOnlyCell(ws, **c))
                    if len(texts) > len(columns):
                        columns.extend([[None] * len(rows) for _ in range(len(texts) - len(columns))])
                    for j, column in enumerate(columns):
                        column.append(texts[j] if j < len(texts) else None)
                    rows.append(index)
                    if progress and len(rows) % 20000 == 0:
                        _progress(f"{name}:{ws.title}", len(rows), len(rows))
            if not rows:
                result.sheets.append(Sheet(ws.title, None, skipped="empty", hidden_rows=hidden_rows))
                continue
            data = {"source_row": pa.array(rows, pa.int32())}
            data.update({f"c{j}": pa.array(col, pa.string()) for j, col in enumerate(columns)})
            table = f"pw_sheet_{len(result.sheets)}"
            arrow_batch = pa.table(data)  # one Arrow batch per sheet into DuckDB: never a row-by-row insert
            con.execute(f"create or replace temp table {table} as select * from arrow_batch")
            result.sheets.append(Sheet(ws.title, table, _used_columns(con, table), hidden_rows=hidden_rows))
    finally:
        workbook.close()
    return result


def _progress(label: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    print(f"\r  {label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr,
          flush=True)
    if done >= total:
        print(file=sys.stderr)


# ---------------------------------------------------------------------------------------------- Parquet
def read_parquet_file(con, path: Path, name: str, limits: ReadLimits) -> ReadResult:
    """Parquet: the column names are the header (row 0) and the file's n-th record is row n; every cell is
    read as text, like a CSV's, so the same rules parse and check it."""
    try:
        names = [r[0] for r in con.execute("describe select * from read_parquet($path)",
                                           {"path": str(path)}).fetchall()]
        records = con.execute("select count(*) from read_parquet($path)", {"path": str(path)}).fetchone()[0]
    except duckdb.Error as exc:
        raise FileProblem(f"Parquet 文件 {name} 无法读取：{exc}", f"Parquet file {name} cannot be read: {exc}") from None
    if len(names) > limits.columns:
        raise over_limit(name, "列数", "columns:", str(len(names)), "PLANWATCH_MAX_COLUMNS", str(limits.columns))
    if records * len(names) > limits.cells:
        raise over_limit(name, "单元格数", "cells:", str(records * len(names)), "PLANWATCH_MAX_CELLS", str(limits.cells))
    header = ", ".join("'" + column.replace("'", "''") + f"' as c{i}" for i, column in enumerate(names))
    cells = ", ".join('cast("' + column.replace('"', '""') + f'" as varchar) as c{i}' for i, column in enumerate(names))
    con.execute(f"""
        create or replace temp table pw_sheet_0 as
        select 0 as source_row, {header}
        union all
        select cast(file_row_number + 1 as integer), {cells}
        from read_parquet($path, file_row_number = true)
    """, {"path": str(path)})
    return ReadResult("parquet", None, [Sheet(None, "pw_sheet_0", _used_columns(con, "pw_sheet_0"))])


SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}


def read_file(con, path: Path, name: str, work_dir: Path, limits: ReadLimits) -> ReadResult:
    """Read `path` (the loader's own copy of the landing file) whose name, as shown to people, is `name`."""
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(f"文件 {name} 是空文件", f"file {name} is empty")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "csv":
        return read_csv_file(con, path, name, work_dir, limits)
    if kind == "xlsx":
        return read_xlsx_file(con, path, name, limits)
    if kind == "parquet":
        return read_parquet_file(con, path, name, limits)
    raise FileProblem(f"文件 {name} 不是 CSV、XLSX 或 Parquet（.xls 请另存为 .xlsx）",
                      f"file {name} is not CSV, XLSX or Parquet (save .xls as .xlsx)")
