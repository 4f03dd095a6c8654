"""Load landing files into raw.observation / raw.quarantine, one transaction per file.

Per file: hash it (a file already loaded is skipped and said so), read it (readers.py), find each sheet's
header and layout, put every record into one temp table, apply rules.PARSE_SQL (and the duplicate rules when
a key repeats), compare with what the warehouse already holds (identical → duplicate skipped; different →
next vintage), then insert the load_file row, the observations and the quarantined rows in one
transaction. Invariant, per file:
records read = loaded + duplicates skipped + quarantined.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from planwatch.faults import checkpoint
from planwatch.ingest import rules
from planwatch.ingest.archive import keep_bytes, record_load
from planwatch.ingest.encodings import display_name
from planwatch.ingest.readers import HEADER_SCAN_ROWS, FileProblem, Sheet, over_limit, read_file
from planwatch.ingest.receipts import rows_for, write_receipts
from planwatch.ingest.results import FileResult, LoadSummary, Sender
from planwatch.ingest.schema import ensure_raw_schema
from planwatch.plan_pack import pack_seeds, regions_in_plans
from planwatch.settings import Settings
from planwatch.warehouse_access import holding, sql_literal, working_connection

LANDING_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".parquet"}
INPUT_COLUMNS = ("indicator_raw", "region_raw", "year_raw", "value_raw", "unit_raw", "status_raw", "source_raw",
                 "note_raw")


class LoadError(Exception):
    pass


# ---------------------------------------------------------------------------------------------- API
def landing_files(landing: Path) -> list[Path]:
    """Every file of the landing folder the loader reads, and every symbolic link in it (a link is not
    followed out of the folder: load_one reports it). Names come as the system gives them, in any bytes."""
    if not landing.exists():
        return []
    found = []
    for folder, folders, names in os.walk(landing, followlinks=False):
        for name in names + [f for f in folders if os.path.islink(os.path.join(folder, f))]:
            path = Path(folder) / name
            if name.startswith((".", "~$")):
                continue
            if path.is_symlink() or path.suffix.lower() in LANDING_SUFFIXES:
                found.append(path)
    return sorted(found, key=lambda p: os.fsencode(str(p)))


@dataclass(frozen=True)
class Thresholds:
    """The year-on-year rule (settings PLANWATCH_YOY_CHANGE, PLANWATCH_YOY_RATE_POINTS)."""
    count_change: float = 0.30
    rate_points: float = 5.0


def load_files(settings: Settings, paths: list[Path] | None = None, sender: Sender = Sender()) -> LoadSummary:
    """Load the named files, or every file in the landing folder; files already loaded are skipped. Each load is
    a submission of `sender`, accepted or returned on its own rows' merits.

    Each file is copied, hashed, read and checked in an in-memory DuckDB, with no lock held; only comparing
    with the warehouse and committing hold the writer's lock (warehouse_access.holding), a file at a time."""
    paths = [Path(p) for p in paths] if paths else landing_files(settings.landing)
    results = []
    with duckdb.connect(config=settings.duckdb_config) as con:
        prepare_lookups(con, settings.seeds)
        if sender.region and region_code_of(con, sender.region) is None:
            raise FileProblem(f"报送地区“{sender.region}”不是已登记的地区（江门市或其 7 个县（市、区））",
                              f"the sending region {sender.region!r} is not a registered region (Jiangmen or one "
                              f"of its 7 counties)")
        thresholds = Thresholds(settings.yoy_change, settings.yoy_rate_points)
        known = loaded_checksums(settings)
        batch: list[str] = []  # the loads of this call: two of its files that disagree raise a conflict
        call = uuid.uuid4().hex[:12]
        for path in paths:
            result = load_one(con, settings, path, sender, thresholds, known, batch, call)
            results.append(result)
            if result.load_id:
                batch.append(result.load_id)
                known.add(result.sha256)
        summary = LoadSummary(results)
        summary.error_lists = write_receipts(settings, summary)
    return summary


def loaded_checksums(settings: Settings) -> set[str]:
    """The checksums of every file loaded so far (a file seen before is not read again). A first load creates
    the warehouse and its raw schema, so every later reader finds them even when no file could be loaded."""
    if settings.warehouse.exists():
        with working_connection(settings, write=False) as con:
            if con.execute("select 1 from duckdb_tables() where schema_name = 'raw' and table_name = 'load_file'"
                           ).fetchone():
                return {row[0] for row in con.execute("select file_sha256 from raw.load_file").fetchall()}
    with working_connection(settings, write=True, task="planwatch load") as con:
        ensure_raw_schema(con)
    return set()


def prepare_lookups(con, seeds: Path) -> None:
    """The indicator registry, aliases and regions from the plan pack (the same CSVs dbt seeds)."""
    found = pack_seeds(seeds)  # every plan folder's, checked
    params = {"indicators": [str(p) for p in found["plan_indicators"]],
              "periods": [str(p) for p in found["plan_periods"]], "aliases": str(seeds / "indicator_aliases.csv"),
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


RETURNED_LOADS_SQL = """
create or replace temp view pw_returned_load as
select load_id from raw.submission_event
qualify row_number() over (partition by load_id order by happened_at desc) = 1 and status = 'returned'
"""  # the submissions whose latest status is `returned`: their rows are kept, never released


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def take_copy(path: Path, name: str, work_dir: Path, limits) -> tuple[Path, str, int]:
    """Copy the landing file's bytes once into the work folder, hashing what was read. Everything after reads
    the copy: a file replaced or growing while it loads cannot put one content under another's checksum."""
    copy = work_dir / f"received{path.suffix.lower()}"
    limit = limits.file_mb << 20
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as src, open(copy, "wb") as dst:
        declared = os.fstat(src.fileno()).st_size
        if declared > limit:
            raise over_limit(name, "文件大小", "file size", f"{declared >> 20} MB", "PLANWATCH_MAX_FILE_MB",
                             f"{limits.file_mb} MB")
        while chunk := src.read(1 << 22):
            size += len(chunk)
            if size > limit:
                raise over_limit(name, "文件大小", "file size", f"> {limits.file_mb} MB", "PLANWATCH_MAX_FILE_MB",
                                 f"{limits.file_mb} MB")
            digest.update(chunk)
            dst.write(chunk)
    return copy, digest.hexdigest(), size


def refused_link(path: Path, landing: Path | None) -> FileResult | None:
    """A symbolic link in the landing folder that points out of it is reported, never followed."""
    if landing is None or not path.is_symlink():
        return None
    try:
        inside = path.resolve(strict=True).is_relative_to(landing.resolve())
    except (OSError, RuntimeError):
        inside = False
    if inside and path.resolve().is_file():
        return None
    name = display_name(path.name)
    return FileResult(path, "error", error_zh=f"{name} 是指向落地文件夹之外（或不存在）的符号链接，未读取",
                      error_en=f"{name} is a symbolic link to outside the landing folder (or to nothing); not read")


def load_one(con, settings: Settings, path: Path, sender: Sender = Sender(), thresholds: Thresholds = Thresholds(),
             known: set[str] | None = None, batch: list[str] | None = None, call: str | None = None,
             replay: dict | None = None) -> FileResult:
    """Load one file. `replay` (planwatch.recovery) gives a journalled load's id, time and name to load again."""
    path = Path(path)
    landing = settings.landing
    in_landing = path.absolute().is_relative_to(landing.absolute()) if landing else False
    if (refused := refused_link(path, landing if in_landing else None)) is not None:
        return refused
    name = replay["file_name"] if replay else display_name(path.name)
    if not path.is_file():
        return FileResult(path, "error", error_zh=f"找不到文件 {display_name(str(path))}",
                          error_en=f"file not found: {display_name(str(path))}")
    with tempfile.TemporaryDirectory(prefix="planwatch_load_") as work_dir:
        try:
            copy, sha256, size = take_copy(path, name, Path(work_dir), settings.limits)
            if known is not None and sha256 in known:
                return FileResult(path, "already_loaded", sha256=sha256)
            result = FileResult(path, "loaded", sha256=sha256)
            read = read_file(con, copy, name, Path(work_dir), settings.limits)
            layouts, headers = stage_records(con, name, read.sheets, result)
        except FileProblem as problem:
            return FileResult(path, "error", error_zh=problem.zh, error_en=problem.en)
        except OSError as exc:  # unreadable (permissions), vanished while copied; a full disk stops everything
            if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                raise
            return FileResult(path, "error", error_zh=f"文件 {name} 无法读取：{exc.strerror or exc}",
                              error_en=f"file {name} cannot be read: {exc.strerror or exc}")
        con.execute(rules.PARSE_SQL)
        repeated = con.execute(rules.REPEATED_KEYS_SQL).fetchone()[0]
        con.execute(rules.PW_CHECKED_WITH_REPEATS_SQL if repeated else rules.PW_CHECKED_WITHOUT_REPEATS_SQL)
        con.execute("create or replace temp table pw_headers (sheet varchar, role varchar, header varchar)")
        if headers:
            con.executemany("insert into pw_headers values (?, ?, ?)", headers)
        original = replay["file_path"] if replay else display_name(str(path.absolute()))
        file = {"name": name, "path": original, "sha256": sha256, "bytes": size,
                "format": read.file_format, "encoding": read.encoding, "layouts": ", ".join(layouts)}
        with holding(settings, write=True, task="planwatch load"):
            kept = keep_bytes(settings, copy, sha256)  # before the commit: the journal never names lost bytes
            settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"attach {sql_literal(settings.warehouse)} as warehouse")
            try:
                con.execute("use warehouse")
                ensure_raw_schema(con)
                con.execute(RETURNED_LOADS_SQL)
                if con.execute("select 1 from raw.load_file where file_sha256 = ?", [sha256]).fetchone():
                    return FileResult(path, "already_loaded", sha256=sha256)  # loaded meanwhile by another task
                commit_file(con, result, file, sender, landing, thresholds, batch or [], replay)
                if result.needs_sender:
                    result.rows_back = rows_for(con, result)
            finally:
                con.execute("use memory")
                con.execute("detach warehouse")
            record_load(settings, {"load_id": result.load_id, "loaded_at": result.loaded_at, "sha256": sha256,
                                   "file_name": name, "file_path": original, "kept": kept.name,
                                   "region": sender.region, "person": sender.person, "call": call})
    return result


def commit_file(con, result: FileResult, file: dict, sender: Sender, landing: Path | None,
                thresholds: Thresholds, batch: list[str], replay: dict | None = None) -> None:
    """Compare the checked file with the warehouse (attached as the current database) and commit it."""
    path, sha256 = result.path, file["sha256"]
    if replay:  # the same load again, under its own id: the queries and answers that name it still match
        loaded_at, load_id = datetime.fromisoformat(replay["loaded_at"]), replay["load_id"]
    else:
        loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
        load_id = f"{loaded_at:%Y%m%dT%H%M%S}-{sha256[:8]}-{uuid.uuid4().hex[:4]}"
    result.load_id, result.loaded_at = load_id, loaded_at.isoformat()
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
            latest.status as current_status,
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
    con.execute(rules.SUBMISSION_FINDINGS_SQL)
    result.findings = con.execute("select count(*) from pw_finding").fetchone()[0]
    con.execute(rules.YEAR_ON_YEAR_SQL, {"file_name": file["name"], "count_change": thresholds.count_change,
                                         "rate_points": thresholds.rate_points})
    con.execute(rules.HOLDS_SQL, {"load_id": load_id, "batch": batch})
    result.held = 0 if result.findings else con.execute(
        "select count(*) from pw_hold where load_id = $load_id", {"load_id": load_id}).fetchone()[0]
    result.region_code = sender_region(con, path, sender, landing)
    params = {"load_id": load_id, "file_name": file["name"], "sha256": sha256, "loaded_at": loaded_at}
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into raw.load_file values ($load_id, $file_name, $file_path, $sha256, $bytes, $format, "
            "$encoding, $layouts, $loaded_at, $read, $loaded, $duplicate, $quarantined)",
            {**params, "file_path": file["path"], "bytes": file["bytes"], "format": file["format"],
             "encoding": file["encoding"], "layouts": file["layouts"], "read": result.rows_read,
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
                   -- a NUL cannot be stored by every target (PostgreSQL refuses it): shown as the symbol ␀
                   replace(case
                        when reason.role is null then concat_ws(' | ', o.indicator_raw, o.region_raw, o.year_raw,
                                                                o.value_raw, o.note_raw)
                        when reason.role = 'indicator' then o.indicator_raw when reason.role = 'region' then o.region_raw
                        when reason.role = 'year' then o.year_raw
                        when reason.role = 'unit' then coalesce(o.unit_raw, o.value_raw)
                        when reason.role = 'status' then o.status_raw else o.value_raw end, chr(0), '␀'),
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
        if not result.findings:  # a returned submission is released by nothing: its holds would mean nothing
            con.execute("""
                insert into raw.review_query
                select md5(kind || '|' || load_id || '|' || indicator_code || '|' || region_code || '|'
                           || period_start_year || '|' || year),
                       kind, load_id, indicator_code, region_code, period_start_year, year, true, detail_zh, detail_en,
                       'planwatch', $loaded_at
                from pw_hold
                where not exists (select 1 from raw.review_query as q
                                  where q.query_id = md5(pw_hold.kind || '|' || pw_hold.load_id || '|'
                                        || pw_hold.indicator_code || '|' || pw_hold.region_code || '|'
                                        || pw_hold.period_start_year || '|' || pw_hold.year))
                order by kind, indicator_code, region_code, year
            """, {"loaded_at": loaded_at})
        record_submission(con, result, sender, loaded_at)
        checkpoint("load.before_commit")
        con.execute("commit")
        checkpoint("load.after_commit")
    except BaseException:
        con.execute("rollback")
        raise


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
            "queried": (f"{result.held} 个数值待说明（见查询）；其余已接受",
                        f"{result.held} value(s) wait for an explanation (see the queries); the others are "
                        f"accepted"),
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
    header_cells: dict[str, str] = field(default_factory=dict)  # column → its header cell as written
    year_status: dict[str, str] = field(default_factory=dict)  # wide: column → status its header gives (（预计）)
    unclear_years: dict[str, str] = field(default_factory=dict)  # wide: column → a header naming a year unclearly


def find_layout(con, sheet: Sheet, file_name: str) -> Layout | None:
    columns = sheet.columns
    cursor = con.execute(f"select source_row, {', '.join(columns) or 'null'} from {sheet.table} "
                         f"order by source_row limit {HEADER_SCAN_ROWS}")
    names = ["source_row", *columns]
    head = [dict(zip(names, row)) for row in cursor.fetchall()]
    previous: dict | None = None
    for row in head:
        roles, years, texts, year_status, unclear = {}, {}, {}, {}, {}
        for column in columns:
            cell = row.get(column)
            if cell is None:
                continue
            year, status = rules.year_header(cell)
            role = rules.header_role(cell)
            if year is not None:
                years[column] = year
                if status:
                    year_status[column] = status
            elif role is None and rules.names_a_year(cell):
                unclear[column] = str(cell)
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
                       and c not in years and c not in unclear]
            return Layout("wide", row["source_row"], roles, texts, years, ignored,
                          {c: str(row[c]) for c in columns if row.get(c) is not None}, year_status, unclear)
        previous = row
    return None


def _sheet_zh(sheet: Sheet) -> str:
    return f" 工作表“{sheet.name}”" if sheet.name else ""


def _sheet_en(sheet: Sheet) -> str:
    return f" sheet '{sheet.name}'" if sheet.name else ""


def stage_records(con, name: str, sheets: list[Sheet], result: FileResult) -> tuple[list[str], list[tuple]]:
    """Put every record of every readable sheet into temp table pw_input; return layouts and header texts."""
    con.execute("create or replace temp table pw_input (sheet varchar, source_row integer, source_column varchar, "
                + ", ".join(f"{c} varchar" for c in INPUT_COLUMNS) + ")")
    layouts, headers = [], []
    readable = [s for s in sheets if not s.skipped]
    for sheet in sheets:
        if sheet.skipped:
            result.notes.append(f"工作表“{sheet.name}”未读取（{_SKIP_ZH[sheet.skipped]}） / sheet '{sheet.name}' "
                                f"not read ({sheet.skipped})")
        if sheet.hidden_rows:  # a hidden row is a draft or a working line: not read, and said so
            result.hidden_rows += len(sheet.hidden_rows)
            rows = "、".join(map(str, sheet.hidden_rows[:20])) + ("…" if len(sheet.hidden_rows) > 20 else "")
            result.notes.append(f"工作表“{sheet.name}”第 {rows} 行是隐藏行，未读取（如需加载请取消隐藏） / sheet "
                                f"'{sheet.name}': hidden row(s) {rows.replace('、', ', ')} not read (unhide them to "
                                f"load them)")
    if not readable:
        raise FileProblem(f"文件 {name} 没有可读取的数据", f"file {name} holds no data to read")
    for sheet in readable:
        layout = find_layout(con, sheet, name)
        if layout is None:
            if sheet.name and rules.INSTRUCTION_SHEET.match(sheet.name):
                result.notes.append(f"工作表“{sheet.name}”是说明页，未读取 / sheet '{sheet.name}' holds instructions, "
                                    f"not read")
                continue
            raise FileProblem(
                f"文件 {name}{_sheet_zh(sheet)} 前 {HEADER_SCAN_ROWS} 行中找不到表头：长表需要 指标、地区、年份、数值 列，"
                f"宽表需要 指标 列和年份列（如 2021）",
                f"file {name}{_sheet_en(sheet)}: no header in the first {HEADER_SCAN_ROWS} rows; the long "
                f"layout needs indicator, region, year and value columns, the wide layout an indicator column and "
                f"year columns (such as 2021)")
        annotated = [layout.header_cells[c] for c in layout.years if layout.header_cells.get(c, "").strip()
                     not in (str(layout.years[c]), f"{layout.years[c]}年")]
        if annotated:
            result.notes.append(f"{sheet.name or name}：列标题 {annotated} 按年份读取（括号中的状态用于该列） / column "
                                f"headers {annotated} read as years (a status in brackets applies to the column)")
        if layout.unclear_years:
            result.notes.append(f"{sheet.name or name}：列标题 {list(layout.unclear_years.values())} 不是年份，其单元格已隔离 / "
                                f"column headers {list(layout.unclear_years.values())} are not years: their cells are "
                                f"quarantined")
        if layout.ignored:
            result.notes.append(f"{sheet.name or name}：未识别的列已忽略 {layout.ignored} / unrecognised columns "
                                f"ignored {layout.ignored}")
        region_constant = None
        if layout.kind == "wide" and "region" not in layout.roles:
            region_constant = sheet.name
            if not sheet.name or not con.execute(
                    "select 1 from pw_region_lookup where lookup_key in (lower(pw_clean($s)), pw_name_key($s))",
                    {"s": sheet.name}).fetchone():
                raise FileProblem(
                    f"文件 {name}{_sheet_zh(sheet)} 是宽表但没有 地区 列，工作表名也不是地区名",
                    f"file {name}{_sheet_en(sheet)} is in the wide layout without a region column, and the "
                    f"sheet is not named after a region")
        layouts.append(f"{sheet.name + ':' if sheet.name else ''}{layout.kind}")
        headers += [(sheet.name, role, text) for role, text in layout.header_text.items()]
        before = con.execute("select count(*) from pw_input").fetchone()[0]
        con.execute(_records_sql(layout, region_constant, sheet.table),
                    {"sheet": sheet.name, "header_row": layout.header_row})
        blank = con.execute(_blank_rows_sql(layout, sheet.table), {"header_row": layout.header_row}).fetchone()[0]
        result.blank_rows += blank
        if blank:
            result.notes.append(f"{sheet.name or name}：空行 {blank} 行已跳过 / {blank} blank rows skipped")
        if con.execute("select count(*) from pw_input").fetchone()[0] == before:
            result.notes.append(f"{sheet.name or name}：表头下没有数据 / no data under the header")
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
    # every value column is read: the year columns, and the columns whose header names a year unclearly (their
    # cells carry the header as their year, which the rules then refuse with the reason)
    columns = [(column, str(year), str(year), layout.year_status.get(column)) for column, year in layout.years.items()]
    columns += [(column, header, header, None) for column, header in layout.unclear_years.items()]
    for column, label, year_text, header_status in columns:
        status = common["status"]
        if header_status:
            status = f"coalesce({status}, {sql_literal(header_status)})"
        parts.append(f"select $sheet, source_row, {sql_literal(label)}, {common['indicator']}, {common['region']}, "
                     f"{sql_literal(year_text)}, nullif(trim({column}), ''), {common['unit']}, {status}, "
                     f"{common['source']}, {common['note']} from {table} where source_row > $header_row "
                     f"and nullif(trim({column}), '') is not null")
    # a row that names an indicator but gives no value in any year is reported, not dropped
    first_year_column, first_year = next(iter(layout.years.items()))
    value_columns = [*layout.years, *layout.unclear_years]
    parts.append(f"select $sheet, source_row, '{first_year}', {common['indicator']}, {common['region']}, "
                 f"'{first_year}', null, {common['unit']}, {common['status']}, {common['source']}, "
                 f"{common['note']} from {table} where source_row > $header_row and not ({_all_null(layout)}) "
                 f"and {' and '.join(f'nullif(trim({c}), {chr(39)}{chr(39)}) is null' for c in value_columns)}")
    return "insert into pw_input " + " union all ".join(parts)


def _content_columns(layout: Layout) -> list[str]:
    return list(layout.roles.values()) + list(layout.years) + list(layout.unclear_years)


def _all_null(layout: Layout) -> str:
    return " and ".join(f"nullif(trim({c}), '') is null" for c in _content_columns(layout))


def _blank_rows_sql(layout: Layout, table: str) -> str:
    return f"select count(*) from {table} where source_row > $header_row and ({_all_null(layout)})"


# ---------------------------------------------------------------------------------------------- preview
@dataclass
class Preview:
    """What a file would load, before it is loaded: read and checked like a load, compared with nothing."""
    name: str
    error_zh: str | None = None
    error_en: str | None = None
    rows: int = 0
    valid: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)  # reason code → rows
    indicators: list[str] = field(default_factory=list)  # registry names recognised
    years: list[int] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def preview_file(settings: Settings, path: Path, name: str | None = None) -> Preview:
    """Read and check `path` as a load would (no lock, no warehouse): the statistician sees what will load."""
    name = name or display_name(Path(path).name)
    with duckdb.connect(config=settings.duckdb_config) as con, \
            tempfile.TemporaryDirectory(prefix="planwatch_preview_") as work_dir:
        prepare_lookups(con, settings.seeds)
        result = FileResult(Path(path), "loaded")
        try:
            copy, _sha, _size = take_copy(Path(path), name, Path(work_dir), settings.limits)
            read = read_file(con, copy, name, Path(work_dir), settings.limits)
            stage_records(con, name, read.sheets, result)
        except FileProblem as problem:
            return Preview(name, problem.zh, problem.en)
        con.execute(rules.PARSE_SQL)
        repeated = con.execute(rules.REPEATED_KEYS_SQL).fetchone()[0]
        con.execute(rules.PW_CHECKED_WITH_REPEATS_SQL if repeated else rules.PW_CHECKED_WITHOUT_REPEATS_SQL)
        rows, valid = con.execute("select count(*), count(*) filter (where reason_code is null) from pw_checked"
                                  ).fetchone()
        reasons = dict(con.execute("select reason_code, count(*) from pw_checked where reason_code is not null "
                                   "group by 1 order by 1").fetchall())
        indicators = [r[0] for r in con.execute(
            "select distinct i.name_zh from pw_checked c join pw_indicator i using (indicator_code) "
            "where c.reason_code is null order by 1").fetchall()]
        years = [r[0] for r in con.execute("select distinct year from pw_checked where reason_code is null "
                                           "order by 1").fetchall()]
        units = [r[0] for r in con.execute("select distinct effective_unit from pw_checked where reason_code is null "
                                           "and effective_unit is not null order by 1").fetchall()]
    return Preview(name, None, None, rows, valid, reasons, indicators, years, units, result.notes)
