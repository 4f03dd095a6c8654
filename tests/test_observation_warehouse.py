"""Yearly statistics in the warehouse after a real `planwatch run`: bundled data, vintages, provenance."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import duckdb

from conftest import REPO_ROOT, planwatch_cli

AS_OF_QUERY = """
select indicator_code, region_code, period_start_year, year, value, status, vintage, source_file, loaded_at
from marts.fct_indicator_observation
where loaded_at <= ?
qualify row_number() over (partition by indicator_code, region_code, period_start_year, year
                           order by vintage desc) = 1
"""  # the README's "what did we know on date D?" query


def test_every_value_has_its_file_and_row(warehouse):
    missing = warehouse.execute("""
        select count(*) from marts.fct_indicator_observation
        where source_file is null or source_row is null or load_id is null or loaded_at is null
           or source_file_sha256 is null
    """).fetchone()[0]
    assert missing == 0
    files = {r[0] for r in warehouse.execute("select distinct source_file from marts.fct_indicator_observation").fetchall()}
    assert files == {"plan_printed_2016_2020.csv", "found_statistics.csv", "synthetic_2021_2025.csv",
                     "synthetic_2024_revision.csv"}


def test_plan_printed_history_is_real_and_keeps_the_plan_as_source(warehouse):
    row = warehouse.execute("""
        select value, status, is_synthetic, source_text from marts.fct_indicator_observation
        where indicator_code = 'SSC_HOLDERS' and region_code = '440700' and year = 2020 and is_latest
    """).fetchone()
    assert (float(row[0]), row[1], row[2]) == (446.7, "final", False)
    assert "专栏2 第17行" in row[3] and "第一章第一节" in row[3]
    total = warehouse.execute("""
        select value, period_start_year from marts.fct_indicator_observation
        where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440700' and year = 2020 and is_multi_year_total
    """).fetchone()
    assert (float(total[0]), total[1]) == (23.76, 2016)


def test_found_statistics_keep_their_source(warehouse):
    rows = warehouse.execute("""
        select source_text from marts.fct_indicator_observation where source_file = 'found_statistics.csv'
    """).fetchall()
    assert len(rows) == 24 and all("http" in r[0] for r in rows)


def test_synthetic_years_are_labelled_and_counties_add_up(warehouse):
    unlabelled = warehouse.execute("""
        select count(*) from marts.fct_indicator_observation
        where source_file like 'synthetic%' and not (is_synthetic and status = 'synthetic')
    """).fetchone()[0]
    assert unlabelled == 0
    gaps = warehouse.execute("""
        with latest as (select * from marts.fct_indicator_observation where is_latest and year between 2021 and 2025)
        select c.indicator_code, c.year, c.value, sum(k.value)
        from latest c
        join marts.dim_indicator i using (indicator_code)
        join latest k on k.indicator_code = c.indicator_code and k.year = c.year
        join marts.dim_region r on r.region_code = k.region_code and r.parent_region_code = '440700'
        where c.region_code = '440700' and i.is_additive and c.is_synthetic
        group by all
        having abs(c.value - sum(k.value)) > 0.000001 or count(*) <> 7
    """).fetchall()
    assert gaps == []
    # a real county figure is never replaced by a synthetic one
    assert warehouse.execute("""
        select status, value from marts.fct_indicator_observation
        where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440781' and year = 2022 and is_latest
    """).fetchone() == ("final", Decimal("0.5278"))


def test_revision_is_a_new_vintage_and_as_of_queries_see_history(warehouse):
    vintages = warehouse.execute("""
        select vintage, value, is_latest, source_file, loaded_at from marts.fct_indicator_observation
        where indicator_code = 'URBAN_REG_UNEMP_RATE' and region_code = '440700' and year = 2024 order by vintage
    """).fetchall()
    assert [(v[0], v[2], v[3]) for v in vintages] == [
        (1, False, "synthetic_2021_2025.csv"), (2, True, "synthetic_2024_revision.csv")]
    before_revision = vintages[1][4].replace(microsecond=vintages[1][4].microsecond - 1) \
        if vintages[1][4].microsecond else vintages[0][4]
    known = {(r[0], r[1], r[3]): (r[4], r[6]) for r in warehouse.execute(AS_OF_QUERY, [before_revision]).fetchall()}
    assert known[("URBAN_REG_UNEMP_RATE", "440700", 2024)] == (vintages[0][1], 1)
    known_now = {(r[0], r[1], r[3]): r[6] for r in warehouse.execute(AS_OF_QUERY, [vintages[1][4]]).fetchall()}
    assert known_now[("URBAN_REG_UNEMP_RATE", "440700", 2024)] == 2


def test_statistician_drops_templates_and_example_then_loads_twice(tmp_path):
    home = tmp_path / "home"
    landing = home / "landing"
    landing.mkdir(parents=True)
    for path in (REPO_ROOT / "templates").glob("planwatch_*"):
        shutil.copy(path, landing / path.name)
    first = planwatch_cli("load", home=home).stdout
    assert "planwatch_example_filled.xlsx: read 6, loaded 6, duplicates skipped 0, quarantined 0" in first
    assert "Total: 5 files, read 6, loaded 6" in first
    second = planwatch_cli("load", home=home).stdout
    assert second.count("already loaded, nothing added") == 5
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.observation").fetchone()[0] == 6
        rows = con.execute("select sheet, source_row from raw.observation where value_as_given = '4.35万人'").fetchall()
    assert rows == [("长表 long", 2)]


def test_the_published_observations_are_stored_in_lookup_order(built_home):
    """The dashboard's provenance lookup (every vintage of one value) reads one row group at national scale only if
    the published copy is stored by indicator, region, year and vintage (planwatch/publish/published_copy.py:
    PUBLISHED_ORDER); the working view has no order (its store is incremental, delete+insert)."""
    with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
        rows, out_of_order = con.execute("""
            select count(*), count(*) filter (where previous > current) from (
                select (indicator_code, region_code, year, vintage) as current,
                       lag((indicator_code, region_code, year, vintage)) over (order by rowid) as previous
                from marts.fct_indicator_observation)""").fetchone()
    assert rows > 700 and out_of_order == 0, (rows, out_of_order)


def test_a_second_run_adds_nothing(built_home):
    warehouse = built_home / "warehouse" / "planwatch.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("select count(*) from raw.observation").fetchone()[0]
    # nothing new since the build: the run recognises it, rebuilds nothing and says so (planwatch/run_inputs.py)
    unchanged = planwatch_cli("run", home=built_home)
    assert "nothing changed since the last complete run" in unchanged.stdout, unchanged.stdout
    assert "Running the main job" not in unchanged.stdout
    # forced, the job runs again and still adds nothing
    result = planwatch_cli("run", "--force", home=built_home)
    # the progress line of the landing step: every file recognised by its sha256, nothing loaded
    assert int(re.search(r"already loaded (\d+)", result.stdout).group(1)) >= 4, result.stdout
    assert "loaded 0," in result.stdout
    assert "nothing changed: no new release" in result.stdout  # and no release that changes nothing
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.observation").fetchone()[0] == before


def test_incremental_build_equals_a_full_rebuild(tmp_path, built_home):
    """fct_indicator_observation is incremental: after a load with a revision and a new year, the rebuilt
    keys (every vintage of each, is_latest moved) equal what a full rebuild derives from raw."""
    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    shutil.copy(built_home / "warehouse" / "planwatch.duckdb", home / "warehouse" / "planwatch.duckdb")
    shutil.copytree(built_home / "landing", home / "landing")
    (home / "landing" / "new_loads.csv").write_text(
        "指标,地区,年份,数值,单位,状态\n"
        "城镇登记失业率,江门市,2024,2.99,%,修订\n"  # a revision: vintage 3 of a key that has 2
        "城镇新增就业人数,蓬江区,2026,1.11,万人,初步\n", encoding="utf-8")  # a key never seen before
    planwatch_cli("load", home=home)
    planwatch_cli("dbt", "build", "--select", "+fct_indicator_observation", home=home)
    columns = "indicator_code, region_code, period_start_year, year, vintage, value, is_latest, load_id"
    full = f"""
        select {columns.replace('is_latest', 'vintage = max(vintage) over (partition by indicator_code, '
                                'region_code, period_start_year, year) as is_latest')}
        from staging.stg_raw__observations"""
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        incremental = f"select {columns} from marts.fct_indicator_observation"
        assert con.execute(f"select count(*) from ({incremental} except all {full})").fetchone()[0] == 0
        assert con.execute(f"select count(*) from ({full} except all {incremental})").fetchone()[0] == 0
        latest = con.execute("select vintage, value from marts.fct_indicator_observation where is_latest and "
                             "indicator_code = 'URBAN_REG_UNEMP_RATE' and region_code = '440700' and year = 2024"
                             ).fetchall()
        assert [(v, float(x)) for v, x in latest] == [(3, 2.99)]
        assert con.execute("select count(*) from marts.fct_indicator_observation where year = 2026").fetchone()[0] == 1


def test_a_prefilled_template_is_filled_in_excel_and_loads(tmp_path):
    """`planwatch templates --region 台山市 --year 2026`: one row per indicator of the plan, region, year and unit
    filled, drop-down lists for indicator, unit and status; filled in (by openpyxl, as Excel would save it) with
    all but one value, it loads those values and reports the empty one — never a zero."""
    from openpyxl import load_workbook

    home = tmp_path / "home"
    planwatch_cli("templates", str(tmp_path), "--region", "台山市", "--year", "2026", home=home)
    path = tmp_path / "planwatch_440781_2026.xlsx"
    book = load_workbook(path)
    sheet = book["数据 data"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # 2026 is the (example) 15th plan's first year: its table's rows, not the 14th plan's
    with open(REPO_ROOT / "seeds" / "plans" / "jm_hrss_15_example" / "jm_hrss_15_example__plan_table_rows.csv",
              encoding="utf-8") as f:
        plan_rows = sum(1 for line in f if line.startswith("JM_HRSS_15_EXAMPLE,"))
    assert plan_rows == 13
    assert len(rows) == plan_rows and {r[1] for r in rows} == {"台山市"} and {r[2] for r in rows} == {2026}
    assert {(str(v.sqref).split(":")[0], v.formula1) for v in sheet.data_validations.dataValidation} == {
        ("A2", f"='选项 lists'!$A$1:$A${plan_rows}"), ("E2", "='选项 lists'!$B$1:$B$5"), ("F2", "='选项 lists'!$C$1:$C$3")}
    assert book["选项 lists"].sheet_state == "hidden"
    for i, row in enumerate(sheet.iter_rows(min_row=3), start=1):  # the first indicator's value stays empty
        row[3].value = 10 * i
    landing = home / "landing" / "台山市"
    landing.mkdir(parents=True)
    book.save(landing / path.name)
    out = planwatch_cli("load", home=home, check=False).stdout
    assert f"read {plan_rows}, loaded {plan_rows - 1}" in out and "quarantined 1" in out, out
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), min(year), max(year) from raw.observation").fetchone() == (
            plan_rows - 1, 2026, 2026)
        assert con.execute("select reason_code, source_row from raw.quarantine").fetchall() == [("missing_value", 2)]
