"""The whole pipeline on Spark (dbt-spark, `session` method, local pyspark on Java 17): `planwatch run` with
PLANWATCH_DBT_TARGET=spark — loads in DuckDB synced as Parquet, `dbt build` with every data and unit test on
Spark, the Great Expectations gate on Spark DataFrames, publication as Parquet — and every mart equal to
DuckDB's, row for row. `make test-spark` runs this file alone."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import planwatch_cli
from warehouses import assert_spark_published_as_duckdb

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail("Spark needs a Java runtime (17): none on PATH")
    home = tmp_path_factory.mktemp("spark_home")
    result = planwatch_cli("run", home=home, timeout=900, env_extra={"PLANWATCH_DBT_TARGET": "spark"})
    return home, result.stdout


def test_the_whole_pipeline_runs_on_spark_with_the_same_marts(built_home, spark_run):
    home, stdout = spark_run
    assert "errors 0" in stdout, stdout[-3000:]
    assert_spark_published_as_duckdb(home, built_home)


def test_the_gate_on_spark_fails_on_bad_data(spark_run):
    """A real GE validation on Spark that fails: a raw observation negated in the synced Parquet loads (as if a
    broken file had got through) fails the marts check after a rebuild, and nothing is published."""
    home, _ = spark_run
    observations = next((home / "spark" / "raw" / "observation").glob("*.parquet"))
    with duckdb.connect() as con:
        con.execute(f"copy (select * replace (cast(case when source_row = 2 and file_name = 'found_statistics.csv' "
                    f"then -abs(value) - 1 else value end as decimal(24, 6)) as value) "
                    f"from read_parquet('{observations}')) to '{observations}.new' (format parquet)")
    observations.with_name(observations.name + ".new").replace(observations)
    before = (home / "published" / "planwatch.duckdb").stat().st_mtime_ns
    env = {"PLANWATCH_DBT_TARGET": "spark"}
    planwatch_cli("dbt", "build", "--select", "int_observations__vintages+", home=home, env_extra=env)
    result = planwatch_cli("publish", home=home, check=False, env_extra=env)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "marts_counts_non_negative" in result.stdout or "marts_rates_within_0_100" in result.stdout
    assert "nothing was published" in result.stderr
    assert (home / "published" / "planwatch.duckdb").stat().st_mtime_ns == before
