"""The same dbt project on a real PostgreSQL 15 (issue 9, first part): a throwaway cluster on 127.0.0.1,
the loads synced from DuckDB (the load engine) into the server's raw schema, `dbt build` with every data and
unit test on PostgreSQL, and every mart equal to DuckDB's, row for row."""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest

from conftest import free_port, planwatch_cli

PG_BIN = Path("/usr/lib/postgresql/15/bin")
MARTS = ["dim_indicator", "dim_plan", "dim_plan_indicator", "dim_region", "dim_year", "fct_indicator_observation",
         "fct_plan_progress", "fct_plan_target", "fct_plan_text_target", "rpt_plan_consistency", "rpt_plan_evaluation"]
VOLATILE = {"loaded_at"}  # timestamps: compared through load_id instead


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` system user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_server():
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL 15 server binaries not found under {PG_BIN}")
    # not under pytest's temp folder: that is private to root, and the server runs as `postgres`
    base = Path(tempfile.mkdtemp(prefix="planwatch_pg_"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                 "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "server.log"),
                                 "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {base}", "start"]),
                   check=True, capture_output=True)
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    con.autocommit = True  # CREATE DATABASE cannot run in a transaction
    con.cursor().execute("create database planwatch")
    con.close()
    yield {"PLANWATCH_PG_HOST": "127.0.0.1", "PLANWATCH_PG_PORT": str(port), "PLANWATCH_PG_USER": "postgres",
           "PLANWATCH_PG_DATABASE": "planwatch"}
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                   capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def _normalised(rows: list[tuple]) -> list[tuple]:
    def value(v):
        if isinstance(v, (decimal.Decimal, float)):
            return round(decimal.Decimal(str(v)), 6).normalize()
        return v
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def test_the_project_builds_on_postgres_with_the_same_marts(built_home, tmp_path, postgres_server, monkeypatch):
    for name, value in postgres_server.items():
        monkeypatch.setenv(name, value)
    from planwatch.settings import get_settings
    from planwatch.targets.postgres import sync_raw

    settings = get_settings(home=built_home)
    assert len(sync_raw(settings)) == 4  # the four bundled loads
    assert sync_raw(settings) == []  # idempotent: a load is copied once

    pg_home = tmp_path / "pg_home"
    result = planwatch_cli("dbt", "build", home=pg_home, env_extra={**postgres_server,
                                                                     "PLANWATCH_DBT_TARGET": "postgres"})
    assert "ERROR=0" in result.stdout and "PASS=136" in result.stdout, result.stdout[-2000:]

    import psycopg2

    with psycopg2.connect(host="127.0.0.1", port=int(postgres_server["PLANWATCH_PG_PORT"]), user="postgres",
                          dbname="planwatch") as pg, \
            duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True) as dd:
        for mart in MARTS:
            columns = [r[0] for r in dd.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "order by column_index", [mart]).fetchall() if r[0] not in VOLATILE]
            select = f"select {', '.join(columns)} from marts.{mart}"
            cur = pg.cursor()
            cur.execute(select)
            on_postgres = _normalised(cur.fetchall())
            on_duckdb = _normalised(dd.execute(select).fetchall())
            assert len(on_postgres) == len(on_duckdb) > 0, mart
            assert on_postgres == on_duckdb, mart


def test_publish_is_a_schema_swap_and_the_bi_role_reads_only_the_published_marts(postgres_server):
    """Runs after the build test (same server): publish by schema swap, then connect as the BI role."""
    import psycopg2
    from psycopg2 import errors

    from planwatch.targets.postgres import PostgresConnection, publish_schema_swap

    port = int(postgres_server["PLANWATCH_PG_PORT"])
    admin = PostgresConnection("127.0.0.1", port, "postgres", "", "planwatch")
    with admin.connect() as pg, pg.cursor() as cur:
        cur.execute("create role planwatch_bi login")
        cur.execute("select count(*) from information_schema.tables where table_schema = 'marts'")
        n_marts = cur.fetchone()[0]
    assert len(publish_schema_swap(admin, "planwatch_bi")) == n_marts == len(MARTS)
    assert len(publish_schema_swap(admin, "planwatch_bi")) == n_marts  # again: the old published schema goes

    bi = psycopg2.connect(host="127.0.0.1", port=port, user="planwatch_bi", dbname="planwatch")
    bi.autocommit = True
    cur = bi.cursor()
    cur.execute("select count(*) from published.fct_plan_progress")
    assert cur.fetchone()[0] == 680
    for statement in ("insert into published.dim_year select * from published.dim_year",
                      "delete from published.fct_plan_progress",
                      "create table published.mine (x integer)",
                      "select count(*) from marts.fct_plan_progress",
                      "select count(*) from raw.observation",
                      "select count(*) from staging.stg_raw__observations"):
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute(statement)
    bi.close()
