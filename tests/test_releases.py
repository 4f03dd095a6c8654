"""Releases (审核发布): numbered and immutable, none when nothing changed; under the `approve` policy nothing
reaches a reader until a steward signs; a rollback (itself a release) puts earlier numbers back; a steward can
return a submission; every action is in the published audit trail."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import planwatch_cli

CITY_2025 = "指标,地区,年份,数值\n城镇登记失业率,江门市,2025,{}\n"


def reader(home, sql, params=()):
    """What a dashboard or BI tool reads: the published file."""
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def city_rate_2025(home) -> float:
    (value,) = reader(home, "select value::double from marts.fct_indicator_observation where is_latest and "
                            "indicator_code = 'URBAN_REG_UNEMP_RATE' and region_code = '440700' and year = 2025")[0]
    return value


@pytest.fixture()
def home(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    return home


def test_the_first_run_is_release_1(home):
    # (a second run with nothing new makes no release: test_observation_warehouse.test_a_second_run_adds_nothing)
    assert reader(home, "select release_no, kind, approved_by from review.release") == [
        (1, "publication", "planwatch (auto)")]
    assert [line.split()[0] for line in planwatch_cli("release", "list", home=home).stdout.splitlines()] == ["1"]


def test_under_approve_nothing_publishes_until_a_steward_signs(home):
    before = city_rate_2025(home)
    (home / "landing" / "2025_江门市.csv").write_text(CITY_2025.format("2.19"), encoding="utf-8")
    approve = {"PLANWATCH_RELEASE_POLICY": "approve"}
    result = planwatch_cli("run", home=home, env_extra=approve)
    assert "waits for a steward" in result.stdout
    assert city_rate_2025(home) == before  # the reader still sees release 1
    review = planwatch_cli("review", home=home, env_extra=approve).stdout
    assert "1 revised" in review and f"URBAN_REG_UNEMP_RATE 440700 2025: {before:.6f} → 2.190000" in review
    assert "accepted 2025_江门市.csv" in review
    signed = planwatch_cli("approve", "--by", "王审核", "--note", "核实无误", home=home, env_extra=approve)
    assert "release 2 signed by 王审核" in signed.stdout
    assert city_rate_2025(home) == 2.19
    assert reader(home, "select release_no, approved_by, note, revisions from review.release order by 1") == [
        (1, "planwatch (auto)", None, 0), (2, "王审核", "核实无误", 1)]
    assert reader(home, "select action, actor from review.audit_trail where object = '2' order by action") == [
        ("approve", "王审核"), ("publish", "王审核")]
    # the release is kept on disk, immutable
    assert (home / "published" / "releases" / "release-0002.duckdb").exists()

    # a rollback is a release of its own: the reader sees release 1's number again
    rolled = planwatch_cli("release", "rollback", "1", "--by", "王审核", "--note", "数据待核实", home=home,
                           env_extra=approve)
    assert "release 3 restores release 1" in rolled.stdout
    assert city_rate_2025(home) == before
    assert reader(home, "select release_no, kind, restores from review.release where release_no = 3") == [
        (3, "rollback", 1)]
    shown = planwatch_cli("release", "show", "2", home=home).stdout
    assert "approved by 王审核" in shown and "revised" in shown


def test_a_steward_returns_a_submission_and_its_values_leave_the_next_release(home):
    (home / "landing" / "2025_江门市.csv").write_text(CITY_2025.format("2.17"), encoding="utf-8")
    planwatch_cli("run", home=home)
    assert city_rate_2025(home) == 2.17
    returned = planwatch_cli("return", "2025_江门市.csv", "--by", "王审核", "--note", "与快报不符，请核实", home=home)
    assert "returned 2025_江门市.csv" in returned.stdout
    planwatch_cli("run", home=home)
    assert city_rate_2025(home) != 2.17  # the previous vintage is current again
    assert reader(home, "select status, note_en from marts.fct_submission where file_name = '2025_江门市.csv'") == [
        ("returned", "returned by the steward: 与快报不符，请核实")]
    assert ("return", "王审核") in reader(home, "select action, actor from review.audit_trail")


def test_approve_without_a_candidate_says_so(home):
    result = planwatch_cli("approve", "--by", "王审核", home=home, check=False)
    assert result.returncode == 1 and "no candidate release is waiting" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_release_starts_from_the_last_one_and_writes_only_what_changed(home):
    """Issue 21: the candidate is a byte copy of the last release with the years that changed written again; it holds
    exactly what the working warehouse holds, in DuckDB's v1.0.0 storage, and the last release's file is untouched."""
    release_1 = home / "published" / "releases" / "release-0001.duckdb"
    before = release_1.read_bytes()
    (home / "landing" / "2025_江门市.csv").write_text(CITY_2025.format("2.19"), encoding="utf-8")
    planwatch_cli("run", home=home)
    assert city_rate_2025(home) == 2.19 and release_1.read_bytes() == before
    published = home / "published" / "planwatch.duckdb"
    with duckdb.connect() as con:
        con.execute(f"attach '{home / 'warehouse' / 'planwatch.duckdb'}' as working (read_only)")
        con.execute(f"attach '{published}' as published (read_only)")
        assert con.execute("select tags['storage_version'] from duckdb_databases() "
                           "where database_name = 'published'").fetchone()[0].startswith("v1.0.0")
        tables = con.execute("select schema_name, table_name from duckdb_tables() where database_name = 'published' "
                             "and schema_name in ('marts', 'quality') order by all").fetchall()
        assert ("marts", "fct_indicator_observation") in tables and len(tables) > 15
        for schema, table in tables:  # every row the same, both ways
            for one, other in (("working", "published"), ("published", "working")):
                assert con.execute(f'select count(*) from (from {one}."{schema}"."{table}" except all '
                                   f'from {other}."{schema}"."{table}")').fetchone()[0] == 0, (schema, table, one)
        # the release log is the release's own (release 1's changes kept from the copy, release 2's appended)
        assert con.execute("select max(release_no) from published.review.release").fetchone()[0] == 2
        for one, other in (("working", "published"), ("published", "working")):
            assert con.execute(f"select count(*) from (from {one}.review.release_change except all "
                               f"from {other}.review.release_change)").fetchone()[0] == 0, one
        assert con.execute("select count(distinct release_no) from published.review.release_change").fetchone()[0] == 2


def test_a_release_file_keeps_the_log_it_holds_and_gets_the_later_releases(tmp_path):
    """_append_release_changes appends only the later releases' changes to a file holding this warehouse's log up
    to some release, and refuses (the table is then written whole) a file whose log differs."""
    from planwatch.release.releases import _append_release_changes

    with duckdb.connect(str(tmp_path / "working.duckdb")) as con:
        con.execute("create schema review")
        con.execute("create table review.release_change (release_no integer, change varchar, indicator_code varchar)")
        con.execute("insert into review.release_change values (1, 'new', 'a'), (1, 'new', 'b'), (2, 'revised', 'a')")
        for name, rows in (("same", "(1, 'new', 'a'), (1, 'new', 'b')"), ("short", "(1, 'new', 'a')")):
            con.execute(f"attach '{tmp_path / name}.duckdb' as target")
            con.execute("create schema target.review")
            con.execute("create table target.review.release_change (release_no integer, change varchar, "
                        f"indicator_code varchar); insert into target.review.release_change values {rows}")
            assert _append_release_changes(con) == (name == "same")
            held = sorted(con.execute("from target.review.release_change").fetchall())
            assert held == (sorted(con.execute("from review.release_change").fetchall()) if name == "same"
                            else [(1, "new", "a")])
            con.execute("detach target")


def test_a_published_table_is_synced_year_by_year(tmp_path):
    from planwatch.publish.published_copy import sync_published_table

    with duckdb.connect() as con:
        con.execute(f"attach '{tmp_path / 'working.duckdb'}' as working")
        con.execute(f"attach '{tmp_path / 'published.duckdb'}' as published")
        for database in ("working", "published"):
            con.execute(f"create schema {database}.marts")
            con.execute(f"create table {database}.marts.fct as select range % 3 + 2023 as year, range as value, "
                        f"'a' as note from range(30)")
            con.execute(f"create table {database}.marts.dim as select range as code from range(5)")
        assert sync_published_table(con, "marts", "fct") == "unchanged"
        assert sync_published_table(con, "marts", "dim") == "unchanged"
        con.execute("update working.marts.fct set value = -1 where year = 2024 and value = 4")
        con.execute("insert into working.marts.fct values (2026, 99, 'new')")
        con.execute("insert into working.marts.dim values (5)")
        # a release's rows changed behind its back are found and written again too
        con.execute("update published.marts.fct set note = 'b' where year = 2023 and value = 0")
        assert sync_published_table(con, "marts", "fct") == "years 2023, 2024, 2026"
        assert sync_published_table(con, "marts", "dim") == "replaced"
        con.execute("alter table working.marts.dim add column name varchar")
        assert sync_published_table(con, "marts", "dim") == "created"
        for table in ("fct", "dim"):
            assert con.execute(f"select count(*) from (from working.marts.{table} except all "
                               f"from published.marts.{table})").fetchone()[0] == 0
        assert con.execute("select count(*) from published.marts.fct").fetchone()[0] == 31
