"""Exports of every mart: Parquet, CSV that Excel opens with Chinese intact (csv/: machine-readable names and codes;
csv_zh/: Chinese headers, codes as words), and SDMX-CSV 2.0.

All written by DuckDB (`COPY … TO`) from the warehouse file; CSV gets a UTF-8 byte-order mark so Excel reads
it as UTF-8, and text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
prefixed with an apostrophe. SDMX-CSV 2.0 holds the latest yearly observations and the plan targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.publish.column_labels import COLUMN_ZH, VALUE_ZH
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


@dataclass
class ExportResult:
    folder: Path
    tables: list[str]
    files: list[Path]


def mart_tables(con) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
    ).fetchall()]


def _csv_select(con, table: str) -> str:
    """The mart as Excel should open it: text cells that would run as formulas are neutralised, and the first
    column's header starts with U+FEFF, so DuckDB's COPY itself writes the UTF-8 BOM (Excel then reads the
    Chinese right) without a second pass over a file of gigabytes."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position", [table]).fetchall()
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


def _csv_zh_select(con, table: str) -> str:
    """The same mart for a person: Chinese headers (column_labels.COLUMN_ZH), codes as words, 是 / 否."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position", [table]).fetchall()
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


def write_exports(warehouse: Path, folder: Path, config: dict | None = None) -> ExportResult:
    """Write every mart of `warehouse` under `folder`/{parquet,csv,sdmx}; returns what was written."""
    for sub in ("parquet", "csv", "csv_zh", "sdmx"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    skipped: list[str] = []
    with duckdb.connect(str(warehouse), read_only=True, config=config or {}) as con:
        con.execute("set enable_progress_bar = false")  # a background step: no bar in the logs
        tables = mart_tables(con)
        for table in tables:
            parquet = folder / "parquet" / f"{table}.parquet"
            con.execute(f"copy marts.\"{table}\" to {sql_literal(parquet)} (format parquet)")
            files.append(parquet)
            n_rows = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            if n_rows > CSV_MAX_ROWS:  # no spreadsheet opens it: Parquet (and SDMX) serve such a mart
                skipped.append(f"{table}: {n_rows} rows > {CSV_MAX_ROWS} (Excel's limit); see parquet/{table}.parquet")
                continue
            csv_path = folder / "csv" / f"{table}.csv"
            con.execute(f"copy ({_csv_select(con, table)}) to {sql_literal(csv_path)} (format csv, header true)")
            files.append(csv_path)
            csv_zh = folder / "csv_zh" / f"{table}.csv"
            con.execute(f"copy ({_csv_zh_select(con, table)}) to {sql_literal(csv_zh)} (format csv, header true)")
            files.append(csv_zh)
        con.execute("create temp table sdmx_units (base_unit varchar, code varchar)")
        con.executemany("insert into sdmx_units values (?, ?)", list(SDMX_UNIT_MEASURE.items()))
        con.execute("create temp table sdmx_statuses (status varchar, code varchar)")
        con.executemany("insert into sdmx_statuses values (?, ?)", list(SDMX_OBS_STATUS.items()))
        for name, (structure_id, series) in SDMX_SERIES.items():
            target = folder / "sdmx" / f"{name}.csv"
            query = SDMX_SQL.format(structure_id=structure_id, series=series)
            con.execute(f"copy ({query}) to {sql_literal(target)} (format csv, header true)")
            files.append(target)
    if skipped:
        note = folder / "csv" / "NOT_EXPORTED_AS_CSV.txt"
        note.write_text("超过 Excel 行数上限的表未导出为 CSV，请使用 Parquet。/ Marts beyond Excel's row limit are not "
                        "exported as CSV; use the Parquet files.\n" + "\n".join(skipped) + "\n", encoding="utf-8")
        files.append(note)
    return ExportResult(folder, tables, files)


def export_folder(settings: Settings) -> Path:
    return settings.home / "exports"
