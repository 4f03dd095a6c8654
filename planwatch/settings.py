"""Every setting planwatch reads, in one place.

All generated state lives under PLANWATCH_HOME (default: ``.planwatch/`` in the repository, git-ignored).
Each setting below is an environment variable with a documented default; README lists them too.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_FILE_NAME = "planwatch.duckdb"
# where dbt builds staging → marts and the quality gate validates (profiles.yml has one output per target)
TARGETS = ("duckdb", "postgres", "spark")
# set in the environment of a Spark step's own process (planwatch/targets/spark.py)
SPARK_PROCESS_ENV = "PLANWATCH_SPARK_PROCESS"


def pyspark_wanted() -> bool:
    """Whether this process may import pyspark: a Spark step's own process, or any process of the Spark target
    (dbt-spark runs Spark inside dbt). Everywhere else Spark is never loaded (expectations/__init__.py)."""
    return bool(os.environ.get(SPARK_PROCESS_ENV)) or \
        os.environ.get("PLANWATCH_DBT_TARGET", "").strip().lower() == "spark"


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class ReadLimits:
    """What one landing file may hold. Each bound is checked before parsing (sizes the file or the workbook's
    directory declares) and while parsing (what is really there), so a hostile or broken file stops with a
    message naming the file and the limit instead of running for hours while the warehouse waits."""

    file_mb: int = 1024
    """PLANWATCH_MAX_FILE_MB: the size of the file as it arrives."""
    unpacked_mb: int = 2048
    """PLANWATCH_MAX_UNPACKED_MB: an XLSX's members once decompressed, all together."""
    cells: int = 20_000_000
    """PLANWATCH_MAX_CELLS: cells that hold something, all sheets together."""
    sheets: int = 64
    """PLANWATCH_MAX_SHEETS: worksheets in one workbook."""
    shared_strings_mb: int = 256
    """PLANWATCH_MAX_SHARED_STRINGS_MB: an XLSX's shared-strings table once decompressed."""
    columns: int = 128
    """PLANWATCH_MAX_COLUMNS: columns of a sheet or CSV."""
    line_kb: int = 1024
    """PLANWATCH_MAX_LINE_KB: one line of a CSV (a record, quoted line breaks included)."""

    ENV = {"file_mb": "PLANWATCH_MAX_FILE_MB", "unpacked_mb": "PLANWATCH_MAX_UNPACKED_MB",
           "cells": "PLANWATCH_MAX_CELLS", "sheets": "PLANWATCH_MAX_SHEETS",
           "shared_strings_mb": "PLANWATCH_MAX_SHARED_STRINGS_MB", "columns": "PLANWATCH_MAX_COLUMNS",
           "line_kb": "PLANWATCH_MAX_LINE_KB"}

    @classmethod
    def from_env(cls) -> "ReadLimits":
        defaults = cls()
        return cls(**{name: _int(env, getattr(defaults, name), minimum=1) for name, env in cls.ENV.items()})


@dataclass(frozen=True)
class Settings:
    home: Path
    """PLANWATCH_HOME: root of everything generated (warehouse, dbt artefacts, logs, Dagster home)."""
    warehouse: Path
    """PLANWATCH_WAREHOUSE: the working DuckDB file that loads and dbt write to."""
    landing: Path
    """PLANWATCH_LANDING: where statisticians drop CSV/XLSX files."""
    dbt_target_path: Path
    dbt_log_path: Path
    dagster_home: Path
    log_dir: Path
    yearly_cron: str = "0 6 1 4 *"
    """PLANWATCH_YEARLY_CRON: the yearly run, after the statistical bulletin appears (1 April 06:00)."""
    nightly_cron: str = "30 2 * * *"
    """PLANWATCH_NIGHTLY_CRON: the nightly landing scan (02:30)."""
    audit_cron: str = "0 4 * * 0"
    """PLANWATCH_AUDIT_CRON: the weekly full audit, every quality rule over every row (Sunday 04:00)."""
    timezone: str = "Asia/Shanghai"
    """PLANWATCH_TIMEZONE: the time zone of the schedules."""
    sensor_interval_seconds: int = 60
    """PLANWATCH_SENSOR_INTERVAL: how often the landing sensor looks for new or changed files."""
    alert_webhook: str | None = None
    """PLANWATCH_ALERT_WEBHOOK: URL that receives a JSON POST when a run fails (none by default)."""
    seeds: Path = REPO_ROOT / "seeds"
    """PLANWATCH_SEEDS: the plan pack — the folder of dbt seeds that dbt loads and the loader and quality checks
    read: the shared regions and aliases, and a folder per plan document under plans/ (planwatch/plan_pack.py).
    Default: the repository's `seeds/` (Jiangmen's plans); the national benchmark points it at a generated pack."""
    duckdb_memory_limit: str = "3GB"
    """PLANWATCH_DUCKDB_MEMORY_LIMIT: DuckDB's memory limit in every connection planwatch opens (loads, dbt,
    quality gate, publish); beyond it DuckDB spills to disk. Keeps a national build under 4 GiB of RAM."""
    bundled_data: bool = True
    """PLANWATCH_BUNDLED_DATA: write the bundled Jiangmen statistics into the landing folder before each load
    (true by default; false for any other plan pack)."""
    target: str = "duckdb"
    """PLANWATCH_DBT_TARGET: where the plan and the statistics are transformed, validated and published —
    `duckdb` (the embedded file, default), `postgres` (a shared server) or `spark` (a province's or the nation's
    data). Loads always parse, check and quarantine in the DuckDB working file; README "Beyond one machine"."""
    pg_host: str = "127.0.0.1"
    """PLANWATCH_PG_HOST, PLANWATCH_PG_PORT, PLANWATCH_PG_USER, PLANWATCH_PG_PASSWORD, PLANWATCH_PG_DATABASE: the
    PostgreSQL server of the `postgres` target (profiles.yml reads the same variables)."""
    pg_port: int = 5432
    pg_user: str = "planwatch"
    pg_password: str = ""
    pg_database: str = "planwatch"
    pg_bi_role: str = "planwatch_bi"
    """PLANWATCH_PG_BI_ROLE: the read-only role BI users log in as; publishing grants it the `published` schema
    and nothing else."""
    spark_dir: Path = REPO_ROOT / ".planwatch" / "spark"
    """PLANWATCH_SPARK_DIR (default PLANWATCH_HOME/spark): the `spark` target's folder — the loads as Parquet
    (raw/), the tables (warehouse/), the published Parquet (published/), Spark's event logs (events/) and, for
    local Spark, the Derby metastore. On a cluster every executor reads and writes it: a shared filesystem
    mounted at the same path on the driver and on every worker (on 127.0.0.1 any local folder)."""
    spark_master: str = "local[2]"
    """PLANWATCH_SPARK_MASTER: where Spark runs — `local[N]` inside each Spark step's own process (default),
    `spark://HOST:7077` for a standalone cluster, or `yarn` / `k8s://…` passed to Spark as they are."""
    spark_executor_memory: str = "1g"
    """PLANWATCH_SPARK_EXECUTOR_MEMORY, PLANWATCH_SPARK_EXECUTOR_CORES: each executor's memory (a JVM size such
    as 512m or 4g) and cores on a cluster (local Spark has no executors of its own)."""
    spark_executor_cores: int = 1
    spark_driver_memory: str = "1g"
    """PLANWATCH_SPARK_DRIVER_MEMORY: the driver's memory (in each Spark step's process); for local Spark the
    whole of Spark's memory."""
    spark_driver_host: str = "127.0.0.1"
    """PLANWATCH_SPARK_DRIVER_HOST: the address executors connect back to (the machine running planwatch);
    default 127.0.0.1 for local Spark and a master on 127.0.0.1, else this machine's name."""
    spark_metastore: str = "derby"
    """PLANWATCH_SPARK_METASTORE: the Hive metastore of Spark's catalog — `derby` (embedded in PLANWATCH_SPARK_DIR,
    one process at a time; the default for local Spark) or `postgres` (a database on the PostgreSQL server of
    PLANWATCH_PG_HOST…, which every Spark process and every run can open at once; the default on a cluster)."""
    spark_metastore_database: str = "planwatch_metastore"
    """PLANWATCH_SPARK_METASTORE_DATABASE: the PostgreSQL database that holds the metastore (created with its
    tables on first use when PLANWATCH_PG_USER may create databases)."""
    spark_jdbc_jar: Path = Path("/usr/share/java/postgresql.jar")
    """PLANWATCH_SPARK_JDBC_JAR: PostgreSQL's JDBC driver for the metastore (Debian: libpostgresql-jdbc-java)."""
    release_policy: str = "auto"
    """PLANWATCH_RELEASE_POLICY: `auto` — a gated build that changes something is released at once; `approve` —
    it waits as the candidate until a steward runs `planwatch approve` (DuckDB target)."""
    yoy_change: float = 0.30
    """PLANWATCH_YOY_CHANGE: a count that moves more than this share on the same period last year is held by a
    query until its sender explains it (0.30 = 30 %)."""
    yoy_rate_points: float = 5.0
    """PLANWATCH_YOY_RATE_POINTS: the same for a rate, in percentage points."""
    releases_kept: int = 10
    """PLANWATCH_RELEASES_KEPT: how many releases stay on disk under published/releases/ for a rollback."""
    lock_wait_seconds: int = 1800
    """PLANWATCH_LOCK_WAIT: how long a command or run waits for another one writing the warehouse before it
    stops with a message (seconds; 0: do not wait)."""
    report_after_run: bool = True
    """PLANWATCH_REPORT_AFTER_RUN: each run writes the report of the latest year (the Dagster asset `reports`);
    `false` leaves reports to `planwatch report` (the benchmark, whose floor writes none)."""
    anonymous_read: bool = True
    """PLANWATCH_ANONYMOUS_READ: the dashboard's published pages are open without signing in (`false`: every page
    asks for an account; uploading and reviewing always do)."""
    office: str = "江门市人力资源和社会保障局"
    """PLANWATCH_OFFICE: the office that issues the tables and reports (制表单位 on the printed scorecard)."""
    limits: ReadLimits = field(default_factory=ReadLimits)
    """The bounds of one landing file (ReadLimits: PLANWATCH_MAX_FILE_MB … PLANWATCH_MAX_LINE_KB)."""

    @property
    def quality_dir(self) -> Path:
        """The quality gate's context, Data Docs, history and `last_run.json` (the latest gate's results)."""
        return self.home / "quality"

    @property
    def cache_dir(self) -> Path:
        """What planwatch can make again from its inputs and keeps to save time (the report's charts): deleting it
        is always safe."""
        return self.home / "cache"

    @property
    def alert_log(self) -> Path:
        """Where a failed run is recorded (always), beside the optional webhook."""
        return self.log_dir / "alerts.log"

    @property
    def duckdb_config(self) -> dict:
        """The configuration of every DuckDB connection planwatch opens."""
        return {"memory_limit": self.duckdb_memory_limit}

    @property
    def manifest_path(self) -> Path:
        return self.dbt_target_path / "manifest.json"

    def ensure_dirs(self) -> None:
        for p in (self.home, self.warehouse.parent, self.landing, self.dbt_target_path,
                  self.dbt_log_path, self.dagster_home, self.log_dir):
            p.mkdir(parents=True, exist_ok=True)
        if self.target == "spark":  # Spark will not start an application whose event log folder is missing
            (self.spark_dir / "events").mkdir(parents=True, exist_ok=True)


def get_settings(home: str | Path | None = None, warehouse: str | Path | None = None,
                 landing: str | Path | None = None) -> Settings:
    """Settings from the environment. An explicit home (a Dagster resource's config, a test) wins over the
    environment, and then the warehouse and landing folder default to inside that home."""
    if home:
        home = Path(home)
        warehouse = Path(warehouse) if warehouse else home / "warehouse" / WAREHOUSE_FILE_NAME
        landing = Path(landing) if landing else home / "landing"
    else:
        home = _path("PLANWATCH_HOME", REPO_ROOT / ".planwatch")
        warehouse = Path(warehouse) if warehouse else _path("PLANWATCH_WAREHOUSE",
                                                            home / "warehouse" / WAREHOUSE_FILE_NAME)
        landing = Path(landing) if landing else _path("PLANWATCH_LANDING", home / "landing")
    spark_master = os.environ.get("PLANWATCH_SPARK_MASTER", "").strip() or "local[2]"
    return Settings(
        home=home,
        warehouse=warehouse,
        landing=landing,
        dbt_target_path=home / "dbt" / "target",
        dbt_log_path=home / "logs" / "dbt",
        dagster_home=home / "dagster",
        log_dir=home / "logs",
        yearly_cron=_cron("PLANWATCH_YEARLY_CRON", "0 6 1 4 *"),
        nightly_cron=_cron("PLANWATCH_NIGHTLY_CRON", "30 2 * * *"),
        audit_cron=_cron("PLANWATCH_AUDIT_CRON", "0 4 * * 0"),
        timezone=_timezone("PLANWATCH_TIMEZONE", "Asia/Shanghai"),
        sensor_interval_seconds=_int("PLANWATCH_SENSOR_INTERVAL", 60, minimum=1),
        alert_webhook=os.environ.get("PLANWATCH_ALERT_WEBHOOK") or None,
        seeds=_seeds(),
        duckdb_memory_limit=os.environ.get("PLANWATCH_DUCKDB_MEMORY_LIMIT", "3GB"),
        bundled_data=os.environ.get("PLANWATCH_BUNDLED_DATA", "true").lower() not in ("0", "false", "no"),
        target=_target(),
        pg_host=os.environ.get("PLANWATCH_PG_HOST", "127.0.0.1"),
        pg_port=_int("PLANWATCH_PG_PORT", 5432, minimum=1),
        pg_user=os.environ.get("PLANWATCH_PG_USER", "planwatch"),
        pg_password=os.environ.get("PLANWATCH_PG_PASSWORD", ""),
        pg_database=os.environ.get("PLANWATCH_PG_DATABASE", "planwatch"),
        pg_bi_role=os.environ.get("PLANWATCH_PG_BI_ROLE", "planwatch_bi"),
        spark_dir=_spark_dir(home),
        spark_master=spark_master,
        spark_executor_memory=_jvm_size("PLANWATCH_SPARK_EXECUTOR_MEMORY", "1g"),
        spark_executor_cores=_int("PLANWATCH_SPARK_EXECUTOR_CORES", 1, minimum=1),
        spark_driver_memory=_jvm_size("PLANWATCH_SPARK_DRIVER_MEMORY", "1g"),
        spark_driver_host=os.environ.get("PLANWATCH_SPARK_DRIVER_HOST", "").strip() or _driver_host(spark_master),
        spark_metastore=_metastore(spark_master),
        spark_metastore_database=os.environ.get("PLANWATCH_SPARK_METASTORE_DATABASE", "").strip()
        or "planwatch_metastore",
        spark_jdbc_jar=_path("PLANWATCH_SPARK_JDBC_JAR", Path("/usr/share/java/postgresql.jar")),
        release_policy=_policy(),
        releases_kept=_int("PLANWATCH_RELEASES_KEPT", 10, minimum=1),
        lock_wait_seconds=_int("PLANWATCH_LOCK_WAIT", 1800, minimum=0),
        report_after_run=os.environ.get("PLANWATCH_REPORT_AFTER_RUN", "true").strip().lower() not in ("0", "false", "no"),
        anonymous_read=os.environ.get("PLANWATCH_ANONYMOUS_READ", "true").strip().lower() not in ("0", "false", "no"),
        office=os.environ.get("PLANWATCH_OFFICE", "").strip() or "江门市人力资源和社会保障局",
        limits=ReadLimits.from_env(),
        yoy_change=_float("PLANWATCH_YOY_CHANGE", 0.30),
        yoy_rate_points=_float("PLANWATCH_YOY_RATE_POINTS", 5.0),
    )


def _seeds() -> Path:
    """PLANWATCH_SEEDS, a relative one read against the repository (as dbt reads it: export_env hands dbt a
    relative path), so every command works from any working directory."""
    value = os.environ.get("PLANWATCH_SEEDS", "").strip()
    if not value:
        return REPO_ROOT / "seeds"
    path = Path(value).expanduser()
    return (path if path.is_absolute() else REPO_ROOT / path).resolve()


def _spark_dir(home: Path) -> Path:
    """PLANWATCH_SPARK_DIR, else the home's spark/ (export_env hands the chosen one to dbt and every child)."""
    return _path("PLANWATCH_SPARK_DIR", home / "spark")


def _is_local(master: str) -> bool:
    """Spark inside the step's own process (`local`, `local[N]`, `local[*]`), not on a cluster."""
    return master.startswith("local")


def _driver_host(master: str) -> str:
    """Where executors reach the driver: loopback when Spark is local or its master is on this machine's
    loopback, else this machine's name (a cluster's workers cannot reach 127.0.0.1 of another machine)."""
    import socket
    from urllib.parse import urlsplit

    if _is_local(master):
        return "127.0.0.1"
    host = urlsplit(master).hostname if "://" in master else None
    if host in ("127.0.0.1", "localhost", "::1"):
        return "127.0.0.1"
    return socket.getfqdn()


def _metastore(master: str) -> str:
    value = os.environ.get("PLANWATCH_SPARK_METASTORE", "").strip().lower()
    if not value:
        return "derby" if _is_local(master) else "postgres"
    if value not in ("derby", "postgres"):
        raise ValueError(f"PLANWATCH_SPARK_METASTORE must be derby or postgres, not {value!r}")
    if value == "derby" and not _is_local(master):
        # executors never open the metastore, but every Spark step of a run and every reader would: Derby
        # admits one process, so a cluster's catalog must be a server
        raise ValueError("PLANWATCH_SPARK_METASTORE=derby works with local Spark only; a cluster "
                         f"(PLANWATCH_SPARK_MASTER={master}) needs postgres")
    return value


def _jvm_size(env: str, default: str) -> str:
    import re

    value = os.environ.get(env, "").strip().lower() or default
    if not re.fullmatch(r"[1-9][0-9]*[kmgt]?", value):
        raise ValueError(f"{env} must be a JVM memory size such as 512m or 4g, not {value!r}")
    return value


def _int(env: str, default: int, minimum: int) -> int:
    value = os.environ.get(env, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ValueError(f"{env} must be a whole number of at least {minimum}, not {value!r}")
    return int(value)


def _float(env: str, default: float) -> float:
    value = os.environ.get(env, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if number <= 0:
        raise ValueError(f"{env} must be a positive number, not {value!r}")
    return number


def _cron(env: str, default: str) -> str:
    value = os.environ.get(env, "").strip() or default
    if len(value.split()) != 5:
        raise ValueError(f"{env} must be a cron string of five fields (minute hour day month weekday), "
                         f"not {value!r}")
    return value


def _timezone(env: str, default: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = os.environ.get(env, "").strip() or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{env} must be an IANA time zone such as Asia/Shanghai, not {value!r}") from None
    return value


def _policy() -> str:
    policy = os.environ.get("PLANWATCH_RELEASE_POLICY", "auto").strip().lower() or "auto"
    if policy not in ("auto", "approve"):
        raise ValueError(f"PLANWATCH_RELEASE_POLICY must be auto or approve, not {policy!r}")
    if policy == "approve" and _target() != "duckdb":
        # the PostgreSQL and Spark targets swap their published schema/folder as they publish
        raise ValueError("PLANWATCH_RELEASE_POLICY=approve works with the duckdb target only so far")
    return policy


def _target() -> str:
    target = os.environ.get("PLANWATCH_DBT_TARGET", "duckdb").strip().lower() or "duckdb"
    if target not in TARGETS:
        raise ValueError(f"PLANWATCH_DBT_TARGET must be one of {', '.join(TARGETS)}, not {target!r}")
    return target


def dagster_yaml(dagster_home: Path) -> str:
    """The Dagster instance's settings, written by planwatch on every start."""
    return f"""\
# written by planwatch on every start (edit planwatch/settings.py, not this file)
# no network calls at run time
telemetry:
  enabled: false
nux:
  enabled: false
# one run at a time: every run writes the one working warehouse file (DuckDB admits one writer); runs the
# sensor, the schedules and the UI request while one is going wait in the queue
concurrency:
  runs:
    max_concurrent_runs: 1
# Dagster's SQLite event log in Dagster's own folder, keeping its connections open and without an fsync per
# event (orchestration/event_log_storage.py says why); the run and schedule storages are Dagster's defaults
event_log_storage:
  module: orchestration.event_log_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {json.dumps(str(dagster_home / "history" / "runs"), ensure_ascii=False)}
"""


def seed_path_for_dbt(seeds: Path) -> str:
    """dbt_project.yml's seed-paths, relative to the project. dbt writes each seed's compiled SQL to
    target/run/<project>/<seed path>: an absolute seed path or one climbing out of the repository would make
    it overwrite the seed CSVs themselves (seen with dbt-core 1.11), so a plan pack must live in the repo."""
    seeds = Path(seeds).resolve()
    if not seeds.is_relative_to(REPO_ROOT):
        raise ValueError(f"PLANWATCH_SEEDS must be a folder inside the repository ({REPO_ROOT}), not {seeds}")
    return str(seeds.relative_to(REPO_ROOT))


def export_env(settings: Settings) -> None:
    """Publish the settings to the environment that dbt and Dagster (and their subprocesses) read."""
    settings.ensure_dirs()
    # dbt runs as a subprocess of Dagster: find it beside this interpreter even when the venv is not activated
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.environ["PLANWATCH_HOME"] = str(settings.home)
    os.environ["PLANWATCH_WAREHOUSE"] = str(settings.warehouse)
    os.environ["DBT_TARGET_PATH"] = str(settings.dbt_target_path)
    os.environ["DBT_LOG_PATH"] = str(settings.dbt_log_path)
    os.environ["DBT_PROFILES_DIR"] = str(REPO_ROOT)
    os.environ["DBT_PROJECT_DIR"] = str(REPO_ROOT)
    os.environ["PLANWATCH_SEEDS"] = seed_path_for_dbt(settings.seeds)
    # the plan folders' seed names of each kind, which the staging models union (macros/plan_pack.sql)
    from planwatch.plan_pack import seed_names_for_dbt

    os.environ["PLANWATCH_PLAN_SEEDS"] = seed_names_for_dbt(settings.seeds)
    os.environ["PLANWATCH_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit  # profiles.yml reads it
    os.environ["PLANWATCH_DBT_TARGET"] = settings.target  # so do these
    os.environ.update(spark_env(settings))
    # no network at run time: dbt anonymous usage stats and version checks off
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ["DBT_VERSION_CHECK"] = "false"
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ["DAGSTER_DISABLE_TELEMETRY"] = "1"
    instance_yaml = settings.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(settings.dagster_home)
    if not instance_yaml.exists() or instance_yaml.read_text(encoding="utf-8") != wanted:
        instance_yaml.write_text(wanted, encoding="utf-8")


def spark_env(settings: Settings) -> dict[str, str]:
    """What profiles.yml's `spark` output reads: the cluster, the folder and the metastore, resolved here once
    so dbt (in Dagster's child process), the gate and publish configure Spark alike
    (planwatch/targets/spark.py's spark_conf renders the same profile)."""
    if settings.spark_metastore == "postgres":
        metastore = {
            "PLANWATCH_SPARK_METASTORE_URL": f"jdbc:postgresql://{settings.pg_host}:{settings.pg_port}/"
                                             f"{settings.spark_metastore_database}",
            "PLANWATCH_SPARK_METASTORE_DRIVER": "org.postgresql.Driver",
            "PLANWATCH_SPARK_METASTORE_USER": settings.pg_user,
            "PLANWATCH_SPARK_METASTORE_PASSWORD": settings.pg_password,
            # the tables are made once, before any Spark process opens the database (targets/spark.py
            # ensure_metastore): made lazily, DataNucleus adds a foreign key to TBLS from a second connection
            # while the first holds TBLS in its transaction, and on PostgreSQL both wait for ever
            "PLANWATCH_SPARK_METASTORE_AUTOCREATE": "false",
            "PLANWATCH_SPARK_DRIVER_CLASSPATH": str(settings.spark_jdbc_jar),
        }
    else:  # embedded Derby beside the tables, made on first use
        metastore = {
            "PLANWATCH_SPARK_METASTORE_URL": f"jdbc:derby:;databaseName={settings.spark_dir}/metastore_db;create=true",
            "PLANWATCH_SPARK_METASTORE_DRIVER": "org.apache.derby.jdbc.EmbeddedDriver",
            "PLANWATCH_SPARK_METASTORE_USER": "APP",
            "PLANWATCH_SPARK_METASTORE_PASSWORD": "mine",
            "PLANWATCH_SPARK_METASTORE_AUTOCREATE": "true",
            "PLANWATCH_SPARK_DRIVER_CLASSPATH": "",
        }
    return {
        "PLANWATCH_SPARK_DIR": str(settings.spark_dir),
        "PLANWATCH_SPARK_MASTER": settings.spark_master,
        "PLANWATCH_SPARK_EXECUTOR_MEMORY": settings.spark_executor_memory,
        "PLANWATCH_SPARK_EXECUTOR_CORES": str(settings.spark_executor_cores),
        "PLANWATCH_SPARK_DRIVER_MEMORY": settings.spark_driver_memory,
        "PLANWATCH_SPARK_DRIVER_HOST": settings.spark_driver_host,
        # the executors' Python (GE's Spark engine may hand them Python functions): this environment's
        "PLANWATCH_SPARK_PYTHON": sys.executable,
        **metastore,
    }
