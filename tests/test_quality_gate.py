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
    assert "Quality checks: 24" in out and "errors 0" in out
    assert "full audit: every rule over every row" in out  # the first build, and a final evaluation's run
    # the run ends its process early (planwatch/cli.py): nothing left for a person to read after it, such as
    # multiprocessing's resource tracker reporting a lock as leaked
    errors = (built_home / "run_stderr.txt").read_text(encoding="utf-8")
    assert "leaked" not in errors and "Traceback" not in errors, errors[-2000:]
    assert "Quality report (Data Docs):" in out
    assert (built_home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").exists()
    published = built_home / "published" / "planwatch.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        storage = con.execute("select tags['storage_version'] from duckdb_databases() "
                              "where database_name = 'planwatch'").fetchone()[0]
        assert storage.startswith("v1.0.0")  # readable by DuckDB 1.x clients
        # the 14th plan and the example 15th: 17 and 13 indicators, the city and 7 counties, 5 years
        assert con.execute("select count(*) from marts.fct_plan_progress").fetchone()[0] == (17 + 13) * 8 * 5
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


def test_the_scoped_gate_catches_a_bad_new_submission_and_the_full_audit_a_bad_old_row(corrupted_home, monkeypatch):
    """Issue 21: a run validates the submissions no release carries yet and every key they touch (with the regions
    above them); the rest was proven by its release, and the full audit validates every row."""
    monkeypatch.setenv("PLANWATCH_EXPECTED_YEAR", "2025")
    settings = get_settings(home=corrupted_home)
    checks = [c for c in build_checks() if c.family in ("codes_known", "cumulative")]
    failing = {"raw_observation_region_known", "marts_cumulative_never_decreasing"}
    with duckdb.connect(str(settings.warehouse)) as con:  # bad values planted in rows of a published release
        # every submission carried by a release, whatever the tests before this one loaded into the home it copies
        con.execute("insert into raw.submission_event select load_id, 'published', null, 'test', 'test', null, null, "
                    "null, current_timestamp::timestamp from raw.load_file where load_id not in "
                    "(select load_id from raw.submission_event where status = 'published')")
        con.execute("update raw.observation set region_code = '440799' where indicator_code = 'URBAN_NEW_JOBS' "
                    "and year = 2023 and region_code = '440703'")
        con.execute("update marts.fct_plan_progress set cumulative_actual = 1 where indicator_code = 'URBAN_NEW_JOBS' "
                    "and region_code = '440700' and year = 2023")
    scoped = run_gate(settings, checks, scoped=True)
    assert scoped.passed and "the 0 submission(s)" in scoped.render(), scoped.render()
    full = run_gate(settings, checks)
    assert failing <= {r.check_name for r in full.results if not r.success} and not full.passed
    assert "full audit" in full.render()

    with duckdb.connect(str(settings.warehouse)) as con:  # a new submission from 蓬江区 with one unknown region
        con.execute("insert into raw.load_file select * replace ('new-load' as load_id, 'pengjiang_2025.csv' as "
                    "file_name) from raw.load_file limit 1")
        con.execute("insert into raw.observation select * replace ('new-load' as load_id, vintage + 100 as vintage) "
                    "from raw.observation where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440703' "
                    "and year = 2025")
        con.execute("insert into raw.observation select * replace ('new-load' as load_id, vintage + 100 as vintage, "
                    "'440798' as region_code) from raw.observation where indicator_code = 'URBAN_NEW_JOBS' "
                    "and region_code = '440703' and year = 2025")
        con.execute("insert into raw.submission_event values ('new-load', 'accepted', '440703', 'test', 'test', null, "
                    "null, null, current_timestamp::timestamp)")
        # the city's running total in the year the county's new value enters (dbt would have derived it)
        con.execute("update marts.fct_plan_progress set cumulative_actual = 1 where indicator_code = 'URBAN_NEW_JOBS' "
                    "and region_code = '440700' and year = 2025")
    scoped = run_gate(settings, checks, scoped=True)
    # the unknown region of the new file, and the city's running total its county row leads to (440703 → 440700)
    assert failing <= {r.check_name for r in scoped.results if not r.success}, scoped.render()
    region = next(r for r in scoped.results if r.check_name == "raw_observation_region_known")
    assert "440798" in region.observed and "440799" not in region.observed  # the old row is not its business
    # the key from the year before the first one the submission touches (2024, which 2025 is compared with): the
    # bad 2023 total is the full audit's, as it was before the submission came
    cumulative = next(r for r in scoped.results if r.check_name == "marts_cumulative_never_decreasing")
    assert "'year': 2025" in cumulative.observed and "'year': 2023" not in cumulative.observed, cumulative.observed
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("select from_year from quality.gate_scope_key where indicator_code = 'URBAN_NEW_JOBS' "
                           "and region_code in ('440703', '440700')").fetchall() == [(2024,), (2024,)]
    assert "the 1 submission(s)" in scoped.render()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        # this test's three gates, after whatever the tests before it ran on the home it copied
        assert con.execute("select scope, submissions from quality.gate_run order by validated_at").fetchall()[-3:] \
            == [("changed", 0), ("full", None), ("changed", 1)]
    # on demand, as a steward asks for it: every rule over every row, the old bad row named, exit status 1
    audit = planwatch_cli("quality", "--full", home=corrupted_home, check=False,
                          env_extra={"PLANWATCH_EXPECTED_YEAR": "2025"})
    assert audit.returncode == 1 and "full audit: every rule over every row" in audit.stdout
    assert "raw_observation_region_known" in audit.stdout and "440799" in audit.stdout


def test_gate_releases_the_warehouse(corrupted_home):
    settings = get_settings(home=corrupted_home)
    run_gate(settings, [c for c in build_checks() if c.family == "keys"])
    with duckdb.connect(str(settings.warehouse)) as con:  # a writer can open the file again
        con.execute("create table marts.probe as select 1 as x")


# ------------------------------------------------------------------------------------ end to end
def test_a_run_checks_what_changed_unless_it_audits(built_home, tmp_path):
    """As `planwatch run` starts it, through Dagster: a run whose report is not a final evaluation (here: no report
    after the run) validates what changed; `--full-audit` (the weekly schedule's tag) every rule over every row."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    env = {"PLANWATCH_REPORT_AFTER_RUN": "false"}
    scoped = planwatch_cli("run", "--force", home=home, env_extra=env)
    gate = last_run(get_settings(home=home))
    assert gate.passed and gate.scope and "submission(s) no release carries yet" in scoped.stdout
    audit = planwatch_cli("run", "--full-audit", home=home, env_extra=env)
    assert last_run(get_settings(home=home)).is_full_audit and "full audit" in audit.stdout


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
