"""PostgreSQL as the warehouse: DuckDB stays the load engine, PostgreSQL holds the data of record.

Loads parse, check and quarantine in the local DuckDB warehouse exactly as on the embedded target (one
transaction per file, provenance per cell); `sync_raw` then copies each load not yet on the server — its
load_file row, observations and quarantined rows — into PostgreSQL's `raw` schema in one PostgreSQL
transaction per load, with COPY (never row by row). dbt then builds staging → marts on the server
(`PLANWATCH_DBT_TARGET=postgres`, profiles.yml).

Connection: PLANWATCH_PG_HOST (127.0.0.1), PLANWATCH_PG_PORT (5432), PLANWATCH_PG_USER (planwatch),
PLANWATCH_PG_PASSWORD (empty), PLANWATCH_PG_DATABASE (planwatch).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.ingest.schema import RAW_DDL
from planwatch.settings import Settings

RAW_TABLES = ("load_file", "observation", "quarantine")


@dataclass(frozen=True)
class PostgresConnection:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_env(cls) -> "PostgresConnection":
        return cls(os.environ.get("PLANWATCH_PG_HOST", "127.0.0.1"), int(os.environ.get("PLANWATCH_PG_PORT", "5432")),
                   os.environ.get("PLANWATCH_PG_USER", "planwatch"), os.environ.get("PLANWATCH_PG_PASSWORD", ""),
                   os.environ.get("PLANWATCH_PG_DATABASE", "planwatch"))

    def connect(self):
        import psycopg2

        return psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                dbname=self.dbname)


def sync_raw(settings: Settings, server: PostgresConnection | None = None) -> list[str]:
    """Copy every load the server does not have yet; returns the load ids copied."""
    server = server or PostgresConnection.from_env()
    copied = []
    with tempfile.TemporaryDirectory(prefix="planwatch_sync_") as folder, server.connect() as pg, duckdb.connect(str(settings.warehouse), read_only=True,
                                               config=settings.duckdb_config) as con:
        with pg.cursor() as cur:
            cur.execute(RAW_DDL)
            cur.execute("select load_id from raw.load_file")
            on_server = {row[0] for row in cur.fetchall()}
        pg.commit()
        work = Path(folder)
        loads = [row[0] for row in con.execute("select load_id from raw.load_file order by loaded_at").fetchall()]
        for load_id in loads:
            if load_id in on_server:
                continue
            with pg.cursor() as cur:  # one server transaction per load: all of it or none of it
                for table in RAW_TABLES:
                    columns = [r[0] for r in con.execute(
                        "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ? "
                        "order by column_index", [table]).fetchall()]
                    # DuckDB writes the load's rows as CSV, PostgreSQL's COPY reads them: no Python per row
                    part = work / f"{table}.csv"
                    con.execute(f"copy (select {', '.join(columns)} from raw.{table} where load_id = $id) "
                                f"to '{part}' (format csv, header false, nullstr '\\N')", {"id": load_id})
                    with open(part, encoding="utf-8") as rows:
                        cur.copy_expert(f"copy raw.{table} ({', '.join(columns)}) from stdin with (format csv, "
                                        "null '\\N')", rows)
            pg.commit()
            copied.append(load_id)
    return copied


PUBLISHED_SCHEMA = "published"


def publish_schema_swap(server: PostgresConnection, bi_role: str, source_schema: str = "marts") -> list[str]:
    """Publish the marts on PostgreSQL by a schema swap in one transaction: copy every table of `source_schema`
    into a fresh schema, grant the read-only BI role USAGE on it and SELECT on its tables, then drop the old
    `published` schema and rename the fresh one — readers see the old marts or the new ones, never a mix, and
    the BI role never sees a working schema. (To be called only after the quality gate passed: wiring it
    behind the gate is the next step of issue 9.)"""
    staging = f"{PUBLISHED_SCHEMA}_next"
    with server.connect() as pg, pg.cursor() as cur:
        cur.execute("select table_name from information_schema.tables where table_schema = %s "
                    "and table_type = 'BASE TABLE' order by table_name", [source_schema])
        tables = [row[0] for row in cur.fetchall()]
        cur.execute(f'drop schema if exists "{staging}" cascade')
        cur.execute(f'create schema "{staging}"')
        for table in tables:
            cur.execute(f'create table "{staging}"."{table}" as table "{source_schema}"."{table}"')
        cur.execute(f'grant usage on schema "{staging}" to "{bi_role}"')
        cur.execute(f'grant select on all tables in schema "{staging}" to "{bi_role}"')
        cur.execute(f'drop schema if exists "{PUBLISHED_SCHEMA}" cascade')
        cur.execute(f'alter schema "{staging}" rename to "{PUBLISHED_SCHEMA}"')
        pg.commit()  # one transaction: PostgreSQL's DDL is transactional
    return tables
