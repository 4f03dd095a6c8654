"""The whole pipeline on a real PostgreSQL 15: a throwaway cluster on 127.0.0.1 (initdb + pg_ctl, no docker),
`planwatch run` with PLANWATCH_DBT_TARGET=postgres — loads in DuckDB (the load engine) synced into the server,
`dbt build` with every data and unit test there, the Great Expectations gate there, publication by schema swap —
every mart equal to DuckDB's, row for row, and a read-only BI role that sees the published schema only."""

from __future__ import annotations

from contextlib import closing

import duckdb
import pytest

from conftest import planwatch_cli
from servers import postgres_server  # noqa: F401  (a fixture: a throwaway PostgreSQL 15 on 127.0.0.1)
from warehouses import (MARTS, MAY_BE_EMPTY, PROGRESS_MODELS, PROGRESS_REVISIONS, TOUCHED_ROW, UNTOUCHED_ROW,
                        mart_select, normalised)
from expectations.suites import build_checks

def _admin(server: dict):
    """The server's superuser, autocommit, closed on exit (psycopg2's own `with` would open a transaction, and
    a change made inside it would be invisible to the planwatch process the test starts)."""
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=int(server["PLANWATCH_PG_PORT"]), user="postgres",
                           dbname="planwatch")
    con.autocommit = True
    return closing(con)


@pytest.fixture(scope="module")
def postgres_run(postgres_server, tmp_path_factory):
    """One `planwatch run` with PLANWATCH_DBT_TARGET=postgres, as a user runs it: loads in DuckDB, synced into the
    server, dbt build on the server, Great Expectations on the server, schema swap, published mirror, exports."""
    home = tmp_path_factory.mktemp("pg_home")
    result = planwatch_cli("run", home=home, env_extra={**postgres_server, "PLANWATCH_DBT_TARGET": "postgres"})
    return home, result.stdout


def test_the_whole_pipeline_runs_on_postgres_with_the_same_marts(built_home, postgres_server, postgres_run):
    home, stdout = postgres_run
    assert "errors 0" in stdout and "quarantined" in stdout, stdout[-3000:]
    with _admin(postgres_server) as pg, \
            duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True) as dd:
        cur = pg.cursor()
        cur.execute("select count(*) from raw.load_file")
        assert cur.fetchone()[0] == 4  # the four bundled loads, synced from the DuckDB load engine
        for mart in MARTS:
            select = mart_select(dd, mart)
            cur.execute(select)
            on_postgres = normalised(cur.fetchall())
            on_duckdb = normalised(dd.execute(select).fetchall())
            assert len(on_postgres) == len(on_duckdb) and (on_duckdb or mart in MAY_BE_EMPTY), mart
            assert on_postgres == on_duckdb, mart
        # the gate ran on the server: its results are in the server's quality schema and were published
        cur.execute("select count(*), count(*) filter (where severity = 'error' and not success) "
                    "from quality.quality_result")
        n_results, n_failed_errors = cur.fetchone()
        assert n_results == len(build_checks()) and n_failed_errors == 0
        cur.execute("select table_name from information_schema.tables where table_schema = 'published'")
        assert {r[0] for r in cur.fetchall()} == {*MARTS, "quality_result"}
    # what the dashboard and the exports read: a snapshot of the server's published schema
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as mirror, \
            duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as dd:
        for mart in MARTS:
            select = mart_select(dd, mart)
            assert normalised(mirror.execute(select).fetchall()) == normalised(dd.execute(select).fetchall()), mart
        assert mirror.execute("select count(*) from quality.quality_result").fetchone()[0] == len(build_checks())
    assert list((home / "published" / "exports" / "parquet" / "fct_plan_progress").glob("year=2025/*.parquet"))


def test_the_bi_role_reads_the_published_marts_and_nothing_else(postgres_server, postgres_run):
    import psycopg2
    from psycopg2 import errors

    with _admin(postgres_server) as pg:  # publish created the role without LOGIN: a DBA lets it log in
        pg.cursor().execute("alter role planwatch_bi login")
    bi = psycopg2.connect(host="127.0.0.1", port=int(postgres_server["PLANWATCH_PG_PORT"]), user="planwatch_bi",
                          dbname="planwatch")
    bi.autocommit = True
    cur = bi.cursor()
    cur.execute("select count(*) from published.fct_plan_progress")
    assert cur.fetchone()[0] == (17 + 13) * 8 * 5  # the 14th plan and the example 15th
    cur.execute("select count(*) from published.quality_result")
    assert cur.fetchone()[0] == len(build_checks())
    # the catalog the BI role browses describes every table and column (the dbt YAML's words)
    cur.execute("select c.table_name, c.column_name from information_schema.columns c "
                "where c.table_schema = 'published' and coalesce(col_description("
                "format('%I.%I', c.table_schema, c.table_name)::regclass, c.ordinal_position), '') = ''")
    assert cur.fetchall() == []
    cur.execute("select count(*) from information_schema.tables t where t.table_schema = 'published' and "
                "coalesce(obj_description(format('%I.%I', t.table_schema, t.table_name)::regclass), '') = ''")
    assert cur.fetchone()[0] == 0
    for statement in ("insert into published.dim_year select * from published.dim_year",
                      "delete from published.fct_plan_progress",
                      "update published.dim_region set region_code = 'x'",
                      "create table published.mine (x integer)",
                      "drop table published.dim_year",
                      "select count(*) from marts.fct_plan_progress",
                      "select count(*) from raw.observation",
                      "select count(*) from staging.stg_raw__observations",
                      "select count(*) from quality.quality_result"):
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute(statement)
    bi.close()


def test_the_gate_on_postgres_blocks_bad_marts_and_the_published_schema_stays(postgres_server, postgres_run):
    """Runs last on the shared server: a negative count in the server's marts fails a real GE validation there,
    and nothing is published — BI users keep the previous published schema."""
    home, _ = postgres_run
    with _admin(postgres_server) as pg:
        cur = pg.cursor()
        cur.execute("select o.indicator_code, o.region_code, o.year, o.vintage, o.value "
                    "from marts.fct_indicator_observation o join marts.dim_indicator i using (indicator_code) "
                    "where i.value_type = 'count' and o.value > 0 order by 1, 2, 3, 4 limit 1")
        indicator, region, year, vintage, value = cur.fetchone()
        key = "indicator_code = %s and region_code = %s and year = %s and vintage = %s"
        cur.execute(f"update marts.fct_indicator_observation set value = -value where {key}",
                    [indicator, region, year, vintage])
        result = planwatch_cli("publish", home=home, check=False,
                               env_extra={**postgres_server, "PLANWATCH_DBT_TARGET": "postgres"})
        assert result.returncode == 1, result.stdout[-3000:]
        assert "marts_counts_non_negative" in result.stdout and "nothing was published" in result.stderr
        cur.execute(f"select value from published.fct_indicator_observation where {key}",
                    [indicator, region, year, vintage])
        assert cur.fetchone()[0] == value  # the published schema is the previous, good one
        cur.execute("select count(*) from quality.quality_result where check_name = 'marts_counts_non_negative' "
                    "and not success")
        assert cur.fetchone()[0] == 1


def test_the_sync_carries_every_text_exactly(postgres_server, postgres_run, tmp_path):
    """`\\N`, quotes, commas, line breaks and an empty-looking text reach the server as they are; a NUL byte (which
    PostgreSQL cannot store) was refused at load with its reason instead of blocking every later sync."""
    home, _ = postgres_run
    texts = ["\\N", 'say "hi", then\nbreak', "NULL", "  ", "逗号，全角"]
    lines = "".join(f'城镇新增就业人数,江门市,{2016 + i},{i + 1},万人,,,"{t.replace(chr(34), chr(34) * 2)}"\n'
                    for i, t in enumerate(texts))
    odd = tmp_path / "odd_texts.csv"
    odd.write_text("指标,地区,年份,数值,单位,状态,来源,备注\n" + lines + "城镇新增就业人数,江门市,2030,1,万人,,,坏\x00字\n",
                   encoding="utf-8")
    env = {**postgres_server, "PLANWATCH_DBT_TARGET": "postgres"}
    loaded = planwatch_cli("load", str(odd), home=home, env_extra=env, check=False)
    assert "control_character" not in loaded.stdout and "NUL" in loaded.stdout, loaded.stdout  # said in words
    planwatch_cli("sync", home=home, env_extra=env)
    select = ("select year, note from raw.observation where file_name = 'odd_texts.csv' order by year")
    with _admin(postgres_server) as pg, \
            duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as dd:
        cur = pg.cursor()
        cur.execute(select)
        on_server = cur.fetchall()
        assert on_server == dd.execute(select).fetchall()
        assert [note for _, note in on_server] == [t if t.strip() else None for t in texts]
        cur.execute("select raw_value, reason_code from raw.quarantine where file_name = 'odd_texts.csv'")
        assert cur.fetchall() == [("城镇新增就业人数 | 江门市 | 2030 | 1 | 坏␀字", "control_character")]


def test_an_incremental_progress_build_on_postgres_equals_a_full_rebuild(postgres_server, postgres_run, tmp_path):
    """The progress models are incremental on PostgreSQL too (delete+insert, the post-hooks' DELETE and UPDATE …
    FROM): after the revisions, an incremental build leaves an untouched row as it was, rewrites the touched ones,
    and every row equals what a full rebuild then derives."""
    home, _ = postgres_run
    env = {**postgres_server, "PLANWATCH_DBT_TARGET": "postgres"}
    revisions = tmp_path / "revisions.csv"
    revisions.write_text(PROGRESS_REVISIONS, encoding="utf-8")
    planwatch_cli("load", str(revisions), home=home, env_extra=env)
    planwatch_cli("sync", home=home, env_extra=env)
    with _admin(postgres_server) as pg:
        cur = pg.cursor()
        for table in PROGRESS_MODELS:
            cur.execute(f"update {table} set target_basis = 'mark' where ({UNTOUCHED_ROW}) or ({TOUCHED_ROW})")
        planwatch_cli("dbt", "build", home=home, env_extra=env)
        cur.execute("drop schema if exists incremental_build cascade")
        cur.execute("create schema incremental_build")
        for table in PROGRESS_MODELS:
            name = table.split(".")[1]
            cur.execute(f"select count(*) filter (where {UNTOUCHED_ROW}), count(*) filter (where {TOUCHED_ROW}) "
                        f"from {table} where target_basis = 'mark'")
            untouched, touched = cur.fetchone()
            assert untouched > 0 and touched == 0, (table, untouched, touched)
            cur.execute(f"create table incremental_build.{name} as select * from {table} where not ({UNTOUCHED_ROW})")
        planwatch_cli("dbt", "build", "--full-refresh", "--select", "int_plan_progress__spine+", home=home,
                      env_extra=env)
        for table in PROGRESS_MODELS:
            mine, full = f"incremental_build.{table.split('.')[1]}", f"(select * from {table} where not ({UNTOUCHED_ROW})) as f"
            for a, b in ((mine, full), (full, mine)):
                cur.execute(f"select count(*) from (select * from {a} except all select * from {b}) as d")
                assert cur.fetchone()[0] == 0, (table, a)
        cur.execute("drop schema incremental_build cascade")
