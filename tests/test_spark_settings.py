"""Where the Spark target runs, as settings resolve it and profiles.yml hands it to Spark (fast: no JVM). The
cluster itself is tests/test_spark_cluster.py's."""

from __future__ import annotations

import pytest

from conftest import free_port
from planwatch.messages import Problem
from planwatch.settings import get_settings
from planwatch.targets.spark import ensure_metastore, spark_conf

CLUSTER = {"PLANWATCH_DBT_TARGET": "spark", "PLANWATCH_SPARK_MASTER": "spark://127.0.0.1:7077",
           "PLANWATCH_PG_HOST": "127.0.0.1", "PLANWATCH_PG_PORT": "5433", "PLANWATCH_PG_USER": "etl",
           "PLANWATCH_PG_PASSWORD": "s3cret", "PLANWATCH_SPARK_EXECUTOR_MEMORY": "2g",
           "PLANWATCH_SPARK_EXECUTOR_CORES": "3", "PLANWATCH_SPARK_DRIVER_MEMORY": "1500m"}


def settings_with(monkeypatch, tmp_path, **env):
    for name in [*CLUSTER, "PLANWATCH_SPARK_DIR", "PLANWATCH_SPARK_METASTORE", "PLANWATCH_SPARK_DRIVER_HOST",
                 "PLANWATCH_SPARK_JDBC_JAR", "PLANWATCH_SPARK_METASTORE_DATABASE"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return get_settings(home=tmp_path)


def test_local_spark_keeps_derby_beside_the_tables(monkeypatch, tmp_path):
    settings = settings_with(monkeypatch, tmp_path, PLANWATCH_DBT_TARGET="spark")
    conf = spark_conf(settings)
    assert conf["spark.master"] == "local[2]" and settings.spark_metastore == "derby"
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == \
        f"jdbc:derby:;databaseName={tmp_path / 'spark'}/metastore_db;create=true"
    assert conf["spark.sql.warehouse.dir"] == f"{tmp_path / 'spark'}/warehouse"
    assert conf["spark.eventLog.dir"] == f"{tmp_path / 'spark'}/events"
    assert conf["spark.driver.host"] == "127.0.0.1"


def test_a_cluster_gets_a_postgresql_metastore_and_its_executors(monkeypatch, tmp_path):
    shared = tmp_path / "nfs" / "planwatch"
    settings = settings_with(monkeypatch, tmp_path, PLANWATCH_SPARK_DIR=str(shared), **CLUSTER)
    conf = spark_conf(settings)
    assert conf["spark.master"] == "spark://127.0.0.1:7077"
    assert (conf["spark.executor.memory"], conf["spark.executor.cores"], conf["spark.driver.memory"]) == \
        ("2g", "3", "1500m")
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == "jdbc:postgresql://127.0.0.1:5433/planwatch_metastore"
    assert conf["spark.hadoop.javax.jdo.option.ConnectionDriverName"] == "org.postgresql.Driver"
    assert (conf["spark.hadoop.javax.jdo.option.ConnectionUserName"],
            conf["spark.hadoop.javax.jdo.option.ConnectionPassword"]) == ("etl", "s3cret")
    # made up front by ensure_metastore: Hive's lazy creation deadlocks on PostgreSQL
    assert conf["spark.hadoop.datanucleus.schema.autoCreateAll"] == "false"
    assert conf["spark.driver.extraClassPath"] == "/usr/share/java/postgresql.jar"
    # the location every executor reaches, for tables, loads and event logs alike
    assert conf["spark.sql.warehouse.dir"] == f"{shared}/warehouse" and settings.spark_dir == shared


def test_executors_on_other_machines_connect_back_to_this_machines_name(monkeypatch, tmp_path):
    import socket

    settings = settings_with(monkeypatch, tmp_path, **{**CLUSTER, "PLANWATCH_SPARK_MASTER": "spark://master.example:7077"})
    assert settings.spark_driver_host == socket.getfqdn()
    settings = settings_with(monkeypatch, tmp_path, **{**CLUSTER, "PLANWATCH_SPARK_DRIVER_HOST": "10.1.2.3"})
    assert spark_conf(settings)["spark.driver.host"] == "10.1.2.3"


@pytest.mark.parametrize("env, words", [
    ({"PLANWATCH_SPARK_METASTORE": "derby"}, "works with local Spark only"),
    ({"PLANWATCH_SPARK_METASTORE": "hive"}, "must be derby or postgres"),
    ({"PLANWATCH_SPARK_EXECUTOR_MEMORY": "lots"}, "JVM memory size"),
    ({"PLANWATCH_SPARK_EXECUTOR_CORES": "0"}, "PLANWATCH_SPARK_EXECUTOR_CORES must be a whole number"),
])
def test_settings_that_cannot_work_are_refused(monkeypatch, tmp_path, env, words):
    with pytest.raises(ValueError, match=words):
        settings_with(monkeypatch, tmp_path, **{**CLUSTER, **env})


def test_an_unreachable_metastore_is_said_in_both_languages(monkeypatch, tmp_path):
    settings = settings_with(monkeypatch, tmp_path, **{**CLUSTER, "PLANWATCH_PG_PORT": str(free_port())})
    with pytest.raises(Problem) as problem:
        ensure_metastore(settings)
    assert "连不上 Spark 元数据库" in problem.value.zh and "cannot reach the Spark metastore" in problem.value.en
    assert f"127.0.0.1:{settings.pg_port}/planwatch_metastore" in problem.value.en


def test_a_missing_jdbc_driver_names_the_package(monkeypatch, tmp_path):
    settings = settings_with(monkeypatch, tmp_path, PLANWATCH_SPARK_JDBC_JAR=str(tmp_path / "none.jar"), **CLUSTER)
    with pytest.raises(Problem) as problem:
        ensure_metastore(settings)
    assert "libpostgresql-jdbc-java" in problem.value.en and "JDBC 驱动" in problem.value.zh
