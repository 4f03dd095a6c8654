"""planwatch on a real Spark standalone cluster (issue 23): a master, two workers of one core each and Spark's history
server on 127.0.0.1, started with the README's commands (spark-class from the venv's pyspark), and a Hive metastore
in a throwaway PostgreSQL 15. `planwatch run` with PLANWATCH_SPARK_MASTER=spark://… builds, validates and publishes
there; Spark's own REST APIs show that the tasks ran in executors on both workers and none on the driver, every mart
equals DuckDB's row for row, and two Spark applications read the catalog at the same time. The cluster is stopped
by its processes' ids. `make test-spark` runs this file with tests/test_spark.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from bench.local_servers import get_json, pg_query, spark_standalone_cluster, tasks_per_worker
from conftest import REPO_ROOT, planwatch_cli
from servers import postgres_server  # noqa: F401  (a fixture: a throwaway PostgreSQL 15 on 127.0.0.1)
from warehouses import MARTS, assert_spark_published_as_duckdb

pytestmark = pytest.mark.spark

WORKERS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """The README's commands: a master, two workers (1 core, 1 GiB each) and the history server over planwatch's
    event logs; afterwards every process is stopped by its process group id."""
    base = tmp_path_factory.mktemp("spark_cluster")
    home = base / "home"
    with spark_standalone_cluster(base, home / "spark" / "events", workers=WORKERS, cores=1, memory="1g") as cluster:
        yield {**cluster, "home": home}


def cluster_env(cluster: dict, server: dict) -> dict:
    """What a user exports to run planwatch on the cluster (README "Spark on a cluster")."""
    return {**server, "PLANWATCH_DBT_TARGET": "spark", "PLANWATCH_SPARK_MASTER": cluster["master"],
            "PLANWATCH_SPARK_EXECUTOR_MEMORY": "512m", "PLANWATCH_SPARK_EXECUTOR_CORES": "1"}


@pytest.fixture(scope="module")
def cluster_run(cluster, postgres_server):  # noqa: F811
    result = planwatch_cli("run", home=cluster["home"], timeout=1800, env_extra=cluster_env(cluster, postgres_server))
    # the run's applications, as the master lists them once it has ended (later tests start more)
    apps = [app["id"] for app in get_json(cluster["master_json"])["completedapps"]]
    return result, apps


def test_planwatch_run_on_the_cluster_publishes_the_same_marts(built_home, cluster, cluster_run, postgres_server):  # noqa: F811
    result, apps = cluster_run
    assert "errors 0" in result.stdout, result.stdout[-3000:]
    home = cluster["home"]
    assert_spark_published_as_duckdb(home, built_home)
    # the catalog is the PostgreSQL metastore, not Derby: no metastore_db beside the tables
    assert not (home / "spark" / "metastore_db").exists()
    databases = dict(pg_query(postgres_server, "planwatch_metastore",
                              'select d."NAME", count(t."TBL_ID") from "DBS" d left join "TBLS" t using ("DB_ID") '
                              'group by 1 order by 1'))
    assert databases["marts"] >= len(MARTS) and databases["raw"] >= 3 and databases["quality"] >= 1, databases


def test_tasks_ran_in_executors_on_both_workers_and_none_on_the_driver(cluster, cluster_run):
    """Spark's REST APIs: the master's (its workers, the run's applications) and the history server's (each
    application's executors, the tasks each ran and the worker whose log pages it has)."""
    _, apps = cluster_run
    workers = {w["id"] for w in get_json(cluster["master_json"])["workers"] if w["state"] == "ALIVE"}
    assert len(workers) == WORKERS
    # declare the raw tables, the raw loads' gate, dbt, the quality gate, publish: one application each
    assert len(apps) >= 5, apps
    by_app = tasks_per_worker(cluster, apps)
    print("tasks per application and worker:", json.dumps(by_app, indent=1))
    assert all(tasks.get("driver", 0) == 0 for tasks in by_app.values()), by_app
    # the dbt build, the application with the most tasks, ran on both workers' executors
    build = max(by_app.values(), key=lambda tasks: sum(tasks.values()))
    assert all(build.get(worker, 0) > 0 for worker in workers), build
    total = sum((Counter(tasks) for tasks in by_app.values()), Counter())
    assert all(total[worker] > 0 for worker in workers), total


def test_two_applications_read_the_catalog_at_once(cluster, cluster_run, postgres_server, tmp_path):  # noqa: F811
    """The shared metastore: two Spark applications open the catalog at the same time and both read it (the
    embedded Derby of local Spark refuses a second process)."""
    reader = (
        "import json, sys, time, pathlib\n"
        "from planwatch.settings import get_settings\n"
        "from planwatch.targets.spark import spark_session\n"
        "mine, other = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])\n"
        "spark = spark_session(get_settings(), 'catalog reader')\n"
        "before = sorted(r.tableName for r in spark.sql('show tables in marts').collect())\n"
        "mine.write_text('open')\n"
        "deadline = time.monotonic() + 240\n"
        "while not other.exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.2)\n"
        "columns = [r.col_name for r in spark.sql('describe table marts.fct_plan_progress').collect()]\n"
        "print(json.dumps({'both_open': other.exists(), 'tables': before, 'columns': len(columns)}))\n")
    env = {**os.environ, **cluster_env(cluster, postgres_server), "PLANWATCH_HOME": str(cluster["home"]),
           "PLANWATCH_SPARK_PROCESS": "1"}
    env.pop("PLANWATCH_SPARK_DIR", None)
    a, b = tmp_path / "a", tmp_path / "b"
    readers = [subprocess.Popen([sys.executable, "-c", reader, str(mine), str(other)], env=env, cwd=REPO_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
               for mine, other in ((a, b), (b, a))]
    outputs = []
    for process in readers:
        stdout, stderr = process.communicate(timeout=400)
        assert process.returncode == 0, stderr[-3000:]
        outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    for output in outputs:
        assert output["both_open"] and output["columns"] > 10
        assert set(MARTS) <= set(output["tables"]), output["tables"]
