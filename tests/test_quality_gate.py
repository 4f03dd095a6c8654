"""The quality gate: Great Expectations in DuckDB between the build and every reader.

For each family of expectations a corrupted copy of a real warehouse makes it fail; a failing error-level check
stops publication with the published file byte-identical; a warning travels with the data.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT, planwatch_cli
from expectations.gate import last_run, run_gate
from expectations.suites import build_checks
from planwatch.settings import get_settings


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_validates_before_it_publishes(built_home):
    out = (built_home / "run_stdout.txt").read_text(encoding="utf-8")
    assert "Quality checks: 23" in out and "errors 0" in out
    assert "Quality report (Data Docs):" in out
    assert (built_home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()
    published = built_home / "published" / "planwatch.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        storage = con.execute("select tags['storage_version'] from duckdb_databases() "
                              "where database_name = 'planwatch'").fetchone()[0]
        assert storage.startswith("v1.0.0")  # readable by DuckDB 1.x clients
        assert con.execute("select count(*) from marts.fct_plan_progress").fetchone()[0] == 680
        # the BI contract: the star schema, the quality history and the release log, not the working schemas
        assert {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()} == {
            "marts", "quality", "review"}
        history = con.execute("select count(*), count(distinct run_id), bool_and(severity in ('error', 'warning')) "
                              "from quality.quality_result").fetchone()
    assert history[0] >= 23 and history[2]


def test_planwatch_quality_lists_failures_and_warnings_first(built_home):
    out = planwatch_cli("quality", "--all", home=built_home).stdout
    lines = out.splitlines()
    first_warning = next(i for i, line in enumerate(lines) if "WARNING" in line)
    first_passed = next(i for i, line in enumerate(lines) if "PASSED" in line)
    assert first_warning < first_passed
    assert "marts_plan_text_agrees_with_tables" in out and "Data Docs" in out


def test_a_warning_does_not_block(built_home):
    gate = last_run(get_settings(home=built_home))
    assert gate.passed and gate.failed_warnings
    assert {w.check_name for w in gate.failed_warnings} >= {"marts_plan_text_agrees_with_tables"}
    assert (built_home / "published" / "planwatch.duckdb").exists()


def test_plan_consistency_warning_names_the_sentence_and_the_cell(built_home):
    gate = last_run(get_settings(home=built_home))
    finding = next(w for w in gate.failed_warnings if w.check_name == "marts_plan_text_agrees_with_tables")
    assert "0.8万人次以上/年" in finding.observed and "专栏2 第13行 2025年" in finding.observed
    assert "30%" in finding.observed and "专栏2 第9行 2025年" in finding.observed


# ------------------------------------------------------------------------------------ bad fixtures
@pytest.fixture()
def corrupted_home(built_home, tmp_path):
    """A copy of the built working warehouse that a test may corrupt."""
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(built_home / "warehouse" / "planwatch.duckdb", home / "warehouse" / "planwatch.duckdb")
    return home


FAMILIES = [
    ("columns_and_types", ["raw_observation_columns", "raw_observation_value_is_decimal"],
     ["alter table raw.observation drop column status",
        "alter table raw.observation alter value type double"]),
    ("keys", ["raw_observation_key_unique"], [
        "insert into raw.observation select * from raw.observation limit 1"]),
    ("codes_known", ["raw_observation_region_known"], [
        "update raw.observation set region_code = '440799' where indicator_code = 'URBAN_NEW_JOBS' and year = 2023 "
        "and region_code = '440703'"]),
    ("years", ["raw_observation_year_in_window"], [
        "update raw.observation set year = 2031, period_start_year = 2031 "
        "where indicator_code = 'URBAN_NEW_JOBS' and year = 2023 and region_code = '440703'"]),
    ("accounting", ["raw_load_file_rows_accounted"], [
        "update raw.load_file set rows_read = rows_read + 1 where file_name = 'found_statistics.csv'"]),
    ("units", ["staging_units_match_registry"], [
        "update raw.observation set unit = '人' where indicator_code = 'URBAN_NEW_JOBS' and year = 2022"]),
    ("ranges", ["marts_counts_non_negative", "marts_rates_within_0_100"], [
        "update intermediate.int_observations__vintages set value = -1 "
        "where indicator_code = 'NEW_SKILLED_TALENT' and year = 2022",
        "update intermediate.int_observations__vintages set value = 120 "
        "where indicator_code = 'PENSION_INS_RATE' and year = 2022"]),
    ("cumulative", ["marts_cumulative_never_decreasing"], [
        "update marts.fct_plan_progress set cumulative_actual = 1 where indicator_code = 'URBAN_NEW_JOBS' "
        "and region_code = '440700' and year = 2023"]),
    ("county_sum", ["marts_county_sum_matches_city"], [
        "update marts.fct_plan_progress set county_sum_difference = 0.5 where indicator_code = 'URBAN_NEW_JOBS' "
        "and region_code = '440700' and year = 2023"]),
    ("targets", ["marts_every_zl2_indicator_year_has_target"], [
        "delete from marts.fct_plan_target where indicator_code = 'URBAN_NEW_JOBS' and year = 2023"]),
    ("freshness", ["marts_expected_year_present"], [
        "delete from intermediate.int_observations__vintages where year = 2025 and indicator_code = 'SSC_HOLDERS'"]),
    ("jumps", ["marts_year_on_year_plausible"], [
        "update intermediate.int_observations__vintages set value = value * 3 where indicator_code = 'SSC_HOLDERS' "
        "and region_code = '440700' and year = 2023"]),
]


@pytest.mark.parametrize("family, failing, statements", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_family_fails_on_its_bad_fixture(corrupted_home, monkeypatch, family, failing, statements):
    monkeypatch.setenv("PLANWATCH_EXPECTED_YEAR", "2025")
    settings = get_settings(home=corrupted_home)
    checks = [c for c in build_checks() if c.family == family]
    clean = run_gate(settings, checks)
    assert all(r.success for r in clean.results if r.check_name in failing and r.family != "jumps"), clean.render()
    with duckdb.connect(str(settings.warehouse)) as con:
        for statement in statements:
            con.execute(statement)
    gate = run_gate(settings, checks)
    failed = {r.check_name for r in gate.results if not r.success}
    assert set(failing) <= failed, gate.render()
    severities = {r.severity for r in gate.results if r.check_name in failing}
    assert gate.passed == (severities == {"warning"})  # errors block, warnings do not


def test_gate_releases_the_warehouse(corrupted_home):
    settings = get_settings(home=corrupted_home)
    run_gate(settings, [c for c in build_checks() if c.family == "keys"])
    with duckdb.connect(str(settings.warehouse)) as con:  # a writer can open the file again
        con.execute("create table marts.probe as select 1 as x")


# ------------------------------------------------------------------------------------ end to end
def test_a_failing_error_check_stops_publication(built_home, tmp_path, monkeypatch):
    """An error-level check that fails on the built warehouse (a negative count planted in the marts, as no load
    can write since a submission with one is returned) stops publication: the published copy stays as it was."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    published = home / "published" / "planwatch.duckdb"
    before = sha256(published)
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb")) as con:
        con.execute("update intermediate.int_observations__vintages set value = -5 "
                    "where indicator_code = 'UNEMP_INS_PARTICIPANTS' and region_code = '440703' and year = 2024")
    result = planwatch_cli("publish", home=home, check=False)
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in out
    assert "marts_counts_non_negative" in out
    assert "the published copy is unchanged" in out and "Data Docs" in out
    assert sha256(published) == before
    with duckdb.connect(str(published), read_only=True) as con:  # the last good data, still readable
        assert con.execute("select count(*) from marts.fct_indicator_observation where value < 0").fetchone()[0] == 0
    assert planwatch_cli("quality", home=home, check=False).returncode == 1
    # every dashboard page says so above the last good numbers
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    at = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert "第 1 号发布版本" in at.info[0].value
    assert "未通过数据质量检查（1 项错误），未发布" in at.error[0].value
