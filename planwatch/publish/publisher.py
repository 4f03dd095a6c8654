"""Write-audit-publish: the working warehouse is copied to the published one only after the gate passed.

CHECKPOINT the working file, copy it with DuckDB's `COPY FROM DATABASE` into a temporary file written with an
older storage version (so older DuckDB clients and BI drivers can read it), fsync, then rename over the
published file — readers see the old copy or the new one, never a half-written file. The exports are then
written from the published copy into a fresh folder that replaces the old one. On the PostgreSQL and Spark
targets the target publishes first (a schema swap; a Parquet folder swap — planwatch/targets/) and the published
DuckDB file is written, the same atomic way, from what it published.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from planwatch.faults import checkpoint
from planwatch.publish.exports import ExportResult, write_exports
from planwatch.settings import Settings

# What dashboards and BI tools get: the star schema and the quality history. The working schemas (raw,
# seeds, staging, intermediate) stay in the working warehouse: they are not part of the BI contract, and at
# national scale raw.observation alone would double the copy.
PUBLISHED_SCHEMAS = ("marts", "quality")
# the oldest storage format DuckDB 1.x clients read; DuckDB 2 writes it on request
STORAGE_VERSION = "v1.0.0"


def published_dir(settings: Settings) -> Path:
    return settings.home / "published"


def published_path(settings: Settings) -> Path:
    return published_dir(settings) / settings.warehouse.name


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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

    def copy_from_working(con) -> None:
        con.execute(f"attach '{settings.warehouse}' as working (read_only)")
        for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'working' "
                f"and schema_name in ({', '.join(repr(s) for s in PUBLISHED_SCHEMAS)}) order by all").fetchall():
            con.execute(f'create schema if not exists published."{schema}"')
            con.execute(f'create table published."{schema}"."{table}" as from working."{schema}"."{table}"')
        con.execute("detach working")

    return write_published_file(settings, copy_from_working)


def write_published_file(settings: Settings, fill) -> Path:
    """Write the published DuckDB file atomically: `fill(con)` creates the tables in the attached database
    `published` of a fresh temporary file, which is fsynced and renamed over the published file."""
    target = published_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a run that died mid-copy
        leftover.unlink()
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    with duckdb.connect(config=settings.duckdb_config) as con:
        con.execute("set enable_progress_bar = false")  # a background step: no bar in the logs
        con.execute(f"attach '{staging}' as published (storage_version '{STORAGE_VERSION}')")
        fill(con)
        con.execute("detach published")
    checkpoint("publish.after_copy")
    _fsync(staging)
    os.replace(staging, target)
    _fsync(target.parent)
    checkpoint("publish.after_rename")
    return target


def publish_exports(settings: Settings) -> ExportResult:
    """Exports of the published copy, swapped into published/exports as a whole."""
    folder = published_dir(settings)
    fresh = folder / f".exports.{uuid.uuid4().hex[:8]}.tmp"
    for leftover in folder.glob(".exports.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    result = write_exports(published_path(settings), fresh, settings.duckdb_config)
    checkpoint("exports.before_swap")
    final = replace_folder(fresh, folder / "exports")
    return ExportResult(final, result.tables, [final / f.relative_to(fresh) for f in result.files])


def replace_folder(fresh: Path, final: Path) -> Path:
    """Put the fully written folder `fresh` in the place of `final`: readers find the old folder or the new one
    (two renames; between them `final` is briefly absent, never half-written); the old one is then removed."""
    retired = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old")
    if final.exists():
        os.replace(final, retired)
    os.replace(fresh, final)
    shutil.rmtree(retired, ignore_errors=True)
    return final
