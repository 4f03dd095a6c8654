"""Exports of every mart: Parquet, CSV that Excel opens with Chinese intact (csv/: machine-readable names and codes;
csv_zh/: Chinese headers, codes as words), and SDMX-CSV 2.0.

All written by DuckDB (`COPY … TO`) from the warehouse file; CSV gets a UTF-8 byte-order mark so Excel reads
it as UTF-8, and text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
prefixed with an apostrophe. SDMX-CSV 2.0 holds the latest yearly observations and the plan targets.

Incremental (issue 21): the fact marts are Parquet folders partitioned by year (`parquet/fct_…/year=2024/`, the
Hive layout Spark, DuckDB and pyarrow read as one table), the other marts one Parquet file each. Every piece —
a year's partition, a CSV, an SDMX file — has a key: the statement that writes it and a fingerprint of the rows
it is written from (their count and the sum of their row hashes, one GROUP BY in DuckDB). `manifest.json` keeps
each piece's key and files. When the previous export holds a piece of the same key, its files are hard-linked
into the fresh folder instead of written again; so a county's revision rewrites the partitions of the years it
touched, not the years before. The fresh folder still replaces the old one as a whole (publisher.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.publish.column_labels import BUILD_COLUMNS, COLUMN_ZH, VALUE_ZH
from planwatch.publish.published_copy import row_fingerprints
from planwatch.settings import Settings
from planwatch.warehouse_access import sql_literal

SDMX_COLUMNS = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE",
                "UNIT_MEASURE", "UNIT_MULT", "OBS_STATUS"]
# our unit codes (base unit of the registry) and SDMX CL_OBS_STATUS codes
SDMX_UNIT_MEASURE = {"人": "PERSONS", "人次": "PERSON_TIMES", "%": "PERCENT", "::": "RATIO"}
SDMX_OBS_STATUS = {"final": "A", "preliminary": "P", "revised": "R", "synthetic": "G"}  # G: experimental value
# a text cell starting with one of these is a formula to a spreadsheet: = + - @ tab CR
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# CSV exports are for spreadsheets, and Excel opens at most 1 048 576 rows (one of them the header)
CSV_MAX_ROWS = 1_048_575
FORMULA_CHARACTERS = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
# part of every piece's key: raise it when a file's content changes for the same rows and the same statement
EXPORT_FORMAT = 2
MANIFEST = "manifest.json"
PARQUET = "(format parquet)"
PARTITIONED_PARQUET = "(format parquet, partition_by (year))"  # the year lives in the folder name (Hive layout)
CSV = "(format csv, header true)"


@dataclass
class ExportResult:
    folder: Path
    tables: list[str]
    files: list[Path]
    written: list[str] = field(default_factory=list)  # the pieces written (a year's partition, a CSV, …)
    reused: list[str] = field(default_factory=list)  # the pieces hard-linked from the previous export


def partitioned_by_year(table: str, columns: list[str]) -> bool:
    """The facts grow by a year at a time and a revision touches a few years: those are partitioned; the
    dimensions and the reports are small and read whole."""
    return table.startswith("fct_") and "year" in columns


def partition_name(year) -> str:
    # DuckDB's own name for the folder of the null partition
    return f"year={'__HIVE_DEFAULT_PARTITION__' if year is None else year}"


def parquet_path(table: str, columns: list[str]) -> str:
    """Where a mart's Parquet is, relative to the export folder (what readers and the CSV note name)."""
    return f"parquet/{table}/" if partitioned_by_year(table, columns) else f"parquet/{table}.parquet"


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps([EXPORT_FORMAT, duckdb.__version__, *parts], default=str).encode()).hexdigest()


def _exported_columns(con, table: str) -> list[tuple[str, str]]:
    """(name, type) of the columns of a mart that its exports carry, in order: all but the build's bookkeeping
    (column_labels.BUILD_COLUMNS)."""
    return [tuple(r) for r in con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position", [table]).fetchall() if r[0] not in BUILD_COLUMNS]


def _column_list(columns: list[tuple[str, str]]) -> str:
    return ", ".join(f'"{name}"' for name, _ in columns)


class _Pieces:
    """The pieces of one export: reused from the previous export when their key is unchanged, else written."""

    def __init__(self, folder: Path, previous: Path | None):
        self.folder, self.previous = folder, previous
        self.manifest: dict[str, dict] = {}
        self.written: list[str] = []
        self.reused: list[str] = []
        old = previous / MANIFEST if previous else None
        try:
            self.old = json.loads(old.read_text(encoding="utf-8"))["pieces"] if old and old.exists() else {}
        except (ValueError, KeyError):  # a damaged manifest: everything is written again
            self.old = {}

    def reuse(self, name: str, key: str) -> bool:
        """Link the previous export's files of piece `name` when it had the same key and they are intact."""
        old = self.old.get(name)
        if not old or old["key"] != key or self.previous is None:
            return False
        sources = {rel: self.previous / rel for rel in old["files"]}
        if any(not path.is_file() or path.stat().st_size != old["files"][rel] for rel, path in sources.items()):
            return False
        for rel, source in sources.items():
            target = self.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)  # no copy: both folders name the same unchanged file
            except OSError:  # a file system without hard links
                shutil.copy2(source, target)
        self.manifest[name] = old
        self.reused.append(name)
        return True

    def record(self, name: str, key: str, rows: int, files: list[Path]) -> None:
        self.manifest[name] = {"key": key, "rows": rows,
                               "files": {str(f.relative_to(self.folder)): f.stat().st_size for f in files}}
        self.written.append(name)

    def files(self) -> list[Path]:
        return sorted(self.folder / rel for piece in self.manifest.values() for rel in piece["files"])

    def save(self) -> Path:
        path = self.folder / MANIFEST
        path.write_text(json.dumps({"format": EXPORT_FORMAT, "pieces": dict(sorted(self.manifest.items()))},
                                   ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path


def _write_parquet(con, pieces: _Pieces, table: str, columns: list[tuple[str, str]], prints: dict) -> None:
    names = [name for name, _ in columns]
    select = f'select {_column_list(columns)} from marts."{table}"'
    if not partitioned_by_year(table, names):
        name = f"parquet/{table}.parquet"
        key = _key(name, columns, select, PARQUET, prints.get(None))
        if not pieces.reuse(name, key):
            con.execute(f"copy ({select}) to {sql_literal(pieces.folder / name)} {PARQUET}")
            pieces.record(name, key, sum(n for n, _ in prints.values()), [pieces.folder / name])
        return
    folder = pieces.folder / "parquet" / table
    folder.mkdir(parents=True, exist_ok=True)  # an empty fact mart is an empty folder
    stale = {}
    for year, fingerprint in prints.items():
        name = f"parquet/{table}/{partition_name(year)}"
        key = _key(name, columns, select, PARTITIONED_PARQUET, fingerprint)
        if not pieces.reuse(name, key):
            stale[year] = (name, key, fingerprint[0])
    if not stale:
        return
    years = [y for y in stale if y is not None]
    where = " or ".join(([f"year in ({', '.join(str(int(y)) for y in years)})"] if years else [])
                        + (["year is null"] if None in stale else []))
    # one statement writes every stale year (DuckDB splits the rows by year); the reused ones are already linked
    con.execute(f"copy ({select} where {where}) to {sql_literal(folder)} {PARTITIONED_PARQUET[:-1]}, "
                "overwrite_or_ignore true)")
    for year, (name, key, rows) in stale.items():
        pieces.record(name, key, rows, sorted((pieces.folder / name).glob("*.parquet")))


def mart_tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
    ).fetchall()]


def _csv_select(table: str, columns: list[tuple[str, str]]) -> str:
    """The mart as Excel should open it: text cells that would run as formulas are neutralised, and the first
    column's header starts with U+FEFF, so DuckDB's COPY itself writes the UTF-8 BOM (Excel then reads the
    Chinese right) without a second pass over a file of gigabytes."""
    parts = []
    for position, (name, data_type) in enumerate(columns):
        quoted = f'"{name}"'
        header = f'"{BOM}{name}"' if position == 0 else quoted
        if data_type == "VARCHAR":
            # a first-character lookup, not a regex: this runs on every text cell of every mart
            parts.append(f"case when left({quoted}, 1) in ({FORMULA_CHARACTERS}) then '''' || {quoted} "
                         f"else {quoted} end as {header}")
        else:
            parts.append(f"{quoted} as {header}")
    return f"select {', '.join(parts)} from marts.\"{table}\""


def _csv_zh_select(table: str, columns: list[tuple[str, str]]) -> str:
    """The same mart for a person: Chinese headers (column_labels.COLUMN_ZH), codes as words, 是 / 否."""
    words = " ".join(f"when {sql_literal(code)} then {sql_literal(word)}" for code, word in VALUE_ZH.items())
    parts = []
    for position, (name, data_type) in enumerate(columns):
        quoted = f'"{name}"'
        label = COLUMN_ZH.get(name, name)
        header = f'"{BOM if position == 0 else ""}{label}"'
        if data_type == "BOOLEAN":
            parts.append(f"case when {quoted} then '是' when not {quoted} then '否' end as {header}")
        elif data_type == "VARCHAR":
            text = f"case {quoted} {words} else {quoted} end"
            parts.append(f"case when left({text}, 1) in ({FORMULA_CHARACTERS}) then '''' || {text} "
                         f"else {text} end as {header}")
        else:
            parts.append(f"{quoted} as {header}")
    return f"select {', '.join(parts)} from marts.\"{table}\""


# One SDMX-CSV projection over two series: latest yearly observations, and plan targets.
SDMX_SQL = """
select
    'dataflow' as STRUCTURE,
    '{structure_id}' as STRUCTURE_ID,
    'I' as ACTION,
    series.region_code as REF_AREA,
    series.indicator_code as INDICATOR,
    cast(series.year as varchar) as TIME_PERIOD,
    cast(series.value as double) as OBS_VALUE,
    units.code as UNIT_MEASURE,
    cast(round(log10(i.unit_multiplier)) as integer) as UNIT_MULT,
    series.obs_status as OBS_STATUS
from ({series}) as series
join marts.dim_indicator as i using (indicator_code)
join sdmx_units as units on units.base_unit = i.base_unit
order by INDICATOR, REF_AREA, TIME_PERIOD
"""
SDMX_SERIES = {
    "observations": ("PLANWATCH:JM_HRSS_OBSERVATIONS(1.0)", """
        select o.indicator_code, o.region_code, o.year, o.value, statuses.code as obs_status
        from marts.fct_indicator_observation as o
        join sdmx_statuses as statuses on statuses.status = o.status
        where o.is_latest and not o.is_multi_year_total"""),
    "targets": ("PLANWATCH:JM_HRSS_TARGETS(1.0)", """
        select indicator_code, region_code, year, target_value as value, 'A' as obs_status
        from marts.fct_plan_target where target_value is not null"""),
}


def write_exports(warehouse: Path, folder: Path, config: dict | None = None,
                  previous: Path | None = None) -> ExportResult:
    """Write every mart of `warehouse` under `folder`/{parquet,csv,csv_zh,sdmx} and its manifest; a piece whose key
    the export in `previous` already holds is linked from there instead of written (see the module's text)."""
    for sub in ("parquet", "csv", "csv_zh", "sdmx"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    pieces = _Pieces(folder, previous)
    skipped: list[str] = []
    table_prints: dict[str, object] = {}
    with duckdb.connect(str(warehouse), read_only=True, config=config or {}) as con:
        con.execute("set enable_progress_bar = false")  # a background step: no bar in the logs
        tables = mart_tables(con)
        for table in tables:
            columns = _exported_columns(con, table)
            names = [name for name, _ in columns]
            prints = row_fingerprints(con, f'marts."{table}"', names, partitioned_by_year(table, names))
            table_prints[table] = [columns, sorted(prints.items(), key=lambda item: (item[0] is None, item[0]))]
            _write_parquet(con, pieces, table, columns, prints)
            n_rows = sum(n for n, _ in prints.values())
            if n_rows > CSV_MAX_ROWS:  # no spreadsheet opens it: Parquet (and SDMX) serve such a mart
                skipped.append(f"{table}: {n_rows} rows > {CSV_MAX_ROWS} (Excel's limit); see "
                               f"{parquet_path(table, names)}")
                continue
            for sub, select in (("csv", _csv_select(table, columns)), ("csv_zh", _csv_zh_select(table, columns))):
                name = f"{sub}/{table}.csv"
                key = _key(name, select, CSV, table_prints[table])
                if not pieces.reuse(name, key):
                    con.execute(f"copy ({select}) to {sql_literal(folder / name)} {CSV}")
                    pieces.record(name, key, n_rows, [folder / name])
        con.execute("create temp table sdmx_units (base_unit varchar, code varchar)")
        con.executemany("insert into sdmx_units values (?, ?)", list(SDMX_UNIT_MEASURE.items()))
        con.execute("create temp table sdmx_statuses (status varchar, code varchar)")
        con.executemany("insert into sdmx_statuses values (?, ?)", list(SDMX_OBS_STATUS.items()))
        # what the SDMX files are made of: the two series' marts, the indicators and the two code lists
        sdmx_inputs = [table_prints.get(t) for t in ("fct_indicator_observation", "fct_plan_target", "dim_indicator")]
        for name, (structure_id, series) in SDMX_SERIES.items():
            piece = f"sdmx/{name}.csv"
            query = SDMX_SQL.format(structure_id=structure_id, series=series)
            key = _key(piece, query, CSV, sdmx_inputs, SDMX_UNIT_MEASURE, SDMX_OBS_STATUS)
            if not pieces.reuse(piece, key):
                # COPY returns the rows it wrote (the query is not run a second time to count them)
                rows = con.execute(f"copy ({query}) to {sql_literal(folder / piece)} {CSV}").fetchone()[0]
                pieces.record(piece, key, rows, [folder / piece])
    files = pieces.files()
    if skipped:
        note = folder / "csv" / "NOT_EXPORTED_AS_CSV.txt"
        note.write_text("超过 Excel 行数上限的表未导出为 CSV，请使用 Parquet。/ Marts beyond Excel's row limit are not "
                        "exported as CSV; use the Parquet files.\n" + "\n".join(skipped) + "\n", encoding="utf-8")
        files.append(note)
    files.append(pieces.save())
    return ExportResult(folder, tables, files, pieces.written, pieces.reused)


def export_folder(settings: Settings) -> Path:
    return settings.home / "exports"
