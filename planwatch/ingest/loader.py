"""Load landing files into raw.observation / raw.quarantine, one transaction per file.

Per file: hash it (a file already loaded is skipped and said so), read it (readers.py), find each sheet's
header and layout, put every record into one temp table, apply rules.PARSE_SQL (and the duplicate rules when
a key repeats), compare with what the warehouse already holds (identical → duplicate skipped; different →
next vintage), then insert the load_file row, the observations and the quarantined rows in one
transaction. Invariant, per file:
records read = loaded + duplicates skipped + quarantined.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from planwatch.faults import checkpoint
from planwatch.ingest import rules
from planwatch.ingest.readers import HEADER_SCAN_ROWS, FileProblem, Sheet, read_file
from planwatch.ingest.receipts import write_receipts
from planwatch.ingest.results import FileResult, LoadSummary, Sender
from planwatch.ingest.schema import ensure_raw_schema
from planwatch.plan_pack import regions_in_plans
from planwatch.settings import Settings

LANDING_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".parquet"}
INPUT_COLUMNS = ("indicator_raw", "region_raw", "year_raw", "value_raw", "unit_raw", "status_raw", "source_raw",
                 "note_raw")


class LoadError(Exception):
    pass


# ---------------------------------------------------------------------------------------------- API
def landing_files(landing: Path) -> list[Path]:
    if not landing.exists():
        return []
    return sorted(p for p in landing.rglob("*") if p.is_file() and p.suffix.lower() in LANDING_SUFFIXES
                  and not p.name.startswith((".", "~$")))


@dataclass(frozen=True)
class Thresholds:
    """The year-on-year rule (settings PLANWATCH_YOY_CHANGE, PLANWATCH_YOY_RATE_POINTS)."""
    count_change: float = 0.30
    rate_points: float = 5.0


def load_files(settings: Settings, paths: list[Path] | None = None, sender: Sender = Sender()) -> LoadSummary:
    """Load the named files, or every file in the landing folder; files already loaded are skipped. Each load is
    a submission of `sender`, accepted or returned on its own rows' merits."""
    paths = [Path(p) for p in paths] if paths else landing_files(settings.landing)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        # each file still commits (and fsyncs its WAL) on its own; the database file is rewritten once at the
        # end instead of at every 16 MB of WAL, which at national scale cost more than the inserts
        con.execute("set checkpoint_threshold = '4GB'")
        ensure_raw_schema(con)
        prepare_lookups(con, settings.seeds)
        if sender.region and region_code_of(con, sender.region) is None:
            raise FileProblem(f"报送地区“{sender.region}”不是已登记的地区（江门市或其 7 个县（市、区））",
                              f"the sending region {sender.region!r} is not a registered region (Jiangmen or one "
                              f"of its 7 counties)")
        thresholds = Thresholds(settings.yoy_change, settings.yoy_rate_points)
        for path in paths:
            results.append(load_one(con, path, sender, settings.landing, thresholds))
        con.execute("checkpoint")
        summary = LoadSummary(results)
        summary.error_lists = write_receipts(settings, con, summary)
    return summary


def prepare_lookups(con, seeds: Path) -> None:
    """The indicator registry, aliases and regions from the plan pack (the same CSVs dbt seeds)."""
    params = {"indicators": str(seeds / "plan_indicators.csv"), "aliases": str(seeds / "indicator_aliases.csv"),
              "regions": str(seeds / "regions.csv"), "regions_in_plans": regions_in_plans(seeds)}
    for statement in filter(str.strip, rules.LOOKUP_SQL.split(";\n")):
        con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    con.executemany("insert into pw_unit values (?, ?, ?)", [(u, b, m) for u, (b, m) in rules.UNITS.items()])
    con.executemany("insert into pw_status values (?, ?)",
                    [(a.lower(), s) for s, aliases in rules.STATUS_ALIASES.items() for a in aliases])
    con.executemany("insert into pw_reason values (?, ?, ?, ?)",
                    [(code, role, zh, en) for code, (role, zh, en) in rules.REASONS.items()])
    con.execute("create or replace temp table pw_finding_reason (finding_code varchar, reason_zh varchar, "
                "reason_en varchar)")
    con.executemany("insert into pw_finding_reason values (?, ?, ?)",
                    [(code, zh, en) for code, (zh, en) in rules.FINDINGS.items()])
    # the submissions whose latest status is `returned`: their rows are kept, never released
    con.execute("""
        create or replace temp view pw_returned_load as
        select load_id from raw.submission_event
        qualify row_number() over (partition by load_id order by happened_at desc) = 1 and status = 'returned'
    """)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def load_one(con, path: Path, sender: Sender = Sender(), landing: Path | None = None,
             thresholds: Thresholds = Thresholds()) -> FileResult:
    path = Path(path)
    if not path.is_file():
        return FileResult(path, "error", error_zh=f"找不到文件 {path}", error_en=f"file not found: {path}")
    sha256 = file_sha256(path)
    if con.execute("select 1 from raw.load_file where file_sha256 = ?", [sha256]).fetchone():
        return FileResult(path, "already_loaded")
    result = FileResult(path, "loaded")
    with tempfile.TemporaryDirectory(prefix="planwatch_load_") as work_dir:
        try:
            read = read_file(con, path, Path(work_dir))
            layouts, headers = stage_records(con, path, read.sheets, result)
        except FileProblem as problem:
            return FileResult(path, "error", error_zh=problem.zh, error_en=problem.en)
    con.execute(rules.PARSE_SQL)
    repeated = con.execute(rules.REPEATED_KEYS_SQL).fetchone()[0]
    con.execute(rules.PW_CHECKED_WITH_REPEATS_SQL if repeated else rules.PW_CHECKED_WITHOUT_REPEATS_SQL)
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    load_id = f"{loaded_at:%Y%m%dT%H%M%S}-{sha256[:8]}-{uuid.uuid4().hex[:4]}"
    result.load_id = load_id
    con.execute("""
        create or replace temp table pw_outcome as
        with file_keys as (
            select distinct indicator_code, region_code, period_start_year, year from pw_checked
            where reason_code is null
        ),
        -- only the keys this file brings: the warehouse may hold millions of other values
        held as (
            select o.indicator_code, o.region_code, o.period_start_year, o.year, o.value, o.status, o.vintage,
                   o.load_id not in (select load_id from pw_returned_load) as is_released
            from raw.observation as o
            semi join file_keys using (indicator_code, region_code, period_start_year, year)
        ),
        -- a value equal to the latest *released* one is a duplicate; a returned submission's rows never count
        -- (a corrected file repeating its good rows must load them). Vintages count every row ever loaded.
        latest as (
            select indicator_code, region_code, period_start_year, year, value, status
            from held where is_released
            qualify row_number() over (partition by indicator_code, region_code, period_start_year, year
                                       order by vintage desc) = 1
        ),
        last_vintage as (
            select indicator_code, region_code, period_start_year, year, max(vintage) as vintage
            from held group by all
        )
        select
            checked.*,
            case
                when checked.reason_code is not null then 'quarantined'
                when checked.is_duplicate_in_file then 'duplicate'
                when latest.value = checked.value and latest.status = checked.status then 'duplicate'
                else 'loaded'
            end as outcome,
            coalesce(last_vintage.vintage, 0) + 1 as vintage
        from pw_checked as checked
        left join latest using (indicator_code, region_code, period_start_year, year)
        left join last_vintage using (indicator_code, region_code, period_start_year, year)
    """)
    counts = dict(con.execute("select outcome, count(*) from pw_outcome group by outcome").fetchall())
    result.rows_read = sum(counts.values())
    result.rows_loaded = counts.get("loaded", 0)
    result.rows_duplicate = counts.get("duplicate", 0)
    result.rows_quarantined = counts.get("quarantined", 0)
    result.quarantined_by_reason = Counter(dict(con.execute(
        "select reason_code, count(*) from pw_outcome where outcome = 'quarantined' group by 1").fetchall()))
    con.execute("create or replace temp table pw_headers (sheet varchar, role varchar, header varchar)")
    if headers:
        con.executemany("insert into pw_headers values (?, ?, ?)", headers)
    con.execute(rules.SUBMISSION_FINDINGS_SQL)
    result.findings = con.execute("select count(*) from pw_finding").fetchone()[0]
    con.execute(rules.YEAR_ON_YEAR_SQL, {"file_name": path.name, "count_change": thresholds.count_change,
                                         "rate_points": thresholds.rate_points})
    result.held = 0 if result.findings else con.execute("select count(*) from pw_query").fetchone()[0]
    result.region_code = sender_region(con, path, sender, landing)
    params = {"load_id": load_id, "file_name": path.name, "sha256": sha256, "loaded_at": loaded_at}
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into raw.load_file values ($load_id, $file_name, $file_path, $sha256, $bytes, $format, "
            "$encoding, $layouts, $loaded_at, $read, $loaded, $duplicate, $quarantined)",
            {**params, "file_path": str(path.resolve()), "bytes": path.stat().st_size, "format": read.file_format,
             "encoding": read.encoding, "layouts": ", ".join(layouts), "read": result.rows_read,
             "loaded": result.rows_loaded, "duplicate": result.rows_duplicate,
             "quarantined": result.rows_quarantined})
        con.execute("""
            insert into raw.observation
            select $load_id, indicator_code, region_code, period_start_year, year, value, registry_unit,
                   value_raw, coalesce(unit_in_value, unit_column), status, vintage, source_raw, note_raw,
                   $file_name, $sha256, sheet, source_row, source_column, $loaded_at
            from pw_outcome where outcome = 'loaded'
        """, params)
        con.execute("""
            insert into raw.quarantine
            select $load_id, $file_name, $sha256, o.sheet, o.source_row,
                   case when reason.role = 'value' then coalesce(o.source_column, value_header.header)
                        when reason.role = 'region' and h.header is null then '工作表名 sheet name'
                        else coalesce(h.header, o.source_column, value_header.header) end,
                   case reason.role
                        when 'indicator' then o.indicator_raw when 'region' then o.region_raw
                        when 'year' then o.year_raw when 'unit' then coalesce(o.unit_raw, o.value_raw)
                        when 'status' then o.status_raw else o.value_raw end,
                   o.reason_code, reason.reason_zh, reason.reason_en, $loaded_at
            from pw_outcome as o
            join pw_reason as reason using (reason_code)
            left join pw_headers as h on h.sheet is not distinct from o.sheet and h.role = reason.role
            left join pw_headers as value_header
                on value_header.sheet is not distinct from o.sheet and value_header.role = 'value'
            where o.outcome = 'quarantined'
        """, params)
        con.execute("""
            insert into raw.submission_finding
            select $load_id, f.finding_code, f.sheet, f.source_row, f.column_name, f.raw_value, f.indicator_code,
                   f.region_code, f.year, r.reason_zh, r.reason_en, $loaded_at
            from pw_finding as f join pw_finding_reason as r using (finding_code)
            order by f.sheet, f.source_row, f.column_name
        """, {"load_id": load_id, "loaded_at": loaded_at})
        if result.held:
            con.execute("""
                insert into raw.review_query
                select md5('year_on_year|' || $load_id || '|' || indicator_code || '|' || region_code || '|' || year),
                       'year_on_year', $load_id, indicator_code, region_code, year, year, true,
                       format('与上年同期相比变化 {}{}（上年 {}，{}）：请报送单位说明原因，说明前仍发布上年版本的数值',
                              case when change > 0 then '+' else '' end,
                              case when value_type = 'rate' then change::varchar || ' 个百分点' else change::varchar || '%' end,
                              previous_value::double, previous_file),
                       format('changed {}{} on the same period last year ({} in {}): the sender explains it; until then '
                              'the previous vintage stays current',
                              case when change > 0 then '+' else '' end,
                              case when value_type = 'rate' then change::varchar || ' points' else change::varchar || ' %' end,
                              previous_value::double, previous_file),
                       'planwatch', $loaded_at
                from pw_query order by indicator_code, region_code, year
            """, {"load_id": load_id, "loaded_at": loaded_at})
        record_submission(con, result, sender, loaded_at)
        checkpoint("load.before_commit")
        con.execute("commit")
        checkpoint("load.after_commit")
    except BaseException:
        con.execute("rollback")
        raise
    return result


def region_code_of(con, name: str) -> str | None:
    row = con.execute("select region_code from pw_region_lookup where lookup_key in (lower(pw_clean($s)), "
                      "pw_name_key($s)) limit 1", {"s": name}).fetchone()
    return row[0] if row else None


def sender_region(con, path: Path, sender: Sender, landing: Path | None) -> str | None:
    """The sending region: as the sender said; else the landing subfolder the file sits in, when it names a
    region (landing/台山市/…); else the one region the file's rows name; else unknown (None)."""
    if sender.region:
        return region_code_of(con, sender.region)  # checked by load_files before any file is read
    if landing is not None and path.resolve().is_relative_to(landing.resolve()):
        folders = path.resolve().relative_to(landing.resolve()).parts[:-1]
        if folders and (code := region_code_of(con, folders[0])):
            return code
    regions = con.execute("select distinct region_code from pw_outcome where region_code is not null").fetchall()
    return regions[0][0] if len(regions) == 1 else None


def record_submission(con, result: FileResult, sender: Sender, loaded_at: datetime) -> None:
    """The load's status history: received (by its sender) → checked → returned or accepted, and which returned
    submission of the same region it corrects (one whose keys it sends again)."""
    supersedes = con.execute("""
        select e.load_id from raw.submission_event as e
        where e.load_id in (select load_id from pw_returned_load)
          and e.region_code is not distinct from $region
          and e.load_id not in (select supersedes from raw.submission_event where supersedes is not null)
          and exists (select 1 from raw.observation as o
                      semi join pw_outcome as n using (indicator_code, region_code, period_start_year, year)
                      where o.load_id = e.load_id)
        order by e.happened_at desc limit 1
    """, {"region": result.region_code}).fetchone()
    decision = "returned" if result.findings else "queried" if result.held else "accepted"
    note = {"returned": (f"{result.findings} 处不可能的数值，退回报送单位修改",
                         f"{result.findings} impossible value(s): returned to the sender for correction"),
            "queried": (f"{result.held} 个数值与上年同期相比变化过大，待说明；其余 {result.rows_loaded - result.held} 个已接受",
                        f"{result.held} value(s) changed beyond the year-on-year rule and wait for an explanation; "
                        f"the other {result.rows_loaded - result.held} are accepted"),
            "accepted": (f"加载 {result.rows_loaded} 条，隔离 {result.rows_quarantined} 条",
                         f"{result.rows_loaded} loaded, {result.rows_quarantined} quarantined")}[decision]
    person = sender.name()
    steps = [("received", person, None, None), ("checked", "planwatch", None, None),
             (decision, "planwatch", *note)]
    con.executemany(
        "insert into raw.submission_event values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(result.load_id, status, result.region_code, person, actor, supersedes[0] if supersedes else None,
          zh, en, loaded_at + timedelta(microseconds=i)) for i, (status, actor, zh, en) in enumerate(steps)])


# ---------------------------------------------------------------------------------------------- headers
@dataclass
class Layout:
    kind: str  # long / wide
    header_row: int  # spreadsheet row number of the header
    roles: dict[str, str]  # role → column (c0…)
    header_text: dict[str, str]  # role → header cell as written
    years: dict[str, int]  # wide: column → year
    ignored: list[str]


def find_layout(con, sheet: Sheet, file_name: str) -> Layout | None:
    columns = sheet.columns
    cursor = con.execute(f"select source_row, {', '.join(columns) or 'null'} from {sheet.table} "
                         f"order by source_row limit {HEADER_SCAN_ROWS}")
    names = ["source_row", *columns]
    head = [dict(zip(names, row)) for row in cursor.fetchall()]
    previous: dict | None = None
    for row in head:
        roles, years, texts = {}, {}, {}
        for column in columns:
            cell = row.get(column)
            if cell is None:
                continue
            year = rules.year_header(cell)
            role = rules.header_role(cell)
            if year is not None:
                years[column] = year
            elif role:
                if role in roles:
                    raise FileProblem(f"文件 {file_name}{_sheet_zh(sheet)} 第 {row['source_row']} 行表头重复：{cell}",
                                      f"file {file_name}{_sheet_en(sheet)} row {row['source_row']}: header "
                                      f"repeated: {cell}")
                roles[role], texts[role] = column, str(cell)
        if years and "indicator" not in roles and previous:  # header split over two rows (merged cells)
            for column in columns:
                cell = previous.get(column)
                role = rules.header_role(cell) if cell is not None else None
                if role and role not in roles and column not in years:
                    roles[role], texts[role] = column, str(cell)
        if "indicator" in roles and all(r in roles for r in rules.REQUIRED_LONG):
            ignored = [str(row[c]) for c in columns if row.get(c) is not None and c not in roles.values()]
            return Layout("long", row["source_row"], roles, texts, {}, ignored)
        if "indicator" in roles and years and "value" not in roles:
            ignored = [str(row[c]) for c in columns if row.get(c) is not None and c not in roles.values()
                       and c not in years]
            return Layout("wide", row["source_row"], roles, texts, years, ignored)
        previous = row
    return None


def _sheet_zh(sheet: Sheet) -> str:
    return f" 工作表“{sheet.name}”" if sheet.name else ""


def _sheet_en(sheet: Sheet) -> str:
    return f" sheet '{sheet.name}'" if sheet.name else ""


def stage_records(con, path: Path, sheets: list[Sheet], result: FileResult) -> tuple[list[str], list[tuple]]:
    """Put every record of every readable sheet into temp table pw_input; return layouts and header texts."""
    con.execute("create or replace temp table pw_input (sheet varchar, source_row integer, source_column varchar, "
                + ", ".join(f"{c} varchar" for c in INPUT_COLUMNS) + ")")
    layouts, headers = [], []
    readable = [s for s in sheets if not s.skipped]
    for sheet in sheets:
        if sheet.skipped:
            result.notes.append(f"工作表“{sheet.name}”未读取（{_SKIP_ZH[sheet.skipped]}） / sheet '{sheet.name}' "
                                f"not read ({sheet.skipped})")
    if not readable:
        raise FileProblem(f"文件 {path.name} 没有可读取的数据", f"file {path.name} holds no data to read")
    for sheet in readable:
        layout = find_layout(con, sheet, path.name)
        if layout is None:
            if sheet.name and rules.INSTRUCTION_SHEET.match(sheet.name):
                result.notes.append(f"工作表“{sheet.name}”是说明页，未读取 / sheet '{sheet.name}' holds instructions, "
                                    f"not read")
                continue
            raise FileProblem(
                f"文件 {path.name}{_sheet_zh(sheet)} 前 {HEADER_SCAN_ROWS} 行中找不到表头：长表需要 指标、地区、年份、数值 列，"
                f"宽表需要 指标 列和年份列（如 2021）",
                f"file {path.name}{_sheet_en(sheet)}: no header in the first {HEADER_SCAN_ROWS} rows; the long "
                f"layout needs indicator, region, year and value columns, the wide layout an indicator column and "
                f"year columns (such as 2021)")
        if layout.ignored:
            result.notes.append(f"{sheet.name or path.name}：未识别的列已忽略 {layout.ignored} / unrecognised columns "
                                f"ignored {layout.ignored}")
        region_constant = None
        if layout.kind == "wide" and "region" not in layout.roles:
            region_constant = sheet.name
            if not sheet.name or not con.execute(
                    "select 1 from pw_region_lookup where lookup_key in (lower(pw_clean($s)), pw_name_key($s))",
                    {"s": sheet.name}).fetchone():
                raise FileProblem(
                    f"文件 {path.name}{_sheet_zh(sheet)} 是宽表但没有 地区 列，工作表名也不是地区名",
                    f"file {path.name}{_sheet_en(sheet)} is in the wide layout without a region column, and the "
                    f"sheet is not named after a region")
        layouts.append(f"{sheet.name + ':' if sheet.name else ''}{layout.kind}")
        headers += [(sheet.name, role, text) for role, text in layout.header_text.items()]
        before = con.execute("select count(*) from pw_input").fetchone()[0]
        con.execute(_records_sql(layout, region_constant, sheet.table),
                    {"sheet": sheet.name, "header_row": layout.header_row})
        blank = con.execute(_blank_rows_sql(layout, sheet.table), {"header_row": layout.header_row}).fetchone()[0]
        result.blank_rows += blank
        if blank:
            result.notes.append(f"{sheet.name or path.name}：空行 {blank} 行已跳过 / {blank} blank rows skipped")
        if con.execute("select count(*) from pw_input").fetchone()[0] == before:
            result.notes.append(f"{sheet.name or path.name}：表头下没有数据 / no data under the header")
    return layouts, headers


_SKIP_ZH = {"hidden": "隐藏的工作表", "empty": "空工作表"}


def _role_sql(layout: Layout, role: str) -> str:
    column = layout.roles.get(role)
    return f"nullif(trim({column}), '')" if column else "null"


def _records_sql(layout: Layout, region_constant: str | None, table: str) -> str:
    common = {role: _role_sql(layout, role) for role in ("indicator", "region", "unit", "status", "source", "note")}
    if region_constant is not None:
        common["region"] = "$sheet"
    if layout.kind == "long":
        select = (f"select $sheet, source_row, null, {common['indicator']}, {common['region']}, "
                  f"{_role_sql(layout, 'year')}, {_role_sql(layout, 'value')}, {common['unit']}, {common['status']}, "
                  f"{common['source']}, {common['note']} from {table} where source_row > $header_row "
                  f"and not ({_all_null(layout)})")
        return f"insert into pw_input {select}"
    parts = []
    for column, year in layout.years.items():
        parts.append(f"select $sheet, source_row, '{year}', {common['indicator']}, {common['region']}, '{year}', "
                     f"nullif(trim({column}), ''), {common['unit']}, {common['status']}, {common['source']}, "
                     f"{common['note']} from {table} where source_row > $header_row "
                     f"and nullif(trim({column}), '') is not null")
    # a row that names an indicator but gives no value in any year is reported, not dropped
    first_year_column, first_year = next(iter(layout.years.items()))
    parts.append(f"select $sheet, source_row, '{first_year}', {common['indicator']}, {common['region']}, "
                 f"'{first_year}', null, {common['unit']}, {common['status']}, {common['source']}, "
                 f"{common['note']} from {table} where source_row > $header_row and not ({_all_null(layout)}) "
                 f"and {' and '.join(f'nullif(trim({c}), {chr(39)}{chr(39)}) is null' for c in layout.years)}")
    return "insert into pw_input " + " union all ".join(parts)


def _content_columns(layout: Layout) -> list[str]:
    return list(layout.roles.values()) + list(layout.years)


def _all_null(layout: Layout) -> str:
    return " and ".join(f"nullif(trim({c}), '') is null" for c in _content_columns(layout))


def _blank_rows_sql(layout: Layout, table: str) -> str:
    return f"select count(*) from {table} where source_row > $header_row and ({_all_null(layout)})"
