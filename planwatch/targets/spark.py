"""Spark as the warehouse (a province's or the nation's data): dbt builds with dbt-spark's `session` method — pyspark
in dbt's own process as the driver, of local Spark or of an application on a cluster (PLANWATCH_SPARK_MASTER) — into
Parquet tables under PLANWATCH_SPARK_DIR.

The loads still parse, check and quarantine in the DuckDB working file; `sync_raw` writes its raw tables as
Parquet folders (DuckDB's COPY) and declares them as Spark's external tables raw.load_file, raw.observation and
raw.quarantine. Every Spark step — the declaration, dbt, the quality gate, publish — runs in a process of its own:
pyspark must never be imported into the Dagster run worker (its connect utilities can end that process), and the
embedded Derby metastore of local Spark admits one process at a time. On a cluster the metastore is a PostgreSQL
database (ensure_metastore) that every step, every run and every reader can open at once.
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
from planwatch.publish.published_copy import PUBLISHED_SCHEMAS, create_published_table, replace_folder, write_published_file
from planwatch.messages import Problem
from planwatch.settings import SPARK_PROCESS_ENV, Settings, spark_env
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
    spark = spark_session(settings, "declare raw")
    spark.sql("create database if not exists raw")
    for table in RAW_TABLES:
        spark.sql(f"drop table if exists raw.{table}")  # external: the files stay
        spark.sql(f"create table raw.{table} using parquet location {spark_literal(raw_folder(settings) / table)}")


def run_in_spark_process(settings: Settings, module: str, *args: str) -> None:
    """`python -m MODULE ARGS…` on these settings: a Spark step in a process of its own, so pyspark stays out of
    the caller and a Derby metastore is free again when it ends (this module's steps below; the quality gate's is
    expectations.gate)."""
    ensure_metastore(settings)
    env = {**os.environ, "PLANWATCH_HOME": str(settings.home), "PLANWATCH_WAREHOUSE": str(settings.warehouse),
           "PLANWATCH_LANDING": str(settings.landing), "PLANWATCH_DBT_TARGET": settings.target,
           **inherit_env(settings),  # it works under this process's hold of the warehouse
           SPARK_PROCESS_ENV: "1"}  # the one kind of process where pyspark may be imported (expectations/__init__)
    child = subprocess.run([sys.executable, "-m", module, *args], env=env, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"Spark step `{module} {' '.join(args[:1])}` failed (exit {child.returncode}):\n"
                           f"{child.stderr[-4000:]}")


def ensure_metastore(settings: Settings) -> None:
    """A PostgreSQL metastore's database and tables, made once before any Spark process opens them.

    Hive's client makes missing tables lazily, one by one, as it first needs them (datanucleus.schema.
    autoCreateAll); on PostgreSQL its first CREATE TABLE then adds a foreign key to TBLS from a second connection
    while the first holds TBLS, and both wait for ever (seen here with Spark 4.3's Hive 2.3.10 client). So the
    whole schema is made up front, in one go, by DataNucleus's SchemaTool from the mapping Hive ships in its
    metastore jar (package.jdo), under an advisory lock so two runs starting at once make it once. Nothing to do
    for the embedded Derby metastore, which local Spark makes itself."""
    if settings.spark_metastore != "postgres":
        return
    if shutil.which("java") is None:
        raise Problem("Spark 需要 Java 17 运行时（PATH 中没有 java）：apt-get install openjdk-17-jre-headless",
                      "Spark needs a Java 17 runtime (no java on PATH): apt-get install openjdk-17-jre-headless")
    if not settings.spark_jdbc_jar.is_file():
        raise Problem(f"找不到 PostgreSQL 的 JDBC 驱动 {settings.spark_jdbc_jar}（元数据库需要它）：apt-get install "
                      f"libpostgresql-jdbc-java，或用 PLANWATCH_SPARK_JDBC_JAR 指定",
                      f"PostgreSQL's JDBC driver {settings.spark_jdbc_jar} is missing (the metastore needs it): "
                      f"apt-get install libpostgresql-jdbc-java, or point PLANWATCH_SPARK_JDBC_JAR at it")
    import psycopg2

    server = dict(host=settings.pg_host, port=settings.pg_port, user=settings.pg_user,
                  password=settings.pg_password or None, connect_timeout=10)
    database = settings.spark_metastore_database
    where = f"{settings.pg_user}@{settings.pg_host}:{settings.pg_port}/{database}"
    try:
        con = psycopg2.connect(dbname=database, **server)
    except psycopg2.OperationalError as error:
        if f'database "{database}" does not exist' not in str(error):
            raise Problem(f"连不上 Spark 元数据库 {where}：{str(error).strip()}",
                          f"cannot reach the Spark metastore {where}: {str(error).strip()}") from None
        _create_database(server, database, where)
        con = psycopg2.connect(dbname=database, **server)
    con.autocommit = True
    try:
        cur = con.cursor()
        cur.execute("select pg_advisory_lock(hashtext('planwatch spark metastore'))")
        cur.execute("select to_regclass('public.\"DBS\"') is not null")
        if not cur.fetchone()[0]:
            _create_metastore_tables(settings)
    finally:
        con.close()  # gives the advisory lock back


def _create_database(server: dict, database: str, where: str) -> None:
    import psycopg2
    from psycopg2 import errors, sql

    con = psycopg2.connect(dbname="postgres", **server)
    con.autocommit = True  # CREATE DATABASE cannot run in a transaction
    try:
        con.cursor().execute(sql.SQL("create database {}").format(sql.Identifier(database)))
    except errors.DuplicateDatabase:
        pass  # another run made it meanwhile
    except errors.InsufficientPrivilege:
        raise Problem(f"Spark 元数据库 {where} 不存在，用户 {server['user']} 也无权创建：请数据库管理员执行 "
                      f"create database {database} owner {server['user']}",
                      f"the Spark metastore {where} does not exist and user {server['user']} may not create it: "
                      f"ask a DBA to run `create database {database} owner {server['user']}`") from None
    finally:
        con.close()


def _create_metastore_tables(settings: Settings) -> None:
    """DataNucleus SchemaTool, in a JVM of its own on pyspark's jars, over Hive's package.jdo."""
    import tempfile
    import zipfile

    import pyspark

    jars = Path(pyspark.__file__).parent / "jars"
    metastore_jar = next(jars.glob("hive-metastore-*.jar"))
    env = spark_env(settings)
    with tempfile.TemporaryDirectory(prefix="planwatch_metastore_") as folder:
        mapping = zipfile.ZipFile(metastore_jar).extract("package.jdo", folder)
        properties = Path(folder) / "datanucleus.properties"
        # the connection exactly as profiles.yml hands it to Spark; Hive's own identifier and value-strategy
        # settings (HiveConf's defaults), so the tables are named and keyed as its ObjectStore expects them
        values = {"javax.jdo.option.ConnectionURL": env["PLANWATCH_SPARK_METASTORE_URL"],
                  "javax.jdo.option.ConnectionDriverName": env["PLANWATCH_SPARK_METASTORE_DRIVER"],
                  "javax.jdo.option.ConnectionUserName": env["PLANWATCH_SPARK_METASTORE_USER"],
                  "javax.jdo.option.ConnectionPassword": env["PLANWATCH_SPARK_METASTORE_PASSWORD"],
                  "datanucleus.identifierFactory": "datanucleus1",
                  "datanucleus.rdbms.useLegacyNativeValueStrategy": "true",
                  "datanucleus.storeManagerType": "rdbms"}
        # a Java properties file (in a folder only this user reads: it holds the password); a backslash escapes
        properties.write_text("".join(f"{key}={value.replace(chr(92), chr(92) * 2)}\n" for key, value in values.items()),
                              encoding="utf-8")
        tool = subprocess.run(
            ["java", "-cp", f"{jars}/*{os.pathsep}{env['PLANWATCH_SPARK_DRIVER_CLASSPATH']}",
             "org.datanucleus.store.schema.SchemaTool",
             "-create", "-api", "JDO", "-props", str(properties), mapping],
            capture_output=True, text=True, timeout=600)
    if tool.returncode != 0 or "completed successfully" not in tool.stdout:
        raise Problem(f"未能在 {settings.spark_metastore_database} 中建立 Spark 元数据库的表：{tool.stdout[-1500:]}"
                      f"{tool.stderr[-1500:]}",
                      f"could not make the Spark metastore's tables in {settings.spark_metastore_database}: "
                      f"{tool.stdout[-1500:]}{tool.stderr[-1500:]}")


def spark_conf(settings: Settings) -> dict[str, str]:
    """The Spark configuration of profiles.yml's `spark` output — one source for dbt and for planwatch's own
    Spark steps (the gate, publish), so both open the same warehouse folder and metastore."""
    import jinja2
    import yaml

    from planwatch.settings import REPO_ROOT

    resolved = spark_env(settings)

    def env_var(name: str, default: str = "") -> str:
        return resolved[name] if name in resolved else os.environ.get(name, default)

    profile = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["planwatch"]["outputs"]["spark"]["server_side_parameters"]
    return {key: jinja2.Template(str(value)).render(env_var=env_var) for key, value in parameters.items()}


def spark_session(settings: Settings, step: str):
    """A Spark session (local, or an application on the cluster) on the target's warehouse and metastore,
    configured exactly as dbt's, and named `planwatch STEP` — what the cluster's UI and the history server list."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(settings).items():
        builder = builder.config(key, value)
    return builder.appName(f"planwatch {step}").getOrCreate()


QUALITY_HISTORY_SCHEMA = ("run_id string, suite string, table_name string, check_name string, family string, "
                          "severity string, success boolean, observed string, title_zh string, description string, "
                          "validated_at timestamp")


def append_quality_history(settings: Settings, rows: list[tuple]) -> list[tuple]:
    """Append gate results to Spark's quality.quality_result (expectations/gate.py's HISTORY_DDL, in Spark
    types); returns the whole history."""
    from datetime import datetime

    spark = spark_session(settings, "quality history")
    spark.sql("create database if not exists quality")
    spark.sql(f"create table if not exists quality.quality_result ({QUALITY_HISTORY_SCHEMA}) using parquet")
    typed = [(*row[:-1], datetime.fromisoformat(row[-1])) for row in rows]
    spark.createDataFrame(typed, schema=QUALITY_HISTORY_SCHEMA).write.insertInto("quality.quality_result")
    return [tuple(row) for row in spark.table("quality.quality_result").collect()]


def write_published_parquet(settings: Settings, folder: Path) -> list[str]:
    """In a Spark process: every table of the published schemas as a Parquet folder `<schema>.<table>`."""
    spark = spark_session(settings, "publish")
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
            create_published_table(con, schema, table, f"select * from read_parquet('{table_folder}/*.parquet')")

    return write_published_file(settings, fill)


if __name__ == "__main__":  # Spark steps that run in a process of their own (run_in_spark_process)
    from planwatch.settings import get_settings

    if sys.argv[1] == "declare-raw":
        declare_raw_tables(get_settings())
    elif sys.argv[1] == "write-published":
        write_published_parquet(get_settings(), Path(sys.argv[2]))
    else:
        raise SystemExit(f"unknown Spark step: {sys.argv[1]}")
