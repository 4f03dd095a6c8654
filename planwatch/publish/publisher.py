"""Write-audit-publish: the working warehouse is copied to the published one only after the gate passed.

CHECKPOINT the working file, copy its published schemas table by table into a temporary file written with an
older storage version (so older DuckDB clients and BI drivers can read it) — after the first release, into a byte
copy of the last release where only what differs is written — fsync, then rename over the candidate file
(planwatch/publish/published_copy.py), which a release serves. The exports are then written from the published copy into
a fresh folder that replaces the old one. On the PostgreSQL and Spark targets the target publishes first (a
schema swap; a Parquet folder swap — planwatch/targets/) and the published DuckDB file is written, the same
atomic way, from what it published.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import duckdb

from planwatch.faults import checkpoint
from planwatch.publish.exports import ExportResult, write_exports
from planwatch.publish.published_copy import (PUBLISHED_SCHEMAS, published_dir, published_path, replace_folder,
                                              sync_published_table, write_published_file)
from planwatch.settings import Settings
from planwatch.warehouse_access import sql_literal, writes_warehouse


@writes_warehouse
def publish(settings: Settings) -> Path:
    """Publish the gated build of the configured target; returns the published DuckDB file (which the
    dashboard and the exports read on every target)."""
    if settings.target == "postgres":
        from planwatch.targets.postgres import publish_postgres

        return publish_postgres(settings)
    if settings.target == "spark":
        from planwatch.targets.spark import publish_spark

        return publish_spark(settings)
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        con.execute("checkpoint")
    checkpoint("publish.after_checkpoint")

    # the candidate starts from the last release's file and only what differs is written (a new year: its rows; a
    # county's revision: the years it touched); without a release yet, every table is copied
    last_release = published_path(settings)
    start_from = last_release if last_release.exists() else None

    def copy_from_working(con) -> None:
        con.execute(f"attach {sql_literal(settings.warehouse)} as working (read_only)")
        schemas = ", ".join(repr(s) for s in PUBLISHED_SCHEMAS)
        # tables and views alike (fct_indicator_observation is a view of the observation store): the published
        # copy holds each as a table, so a reader needs nothing of the working file
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'working' "
            f"and schema_name in ({schemas}) union all "
            "select schema_name, view_name from duckdb_views() where database_name = 'working' "
            f"and schema_name in ({schemas}) and not internal order by all").fetchall()
        for schema, table in con.execute(  # gone from the working file: gone from the release
                "select schema_name, table_name from duckdb_tables() where database_name = 'published' "
                f"and schema_name in ({schemas}) order by all").fetchall():
            if (schema, table) not in tables:
                con.execute(f'drop table published."{schema}"."{table}"')
        for schema, table in tables:  # into an empty file, each is created
            sync_published_table(con, schema, table)
        con.execute("detach working")

    return write_published_file(settings, copy_from_working, start_from=start_from)


@writes_warehouse
def publish_exports(settings: Settings) -> ExportResult:
    """Exports of the published copy, swapped into published/exports as a whole; nothing before the first release
    (the approve policy, before a steward signed anything): there is nothing to export yet."""
    folder = published_dir(settings)
    if not published_path(settings).exists():
        return ExportResult(folder / "exports", [], [])
    fresh = folder / f".exports.{uuid.uuid4().hex[:8]}.tmp"
    for leftover in folder.glob(".exports.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    previous = folder / "exports"
    # the pieces whose rows did not change are hard-linked from the export being replaced (exports.py)
    result = write_exports(published_path(settings), fresh, settings.duckdb_config,
                           previous=previous if previous.is_dir() else None)
    checkpoint("exports.before_swap")
    final = replace_folder(fresh, previous)
    return ExportResult(final, result.tables, [final / f.relative_to(fresh) for f in result.files],
                        result.written, result.reused)


def where_published(settings: Settings) -> str:
    """Where readers find the published data on this target, for the messages that name it."""
    where = str(published_path(settings))
    if settings.target == "postgres":
        where = f"schema `published` on {settings.pg_host}:{settings.pg_port}/{settings.pg_database} and {where}"
    return where


def publication_blocked(settings: Settings, errors: int) -> tuple[str, str]:
    """The one message, Chinese and English, for a publication the quality gate stopped."""
    where = where_published(settings)
    return (f"数据质量检查有 {errors} 项错误，未发布；已发布的数据保持不变：{where}",
            f"{errors} error-level quality check(s) failed: nothing was published; the published copy is "
            f"unchanged: {where}")
