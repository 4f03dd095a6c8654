"""Spark as the warehouse (a province's or the nation's data): dbt builds with dbt-spark's `session` method —
local pyspark inside dbt's own process — into Parquet tables under PLANWATCH_SPARK_DIR (Derby metastore beside).

The loads still parse, check and quarantine in the DuckDB working file; `sync_raw` writes its raw tables as
Parquet folders (DuckDB's COPY) and declares them as Spark's external tables raw.load_file, raw.observation and
raw.quarantine. Derby lets one process at a time open the metastore, so every Spark step — the declaration,
dbt, the quality gate, publish — runs in a process of its own, one after the other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb

from planwatch.ingest.schema import RAW_TABLES
from planwatch.publish.published_copy import PUBLISHED_SCHEMAS, replace_folder, write_published_file
from planwatch.settings import SPARK_PROCESS_ENV, Settings
from planwatch.warehouse_access import inherit_env, sql_literal, writes_warehouse


def spark_literal(value) -> str:
    """A path as a Spark SQL string literal (Spark escapes with backslashes, not by doubling the quote)."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def raw_folder(settings: Settings) -> Path:
    return settings.spark_dir / "raw"


@writes_warehouse
def sync_raw(settings: Settings) -> list[str]:
    """Write DuckDB's raw tables as the Parquet folders Spark reads; returns the load ids Spark did not have.
    Each folder is written beside the old one and swapped in, so a failed sync leaves the previous one whole."""
    folder = raw_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    known = set()
    if (folder / "load_file").exists():
        with duckdb.connect() as con:
            known = {r[0] for r in con.execute(
                f"select load_id from read_parquet({sql_literal(str(folder / 'load_file') + '/*.parquet')})").fetchall()}
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        con.execute("set enable_progress_bar = false")
        loads = [r[0] for r in con.execute("select load_id from raw.load_file order by loaded_at").fetchall()]
        for table in RAW_TABLES:
            fresh = folder / f".{table}.{uuid.uuid4().hex[:8]}.tmp"
            fresh.mkdir()
            con.execute(f"copy raw.{table} to {sql_literal(fresh / 'part-0.parquet')} (format parquet)")
            replace_folder(fresh, folder / table)
    run_in_spark_process(settings, __name__, "declare-raw")
    return [load for load in loads if load not in known]


def declare_raw_tables(settings: Settings) -> None:
    """In a Spark process: (re)declare the synced Parquet folders as the external tables raw.*."""
    spark = spark_session(settings)
    spark.sql("create database if not exists raw")
    for table in RAW_TABLES:
        spark.sql(f"drop table if exists raw.{table}")  # external: the files stay
        spark.sql(f"create table raw.{table} using parquet location {spark_literal(raw_folder(settings) / table)}")


def run_in_spark_process(settings: Settings, module: str, *args: str) -> None:
    """`python -m MODULE ARGS…` on these settings: a Spark step in a process of its own, so the Derby metastore
    is free again when it ends (this module's steps below; the quality gate's is expectations.gate)."""
    env = {**os.environ, "PLANWATCH_HOME": str(settings.home), "PLANWATCH_WAREHOUSE": str(settings.warehouse),
           "PLANWATCH_LANDING": str(settings.landing), "PLANWATCH_DBT_TARGET": settings.target,
           **inherit_env(settings),  # it works under this process's hold of the warehouse
           SPARK_PROCESS_ENV: "1"}  # the one kind of process where pyspark may be imported (expectations/__init__)
    child = subprocess.run([sys.executable, "-m", module, *args], env=env, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"Spark step `{module} {' '.join(args[:1])}` failed (exit {child.returncode}):\n"
                           f"{child.stderr[-4000:]}")


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration of profiles.yml's `spark` output — one source for dbt and for planwatch's own
    Spark steps (the gate, publish), so both open the same warehouse folder and metastore."""
    import jinja2
    import yaml

    from planwatch.settings import REPO_ROOT

    def env_var(name: str, default: str = "") -> str:
        return str(settings.spark_dir) if name == "PLANWATCH_SPARK_DIR" else os.environ.get(name, default)

    profile = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["planwatch"]["outputs"]["spark"]["server_side_parameters"]
    return {key: jinja2.Template(str(value)).render(env_var=env_var) for key, value in parameters.items()}


def spark_session(settings: Settings):
    """A local Spark session on the target's warehouse and metastore, configured exactly as dbt's."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("planwatch").enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


QUALITY_HISTORY_SCHEMA = ("run_id string, suite string, table_name string, check_name string, family string, "
                          "severity string, success boolean, observed string, title_zh string, description string, "
                          "validated_at timestamp")


def append_quality_history(settings: Settings, rows: list[tuple]) -> list[tuple]:
    """Append gate results to Spark's quality.quality_result (expectations/gate.py's HISTORY_DDL, in Spark
    types); returns the whole history."""
    from datetime import datetime

    spark = spark_session(settings)
    spark.sql("create database if not exists quality")
    spark.sql(f"create table if not exists quality.quality_result ({QUALITY_HISTORY_SCHEMA}) using parquet")
    typed = [(*row[:-1], datetime.fromisoformat(row[-1])) for row in rows]
    spark.createDataFrame(typed, schema=QUALITY_HISTORY_SCHEMA).write.insertInto("quality.quality_result")
    return [tuple(row) for row in spark.table("quality.quality_result").collect()]


def write_published_parquet(settings: Settings, folder: Path) -> list[str]:
    """In a Spark process: every table of the published schemas as a Parquet folder `<schema>.<table>`."""
    spark = spark_session(settings)
    written = []
    for schema in PUBLISHED_SCHEMAS:  # the BI contract, as on the other targets
        for row in spark.sql(f"show tables in {schema}").collect():
            if row.isTemporary:
                continue
            name = f"{schema}.{row.tableName}"
            spark.table(name).coalesce(1).write.parquet(str(folder / name))
            written.append(name)
    return written


@writes_warehouse
def publish_spark(settings: Settings) -> Path:
    """Publish on Spark: the gated marts and quality history are written as Parquet by a Spark process of its
    own into a fresh folder, which replaces spark/published in one rename (what BI tools and Spark jobs read);
    the published DuckDB file — the dashboard's and the exports' source on every target — is made from it."""
    fresh = settings.spark_dir / f".published.{uuid.uuid4().hex[:8]}.tmp"
    try:
        run_in_spark_process(settings, __name__, "write-published", str(fresh))
    except RuntimeError:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    final = replace_folder(fresh, settings.spark_dir / "published")

    def fill(con) -> None:
        for table_folder in sorted(final.iterdir()):
            schema, table = table_folder.name.split(".", 1)
            con.execute(f'create schema if not exists published."{schema}"')
            con.execute(f'create table published."{schema}"."{table}" as '
                        f"select * from read_parquet('{table_folder}/*.parquet')")

    return write_published_file(settings, fill)


if __name__ == "__main__":  # Spark steps that must run in a process of their own (Derby: one at a time)
    from planwatch.settings import get_settings

    if sys.argv[1] == "declare-raw":
        declare_raw_tables(get_settings())
    elif sys.argv[1] == "write-published":
        write_published_parquet(get_settings(), Path(sys.argv[2]))
    else:
        raise SystemExit(f"unknown Spark step: {sys.argv[1]}")
