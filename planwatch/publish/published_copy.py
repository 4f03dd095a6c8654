"""The published copy: what dashboards and BI tools read, and the atomic swaps that replace it.

Every target ends its publication here: the gated build is written into a temporary file (on DuckDB, after the
first release, a byte copy of the last release with only what differs written: sync_published_table), fsynced and
renamed to the *candidate* file (`published/candidate/`); a release (planwatch/release/) then keeps it under
`published/releases/` and puts it in the published file's place in one rename — readers see the old copy or the
new one, never a half-written file. Folders (exports, Spark's raw and published Parquet) are swapped the same
way. This module sits below the targets (planwatch/targets/) and the publisher that dispatches to them, so
neither imports the other.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from planwatch.faults import checkpoint
from planwatch.publish.descriptions import describe_database
from planwatch.settings import Settings
from planwatch.warehouse_access import sql_literal

# What dashboards and BI tools get: the star schema and the quality history. The working schemas (raw,
# seeds, staging, intermediate) stay in the working warehouse: they are not part of the BI contract, and at
# national scale raw.observation alone would double the copy.
PUBLISHED_SCHEMAS = ("marts", "quality")
# what a candidate keeps of the last release's file beside PUBLISHED_SCHEMAS: the release log, to which the next
# release appends (planwatch/release/releases.py) instead of writing every release's changes again
RELEASE_LOG_SCHEMA = "review"
# The order a published table is stored in where readers look its rows up by key. DuckDB skips each row group whose
# min/max cannot match, so the dashboard's provenance lookup (every vintage of one indicator × region × year) reads
# one row group of fct_indicator_observation instead of scanning it: it is a view of the observation store, whose
# delete+insert increments leave it in no order. At the 10 % pack (1.9 million rows) the ordered copy took 2.5 s
# against 1.8 s and the lookup's p95 fell from 9.1 to 5.6 ms; at national scale the unordered p95 was 178 ms
# (BENCHMARKS.md). The progress marts are written in region order by their own models. A year written again into a
# copied release is appended in this order: its rows stay together, and the lookup still reads few row groups.
PUBLISHED_ORDER = {("marts", "fct_indicator_observation"): "indicator_code, region_code, year, vintage"}
# the oldest storage format DuckDB 1.x clients read; DuckDB 2 writes it on request
STORAGE_VERSION = "v1.0.0"


def create_published_table(con, schema: str, table: str, select_sql: str) -> None:
    """One table of the published copy (attached as `published`) from a query, stored in its PUBLISHED_ORDER."""
    order = PUBLISHED_ORDER.get((schema, table))
    con.execute(f'create schema if not exists published."{schema}"')
    con.execute(f'create table published."{schema}"."{table}" as {select_sql}'
                + (f" order by {order}" if order else ""))


def row_fingerprints(con, relation: str, columns: list[str], by_year: bool, years: list | None = None) -> dict:
    """{year (None when not by year): (rows, sum of the rows' hashes)} of `columns` of `relation`, one scan (of
    `years` only, when given). A changed, added or removed row changes its year's sum (a 64-bit hash summed as a
    HUGEINT: an accidental collision has odds of 2^-64). The exports key their pieces with it; a publication
    compares the working file with the last release."""
    hashed = ", ".join(f'"{name}"' for name in columns)
    where = f" where year in ({', '.join('?' * len(years))})" if years else ""
    rows = con.execute(f'select {"year" if by_year else "null"}, count(*), sum(hash({hashed}))::varchar '
                       f"from {relation}{where} group by all", years or None).fetchall()
    return {year: (n, digest) for year, n, digest in rows}


def sync_published_table(con, schema: str, table: str, database: str = "working") -> str:
    """Make the table `schema.table` of the published copy (attached as `published`: empty, or a copy of the last
    release) hold exactly the rows of the same table (or view) of `database`, writing only what differs; returns
    what it wrote. A new table, or one whose columns changed, is created. A table with a `year` column is compared
    year by year (row_fingerprints on each side) and the years that differ are deleted and inserted again, in the
    table's PUBLISHED_ORDER; any other table is written again whole when it differs. The whole tables are then
    compared once more: a copy that does not equal its source is an error, never a release."""
    source, target = f'{database}."{schema}"."{table}"', f'published."{schema}"."{table}"'
    columns = table_columns(con, "published", schema, table)
    if columns != table_columns(con, database, schema, table):
        con.execute(f"drop table if exists {target}")
        create_published_table(con, schema, table, f"select * from {source}")
        return "created"
    names = [name for name, _ in columns]
    by_year = "year" in names
    working, published = (row_fingerprints(con, rel, names, by_year) for rel in (source, target))
    changed = sorted((year for year in working.keys() | published.keys() if working.get(year) != published.get(year)),
                     key=lambda year: (year is None, year))
    if not changed:
        return "unchanged"
    rewritten = None if not by_year or None in changed else changed  # None: the whole table
    if rewritten is None:  # no year, or rows without one
        con.execute(f"drop table {target}")
        create_published_table(con, schema, table, f"select * from {source}")
        done = "replaced"
    else:
        years = ", ".join("?" * len(rewritten))
        order = PUBLISHED_ORDER.get((schema, table))
        con.execute(f"delete from {target} where year in ({years})", rewritten)
        con.execute(f"insert into {target} select * from {source} where year in ({years})"
                    + (f" order by {order}" if order else ""), rewritten)
        done = "years " + ", ".join(str(year) for year in rewritten)
    # what was written is compared again with the working side's fingerprints taken above (the working file is
    # attached read-only); the years not rewritten were equal and were not touched
    expected = working if rewritten is None else {year: working[year] for year in rewritten if year in working}
    if row_fingerprints(con, target, names, by_year, rewritten) != expected:
        raise RuntimeError(f"发布副本的 {schema}.{table} 与工作库不一致，未发布 / the published copy of {schema}.{table} "
                           f"does not equal the working warehouse's: nothing was published")
    return done


def table_columns(con, database: str, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of each column of a table of an attached DuckDB database, in order; [] when there is none."""
    return con.execute("select column_name, data_type from duckdb_columns() where database_name = ? "
                       "and schema_name = ? and table_name = ? order by column_index",
                       [database, schema, table]).fetchall()


def published_dir(settings: Settings) -> Path:
    return settings.home / "published"


def published_path(settings: Settings) -> Path:
    """The file readers open: always the current release."""
    return published_dir(settings) / settings.warehouse.name


def candidate_path(settings: Settings) -> Path:
    """The gated build waiting to become a release (at once under the `auto` policy, on a steward's approval
    under `approve`)."""
    return published_dir(settings) / "candidate" / settings.warehouse.name


def releases_dir(settings: Settings) -> Path:
    return published_dir(settings) / "releases"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_published_file(settings: Settings, fill, start_from: Path | None = None) -> Path:
    """Write the candidate DuckDB file atomically: `fill(con)` creates the tables in the attached database
    `published` of a temporary file, which is fsynced and renamed over the candidate file. With `start_from` (the
    last release's file) the temporary file starts as a byte copy of it, the release's own file untouched, and
    `fill` changes what differs (sync_published_table); a schema beyond PUBLISHED_SCHEMAS and the release log
    (RELEASE_LOG_SCHEMA, which the release brings up to date) is dropped first."""
    target = candidate_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):  # from a run that died mid-copy
        leftover.unlink()
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    if start_from is not None:
        shutil.copyfile(start_from, staging)
    with duckdb.connect(config=settings.duckdb_config) as con:
        con.execute("set enable_progress_bar = false")  # a background step: no bar in the logs
        # a copied file keeps the storage version it was written with
        con.execute(f"attach {sql_literal(staging)} as published (storage_version '{STORAGE_VERSION}')")
        for (schema,) in con.execute("select schema_name from duckdb_schemas() where database_name = 'published' "
                                     "and not internal and schema_name <> 'main'").fetchall():
            if schema not in PUBLISHED_SCHEMAS + (RELEASE_LOG_SCHEMA,):
                con.execute(f'drop schema published."{schema}" cascade')
        fill(con)
        describe_database(con, "published", settings.manifest_path)  # the catalog says what each column is
        con.execute("detach published")
    checkpoint("publish.after_copy")
    _fsync(staging)
    os.replace(staging, target)
    _fsync(target.parent)
    return target


def serve(settings: Settings, release_file: Path) -> Path:
    """Put a release's file in the published file's place in one rename (a hard link: no copy of the data);
    readers that have the old one open keep reading it."""
    target = published_path(settings)
    staging = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    os.link(release_file, staging)
    os.replace(staging, target)
    _fsync(target.parent)
    checkpoint("publish.after_rename")
    return target


def replace_folder(fresh: Path, final: Path) -> Path:
    """Put the fully written folder `fresh` in the place of `final`: readers find the old folder or the new one
    (two renames; between them `final` is briefly absent, never half-written); the old one is then removed."""
    retired = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old")
    if final.exists():
        os.replace(final, retired)
    os.replace(fresh, final)
    shutil.rmtree(retired, ignore_errors=True)
    return final

