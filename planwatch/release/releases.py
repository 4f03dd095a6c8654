"""Numbered, immutable releases of the published copy.

A gated build becomes the candidate file (planwatch/publish). `release_candidate` makes it release N: it
compares the candidate's current values with the published release's (new values, revisions, withdrawn
values), records the release, its changes and who approved it in schema `review` of the working warehouse,
writes that log into the candidate, keeps the file as `published/releases/release-000N.duckdb` and puts it in
the published file's place in one rename. A candidate that changes nothing — no value, and the same plan pack
and models — makes no new release. Under the `approve` policy the candidate waits for `planwatch approve`.
`rollback(N)` is itself a release, whose data is release N's.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from planwatch.ingest.archive import backup_working
from planwatch.dbt_project import dbt_fingerprint
from planwatch.publish.published_copy import candidate_path, published_path, releases_dir, serve, table_columns
from planwatch.publish.descriptions import describe_database
from planwatch.release.queries import QUERIES_SQL
from planwatch.release.review_schema import ensure_review_schema
from planwatch.settings import Settings
from planwatch.warehouse_access import reads_warehouse, sql_literal, writes_warehouse

AUTO_APPROVER = "planwatch (auto)"

# the current value of every key in the candidate (attached as `cand`) against the published release's
CHANGES_SQL = """
with
new as (select indicator_code, region_code, period_start_year, year, value, vintage, source_file
        from cand.marts.fct_indicator_observation where is_latest),
old as (select indicator_code, region_code, period_start_year, year, value, vintage, source_file
        from {old_rows})
select
    case when old.vintage is null then 'new' when new.vintage is null then 'withdrawn' else 'revised' end as change,
    indicator_code, region_code, period_start_year, year,
    old.value as previous_value, new.value as value, old.vintage as previous_vintage, new.vintage as vintage,
    coalesce(new.source_file, old.source_file) as source_file
from new full outer join old using (indicator_code, region_code, period_start_year, year)
where old.vintage is null or new.vintage is null or new.value <> old.value or new.vintage <> old.vintage
"""
# the audit trail as published: every load's steps and every steward's and release's action
AUDIT_TRAIL_SQL = """
select happened_at, actor, 'submission ' || status as action, load_id as object,
       coalesce(note_en, file_name) as note
from raw.submission_event join raw.load_file using (load_id)
union all
select happened_at, actor, action, object, note from review.action
"""
REVIEW_TABLES = ("release", "release_change", "action")


@dataclass
class Release:
    number: int
    kind: str
    approved_by: str
    approved_at: datetime
    note: str | None
    new_values: int
    revisions: int
    withdrawn: int
    file: Path
    restores: int | None = None


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _attach(con, path: Path, alias: str, read_only: bool = True) -> None:
    con.execute(f"attach {sql_literal(path)} as {alias}" + (" (read_only)" if read_only else ""))


def stage_changes(con, candidate: Path, published: Path) -> dict[str, int]:
    """What the candidate changes against the published release (every value new when nothing is published), into
    the temp table pw_pending_change, inside DuckDB; returns how many values each kind of change has. A first
    national release changes 19 million values, which never come into Python: fetched as tuples and passed back as
    one Arrow batch they made the full-scale publish take 140 s and 5.9 GiB (make bench, 2026-12-04)."""
    _attach(con, candidate, "cand")
    try:
        if not published.exists():
            con.execute("create or replace temp table pw_pending_change as "
                        + CHANGES_SQL.format(old_rows="cand.marts.fct_indicator_observation where false"))
        else:
            _attach(con, published, "pub")
            try:
                con.execute("create or replace temp table pw_pending_change as "
                            + CHANGES_SQL.format(old_rows="pub.marts.fct_indicator_observation where is_latest"))
            finally:
                con.execute("detach pub")
    finally:
        con.execute("detach cand")
    counts = dict(con.execute("select change, count(*) from pw_pending_change group by change").fetchall())
    return {change: counts.get(change, 0) for change in ("new", "revised", "withdrawn")}


def pending_changes(con, candidate: Path, published: Path) -> list[tuple]:
    """The changes as rows, for a person to read (the review page, `planwatch review`)."""
    stage_changes(con, candidate, published)
    return con.execute("select * from pw_pending_change order by change, indicator_code, region_code, year"
                       ).fetchall()


def last_release(con) -> tuple | None:
    return con.execute("select release_no, project_sha256 from review.release order by release_no desc limit 1"
                       ).fetchone()


@writes_warehouse
def release_candidate(settings: Settings, approved_by: str = AUTO_APPROVER, note: str | None = None,
                      policy: str | None = None, gate_run_id: str | None = None) -> Release | None:
    """Make the candidate file the next release; None when it changes nothing (no new release)."""
    candidate = candidate_path(settings)
    if not candidate.exists():
        raise FileNotFoundError(candidate)
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        ensure_review_schema(con)
        changes = stage_changes(con, candidate, published_path(settings))
        previous = last_release(con)
        project = dbt_fingerprint()
        if previous and not sum(changes.values()) and previous[1] == project and published_path(settings).exists():
            candidate.unlink()
            return None
        release = _record(con, settings, "publication", changes, approved_by, note, policy or settings.release_policy,
                          gate_run_id, project)
        _write_log_into(con, settings, candidate)
    _keep_and_serve(settings, candidate, release.file)
    backup_working(settings, release.number)  # where `planwatch recover` starts from
    return release


def _record(con, settings: Settings, kind: str, counts: dict[str, int], approved_by: str, note: str | None,
            policy: str, gate_run_id: str | None, project: str, restores: int | None = None) -> Release:
    """The release, its changes (staged in pw_pending_change by stage_changes) and its actions, in one transaction."""
    number = con.execute("select coalesce(max(release_no), 0) + 1 from review.release").fetchone()[0]
    at = _now()
    file = releases_dir(settings) / f"release-{number:04d}.duckdb"
    con.execute("begin transaction")
    con.execute("insert into review.release values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [number, kind, restores, policy, approved_by, at, note, gate_run_id, project, counts["new"],
                 counts["revised"], counts["withdrawn"], file.name])
    con.execute("insert into review.release_change select $number, * from pw_pending_change", {"number": number})
    signed = approved_by != AUTO_APPROVER and kind == "publication"  # a steward's signature on a candidate
    actions = [(at, approved_by, "approve", str(number), note)] if signed else []
    actions.append((at, approved_by, kind if kind == "rollback" else "publish", str(number),
                    f"restores release {restores}" if restores else note))
    con.executemany("insert into review.action values (?, ?, ?, ?, ?)", actions)
    # the submissions this release first carries reach the last step of their history: published
    con.execute("""
        insert into raw.submission_event
        select load_id, 'published', region_code, sender, $actor, null,
               '已随第 ' || $number || ' 号版本发布', 'published in release ' || $number, $at
        from raw.submission_event
        qualify row_number() over (partition by load_id order by happened_at desc) = 1
            and status in ('accepted', 'queried')
    """, {"actor": approved_by, "number": number, "at": at})
    con.execute("commit")
    return Release(number, kind, approved_by, at, note, counts["new"], counts["revised"], counts["withdrawn"], file,
                   restores)


def _write_log_into(con, settings: Settings, path: Path) -> None:
    """The release log and the audit trail, as of now, into a release's file (schema `review`). A file that starts
    from an earlier release (a candidate copied from the last one, a rollback's copy of release N) already holds
    that release's log: its changes are kept and only the later releases' are appended."""
    _attach(con, path, "target", read_only=False)
    try:
        con.execute("create schema if not exists target.review")
        appended = _append_release_changes(con)
        for table in REVIEW_TABLES:
            if not (appended and table == "release_change"):
                con.execute(f"create or replace table target.review.{table} as from review.{table}")
        con.execute("create or replace table target.review.audit_trail as " + AUDIT_TRAIL_SQL)
        con.execute("create or replace table target.review.query as " + QUERIES_SQL)
        describe_database(con, "target", settings.manifest_path)
    finally:
        con.execute("detach target")


def _append_release_changes(con) -> bool:
    """Append to the file's review.release_change (attached as `target`) the changes of the releases after the last
    one it holds, when what it holds is this warehouse's log up to that release (the same columns and, release by
    release, the same number of rows: a release's changes are written once and never altered). False when it is
    not, and the table is written whole. Every release's changes are in the log (a first national release: 19
    million), so writing them again into each release's file took 3.7 s at national scale, and more each year."""
    held_columns = table_columns(con, "target", "review", "release_change")
    working = con.execute("select current_database()").fetchone()[0]
    if not held_columns or held_columns != table_columns(con, working, "review", "release_change"):
        return False
    held = con.execute("select release_no, count(*) from target.review.release_change group by all").fetchall()
    last = max((number for number, _ in held), default=0)
    logged = con.execute("select release_no, count(*) from review.release_change where release_no <= ? group by all",
                         [last]).fetchall()
    if sorted(held) != sorted(logged):
        return False
    con.execute("insert into target.review.release_change select * from review.release_change where release_no > ?",
                [last])
    return True


def _keep_and_serve(settings: Settings, candidate: Path, file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    os.replace(candidate, file)
    serve(settings, file)
    kept = sorted(file.parent.glob("release-*.duckdb"))
    for old in kept[:-settings.releases_kept]:  # the last N stay on disk for rollback
        old.unlink()


@writes_warehouse
def rollback(settings: Settings, number: int, by: str, note: str | None) -> Release:
    """A new release whose data is release `number`'s (which must still be on disk)."""
    source = releases_dir(settings) / f"release-{number:04d}.duckdb"
    if not source.exists():
        raise FileNotFoundError(source)
    candidate = candidate_path(settings)
    candidate.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, candidate)
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        ensure_review_schema(con)
        changes = stage_changes(con, candidate, published_path(settings))
        release = _record(con, settings, "rollback", changes, by, note, settings.release_policy, None,
                          dbt_fingerprint(), restores=number)
        _write_log_into(con, settings, candidate)
    _keep_and_serve(settings, candidate, release.file)
    backup_working(settings, release.number)  # where `planwatch recover` starts from
    return release


@reads_warehouse
def releases(settings: Settings) -> list[tuple]:
    if not settings.warehouse.exists():
        return []
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        if not con.execute("select 1 from duckdb_tables() where schema_name = 'review' and table_name = 'release'"
                           ).fetchone():
            return []
        return con.execute("select release_no, kind, restores, approved_by, approved_at, new_values, revisions, "
                           "withdrawn, note, file_name from review.release order by release_no").fetchall()


@writes_warehouse
def approve_candidate(settings: Settings, by: str, note: str | None) -> Release | None:
    """A steward signs the candidate release: it becomes the next release and the exports follow (None when it
    equals the published one). The command line's `approve` and the workbench's button."""
    from planwatch.publish.publisher import publish_exports

    if not candidate_path(settings).exists():
        raise FileNotFoundError(candidate_path(settings))
    release = release_candidate(settings, approved_by=by, note=note, policy="approve")
    if release is not None:
        publish_exports(settings)
    return release


@writes_warehouse
def rollback_and_export(settings: Settings, number: int, by: str, note: str | None) -> Release:
    """Roll back to release `number` (a new release restoring its data) and write the exports of it."""
    from planwatch.publish.publisher import publish_exports

    release = rollback(settings, number, by, note)
    publish_exports(settings)
    return release


@reads_warehouse
def submissions_since(settings: Settings, since: datetime | None) -> list[tuple]:
    """The submission decisions (accepted, queried, returned) since `since` (None: all): file, status, region,
    sender, actor, time, note (English), load id, note (Chinese) — what a steward reviews before signing a release."""
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        return con.execute("""
            select l.file_name, e.status, e.region_code, e.sender, e.actor, e.happened_at, e.note_en, e.load_id,
                   e.note_zh
            from raw.submission_event e join raw.load_file l using (load_id)
            where e.status in ('accepted', 'queried', 'returned') and ($since is null or e.happened_at > $since)
            order by e.happened_at""", {"since": since}).fetchall()


@reads_warehouse
def release_changes(settings: Settings, number: int) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        return con.execute("select change, indicator_code, region_code, year, previous_value, value, source_file "
                           "from review.release_change where release_no = ? order by all", [number]).fetchall()


@reads_warehouse
def candidate_changes(settings: Settings) -> list[tuple] | None:
    """What the waiting candidate would change (None when no candidate waits)."""
    candidate = candidate_path(settings)
    if not candidate.exists():
        return None
    with duckdb.connect(config=settings.duckdb_config) as con:
        return pending_changes(con, candidate, published_path(settings))
