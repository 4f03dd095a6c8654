"""PostgreSQL as the warehouse: DuckDB stays the load engine, PostgreSQL holds the data of record.

Loads parse, check and quarantine in the local DuckDB warehouse exactly as on the embedded target (one
transaction per file, provenance per cell); `sync_raw` then copies each load not yet on the server — its
load_file row, observations and quarantined rows — into PostgreSQL's `raw` schema in one PostgreSQL
transaction per load, with COPY (never row by row). dbt then builds staging → marts on the server
(`PLANWATCH_DBT_TARGET=postgres`, profiles.yml).

Connection: PLANWATCH_PG_HOST (127.0.0.1), PLANWATCH_PG_PORT (5432), PLANWATCH_PG_USER (planwatch),
PLANWATCH_PG_PASSWORD (empty), PLANWATCH_PG_DATABASE (planwatch) — planwatch/settings.py.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.ingest.schema import LOG_TABLES, RAW_DDL, RAW_TABLES
from planwatch.publish.descriptions import manifest_descriptions
from planwatch.publish.published_copy import PUBLISHED_SCHEMAS, create_published_table, write_published_file
from planwatch.settings import Settings
from planwatch.warehouse_access import sql_literal, writes_warehouse

@dataclass(frozen=True)
class PostgresConnection:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "PostgresConnection":
        return cls(settings.pg_host, settings.pg_port, settings.pg_user, settings.pg_password, settings.pg_database)

    @property
    def sqlalchemy_url(self) -> str:
        from urllib.parse import quote

        return (f"postgresql+psycopg2://{quote(self.user, safe='')}:{quote(self.password, safe='')}"
                f"@{self.host}:{self.port}/{quote(self.dbname, safe='')}")

    @contextmanager
    def connect(self):
        """A psycopg2 connection that is closed on exit (psycopg2's own `with` only ends the transaction)."""
        import psycopg2

        con = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=self.dbname)
        try:
            yield con
        finally:
            con.close()


@writes_warehouse
def sync_raw(settings: Settings, server: PostgresConnection | None = None) -> list[str]:
    """Copy every load the server does not have yet; returns the load ids copied."""
    server = server or PostgresConnection.from_settings(settings)
    copied = []
    with tempfile.TemporaryDirectory(prefix="planwatch_sync_") as folder, server.connect() as pg, duckdb.connect(str(settings.warehouse), read_only=True,
                                               config=settings.duckdb_config) as con:
        with pg.cursor() as cur:
            cur.execute(RAW_DDL)
            cur.execute("select load_id from raw.load_file")
            on_server = {row[0] for row in cur.fetchall()}
        pg.commit()
        work = Path(folder)
        columns = {table: ", ".join(r[0] for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ? "
            "order by column_index", [table]).fetchall()) for table in RAW_TABLES}
        loads = [row[0] for row in con.execute("select load_id from raw.load_file order by loaded_at").fetchall()]
        def copy_rows(cur, table: str, where: str, params: dict) -> None:
            # DuckDB writes the rows as CSV, PostgreSQL's COPY reads them: no Python per row. NULL is an unquoted
            # empty field and an empty text is "" on both sides, so every text (`\N` included) arrives as it is
            part = work / f"{table}.csv"
            con.execute(f"copy (select {columns[table]} from raw.{table} {where}) "
                        f"to {sql_literal(part)} (format csv, header false)", params)
            with open(part, encoding="utf-8") as rows:
                cur.copy_expert(f"copy raw.{table} ({columns[table]}) from stdin with (format csv)", rows)

        for load_id in loads:
            if load_id in on_server:
                continue
            with pg.cursor() as cur:  # one server transaction per load: all of it or none of it
                for table in RAW_TABLES:
                    if table not in LOG_TABLES:
                        copy_rows(cur, table, "where load_id = $id", {"id": load_id})
            pg.commit()
            copied.append(load_id)
        with pg.cursor() as cur:  # the logs whole, in one transaction: small, and appended to for old loads too
            for table in LOG_TABLES:
                cur.execute(f"delete from raw.{table}")
                copy_rows(cur, table, "", {})
        pg.commit()
    return copied


PUBLISHED_SCHEMA = "published"
# PostgreSQL → DuckDB types for the published mirror (anything else arrives as text)
DUCKDB_TYPES = {"integer": "integer", "bigint": "bigint", "smallint": "smallint", "boolean": "boolean",
                "date": "date", "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
                "double precision": "double", "real": "float", "text": "varchar", "character varying": "varchar"}


def publish_schema_swap(server: PostgresConnection, bi_role: str,
                        source_schemas: tuple[str, ...] = PUBLISHED_SCHEMAS, manifest_path: Path | None = None
                        ) -> list[str]:
    """Publish on PostgreSQL by a schema swap in one transaction: copy every table of `source_schemas` into a
    fresh schema, grant the read-only BI role USAGE on it and SELECT on its tables, then drop the old
    `published` schema and rename the fresh one — readers see the old marts or the new ones, never a mix, and
    the BI role never sees a working schema. Called only after the quality gate passed."""
    staging = f"{PUBLISHED_SCHEMA}_next"
    with server.connect() as pg, pg.cursor() as cur:
        cur.execute("select table_schema, table_name from information_schema.tables where table_schema = any(%s) "
                    "and table_type in ('BASE TABLE', 'VIEW') order by table_schema, table_name", [list(source_schemas)])
        tables = cur.fetchall()
        cur.execute("select 1 from pg_roles where rolname = %s", [bi_role])
        if cur.fetchone() is None:  # a DBA gives it LOGIN and a password: until then nobody logs in as it
            cur.execute(f'create role "{bi_role}" nologin')
        cur.execute(f'drop schema if exists "{staging}" cascade')
        cur.execute(f'create schema "{staging}"')
        words = manifest_descriptions(manifest_path) if manifest_path else {}
        for schema, table in tables:
            # a view (fct_indicator_observation) is published as a table like the rest
            cur.execute(f'create table "{staging}"."{table}" as table "{schema}"."{table}"')
            # CREATE TABLE AS keeps no comment: the BI role's catalog gets the YAML's words again
            described, columns = words.get((schema, table), ("", {}))
            if described:
                cur.execute(f'comment on table "{staging}"."{table}" is %s', [described])
            cur.execute("select column_name from information_schema.columns where table_schema = %s and "
                        "table_name = %s", [schema, table])
            for (column,) in cur.fetchall():
                if columns.get(column):
                    cur.execute(f'comment on column "{staging}"."{table}"."{column}" is %s', [columns[column]])
        cur.execute(f'grant usage on schema "{staging}" to "{bi_role}"')
        cur.execute(f'grant select on all tables in schema "{staging}" to "{bi_role}"')
        cur.execute(f'drop schema if exists "{PUBLISHED_SCHEMA}" cascade')
        cur.execute(f'alter schema "{staging}" rename to "{PUBLISHED_SCHEMA}"')
        pg.commit()  # one transaction: PostgreSQL's DDL is transactional
    return [table for _, table in tables]


def _duckdb_type(data_type: str, precision: int | None, scale: int | None) -> str:
    if data_type == "numeric":
        return f"decimal({precision}, {scale})" if precision else "decimal(38, 10)"
    return DUCKDB_TYPES.get(data_type, "varchar")


def mirror_published(settings: Settings, server: PostgresConnection) -> Path:
    """The server's `published` schema as the published DuckDB file (marts.*, quality.quality_result) that the
    dashboard and the exports read: each table leaves the server by COPY as CSV and enters DuckDB by read_csv
    with the server's column types — a snapshot of exactly what BI users see."""
    with tempfile.TemporaryDirectory(prefix="planwatch_mirror_") as folder, server.connect() as pg, \
            pg.cursor() as cur:
        pg.set_session(isolation_level="REPEATABLE READ", readonly=True)  # one snapshot of every table
        cur.execute("select table_name, column_name, data_type, numeric_precision, numeric_scale "
                    "from information_schema.columns where table_schema = %s order by table_name, ordinal_position",
                    [PUBLISHED_SCHEMA])
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type, precision, scale in cur.fetchall():
            columns.setdefault(table, []).append((column, _duckdb_type(data_type, precision, scale)))
        parts = {}
        for table in columns:
            parts[table] = Path(folder) / f"{table}.csv"
            with open(parts[table], "w", encoding="utf-8") as out:
                cur.copy_expert(f'copy "{PUBLISHED_SCHEMA}"."{table}" to stdout with (format csv)', out)
        pg.rollback()

        def fill(con) -> None:
            for table, table_columns in columns.items():
                schema = "quality" if table == "quality_result" else "marts"
                spec = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in table_columns) + "}"
                create_published_table(con, schema, table, "select * from read_csv("
                                       f"{sql_literal(parts[table])}, columns = {spec}, header = false, quote = '\"', "
                                       "escape = '\"', allow_quoted_nulls = false, auto_detect = false)")

        return write_published_file(settings, fill)


@writes_warehouse
def publish_postgres(settings: Settings) -> Path:
    server = PostgresConnection.from_settings(settings)
    publish_schema_swap(server, settings.pg_bi_role, manifest_path=settings.manifest_path)
    return mirror_published(settings, server)
