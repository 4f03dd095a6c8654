"""Readers turn one landing file into sheets of raw text cells; they decide nothing about meaning.

CSV: the encoding is decided by strict decoding (UTF-8, UTF-8 with BOM, else GB18030; anything else is an
error naming the file), the file is rewritten as UTF-8 in a temporary folder, and DuckDB's `read_csv` reads
it. XLSX: openpyxl streams the cells into Arrow columns. Either way, each sheet reaches DuckDB as one
relation of text columns c0…cN with the spreadsheet row number beside each row. Parquet (the bulk format of
national loads): the column names become the header row and every cell is read as text.
"""

from __future__ import annotations

import codecs
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

CHUNK = 1 << 22  # 4 MiB
MAX_COLUMNS = 128
HEADER_SCAN_ROWS = 20
LARGE_FILE_BYTES = 8 << 20  # files above 8 MiB get a progress bar


class FileProblem(Exception):
    """A whole-file problem: nothing from the file is loaded. Carries a bilingual message."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass
class Sheet:
    name: str | None  # None for CSV
    table: str | None  # DuckDB temp table: source_row (integer), c0 … cN (varchar)
    columns: list[str] = field(default_factory=list)  # c0 … cN
    skipped: str | None = None  # why the sheet is not read (hidden, empty)


@dataclass
class ReadResult:
    file_format: str
    encoding: str | None
    sheets: list[Sheet] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- CSV
def detect_encoding(path: Path) -> str:
    """utf-8-sig, utf-8 or gb18030, by decoding the whole file strictly; never a guess."""
    with open(path, "rb") as f:
        head = f.read(3)
    candidates = ["utf-8-sig"] if head == codecs.BOM_UTF8 else ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        f"文件 {path.name} 既不是 UTF-8 也不是 GB18030/GBK 编码，无法读取；请另存为 UTF-8 CSV 或 Excel 文件",
        f"file {path.name} is neither UTF-8 nor GB18030/GBK encoded; save it as UTF-8 CSV or as Excel",
    )


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


BLANK_LINE = re.compile(r"^[ \t\u3000]*\n", re.MULTILINE)


def transcode_to_utf8(path: Path, encoding: str, out_dir: Path) -> tuple[Path, str]:
    """Write a UTF-8 copy in which a blank line holds one empty field, so DuckDB keeps it and row numbers stay
    the ones a statistician sees in Excel. Returns the copy and the delimiter (sniffed from the header line).
    (A blank line inside a quoted multi-line cell would gain two quotes; statistical files do not have them.)"""
    out = out_dir / "input.csv"
    first_line = None
    pending = ""
    with open(path, encoding=encoding, errors="strict", newline=None) as src, \
            open(out, "w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(CHUNK)
            text = pending + chunk
            if chunk:  # keep the last partial line for the next round
                cut = text.rfind("\n") + 1
                text, pending = text[:cut], text[cut:]
            if first_line is None and text.strip():
                first_line = next(line for line in text.split("\n") if line.strip())
            dst.write(BLANK_LINE.sub('""\n', text))
            if not chunk:
                break
    return out, _sniff_delimiter(first_line or "")


def read_csv_file(con, path: Path, work_dir: Path) -> ReadResult:
    encoding = detect_encoding(path)
    utf8_path, delimiter = transcode_to_utf8(path, encoding, work_dir)
    columns = {f"c{i}": "VARCHAR" for i in range(MAX_COLUMNS)}
    large = path.stat().st_size > LARGE_FILE_BYTES
    if large:  # DuckDB's own progress bar while it reads a large file
        print(f"  {path.name}: {path.stat().st_size / 2**20:.0f} MiB …", file=sys.stderr, flush=True)
        con.execute("set enable_progress_bar = true; set enable_progress_bar_print = true")
    try:
        con.execute(
            """
            create or replace temp table pw_sheet_0 as
            select cast(row_number() over () as integer) as source_row, *
            from read_csv($path, header = false, auto_detect = false, columns = $columns, delim = $delim,
                          quote = '"', escape = '"', null_padding = true, parallel = false)
            """,
            {"path": str(utf8_path), "columns": columns, "delim": delimiter},
        )
    except duckdb.Error as exc:  # malformed quoting, more than MAX_COLUMNS columns…
        raise FileProblem(f"CSV 文件 {path.name} 格式错误：{exc}", f"CSV file {path.name} is malformed: {exc}") from exc
    finally:
        if large:
            con.execute("set enable_progress_bar = false")
    return ReadResult("csv", encoding, [Sheet(None, "pw_sheet_0", _used_columns(con, "pw_sheet_0"))])


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


def read_xlsx_file(con, path: Path, progress: bool = True) -> ReadResult:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise FileProblem(f"Excel 文件 {path.name} 无法打开：{exc}",
                          f"Excel file {path.name} cannot be opened: {exc}") from exc
    result = ReadResult("xlsx", None)
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                result.sheets.append(Sheet(ws.title, None, skipped="hidden"))
                continue
            columns: list[list[str | None]] = []
            rows: list[int] = []
            total = ws.max_row or 0
            for index, row in enumerate(ws.iter_rows(), start=1):
                texts = [_cell_text(cell) for cell in row]
                while texts and texts[-1] is None:
                    texts.pop()
                if not texts:
                    continue
                if len(texts) > len(columns):
                    columns.extend([[None] * len(rows) for _ in range(len(texts) - len(columns))])
                for j, column in enumerate(columns):
                    column.append(texts[j] if j < len(texts) else None)
                rows.append(index)
                if progress and total > 20000 and index % 20000 == 0:
                    _progress(f"{path.name}:{ws.title}", index, total)
            if not rows:
                result.sheets.append(Sheet(ws.title, None, skipped="empty"))
                continue
            data = {"source_row": pa.array(rows, pa.int32())}
            data.update({f"c{j}": pa.array(col, pa.string()) for j, col in enumerate(columns)})
            table = f"pw_sheet_{len(result.sheets)}"
            arrow_batch = pa.table(data)  # one Arrow batch per sheet into DuckDB: never a row-by-row insert
            con.execute(f"create or replace temp table {table} as select * from arrow_batch")
            result.sheets.append(Sheet(ws.title, table, _used_columns(con, table)))
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
def read_parquet_file(con, path: Path) -> ReadResult:
    """Parquet: the column names are the header (row 0) and the file's n-th record is row n; every cell is
    read as text, like a CSV's, so the same rules parse and check it."""
    try:
        names = [r[0] for r in con.execute("describe select * from read_parquet($path)",
                                           {"path": str(path)}).fetchall()]
    except duckdb.Error as exc:
        raise FileProblem(f"Parquet 文件 {path.name} 无法读取：{exc}",
                          f"Parquet file {path.name} cannot be read: {exc}") from exc
    if len(names) > MAX_COLUMNS:
        raise FileProblem(f"Parquet 文件 {path.name} 的列超过 {MAX_COLUMNS} 列",
                          f"Parquet file {path.name} has more than {MAX_COLUMNS} columns")
    header = ", ".join("'" + name.replace("'", "''") + f"' as c{i}" for i, name in enumerate(names))
    cells = ", ".join('cast("' + name.replace('"', '""') + f'" as varchar) as c{i}' for i, name in enumerate(names))
    con.execute(f"""
        create or replace temp table pw_sheet_0 as
        select 0 as source_row, {header}
        union all
        select cast(file_row_number + 1 as integer), {cells}
        from read_parquet($path, file_row_number = true)
    """, {"path": str(path)})
    return ReadResult("parquet", None, [Sheet(None, "pw_sheet_0", _used_columns(con, "pw_sheet_0"))])


def read_file(con, path: Path, work_dir: Path) -> ReadResult:
    if path.stat().st_size == 0:
        raise FileProblem(f"文件 {path.name} 是空文件", f"file {path.name} is empty")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_csv_file(con, path, work_dir)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_file(con, path)
    if suffix == ".parquet":
        return read_parquet_file(con, path)
    raise FileProblem(f"文件 {path.name} 不是 CSV、XLSX 或 Parquet（.xls 请另存为 .xlsx）",
                      f"file {path.name} is not CSV, XLSX or Parquet (save .xls as .xlsx)")
