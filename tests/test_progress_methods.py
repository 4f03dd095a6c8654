"""The published progress methods after a real `planwatch run`: every 专栏2 indicator of the city judged in 2023 and
2025 by 序时进度 with the Open SDG and UN judgements beside it, county rows only ever references, the headline in
fct_plan_progress, and the early warnings in the run's alert log. The formulas themselves are pinned by the dbt unit
tests in models/intermediate/progress/_progress__intermediate.yml."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

from conftest import planwatch_cli
from warehouses import PROGRESS_MODELS, PROGRESS_REVISIONS, TOUCHED_ROW, UNTOUCHED_ROW

TIME_ELAPSED = {"achieved_early", "achieved", "ahead", "in_line", "behind"}


def test_every_city_indicator_is_judged_in_2023_and_2025_by_every_method(warehouse):
    rows = warehouse.execute("""
        select a.indicator_code, a.year, a.method, a.category_code, a.category_zh, a.not_assessed_reason, p.target_kind
        from marts.fct_progress_assessment a
        join marts.dim_plan_indicator p on p.indicator_code = a.indicator_code and p.plan_code = a.plan_code
        where a.region_code = '440700' and a.year in (2023, 2025)
    """).fetchall()
    indicators = {r[0] for r in rows}
    assert len(indicators) == 17
    assert {(r[0], r[1], r[2]) for r in rows} == {(i, y, m) for i in indicators for y in (2023, 2025)
                                                   for m in ("time_elapsed", "open_sdg", "un_sdg")}
    for indicator, year, method, code, zh, reason, kind in rows:
        if method == "time_elapsed" and kind != "ratio":  # 序时进度 answers for every rated indicator
            assert code in TIME_ELAPSED, (indicator, year, code, reason)
        if code == "not_assessed":  # says why, never a guess
            assert reason and zh.startswith("不评价："), (indicator, method)
        else:
            assert reason is None and "参考" not in zh
    # the growth methods judge every level, floor and ceiling, and leave the five-year totals to 序时进度
    growth = {(r[0], r[2]): r[5] for r in rows if r[2] != "time_elapsed" and r[1] == 2025}
    assert all(reason == "cumulative_target" for (i, m), reason in growth.items()
               if dict((r[0], r[6]) for r in rows)[i] == "cumulative")


def test_county_rows_are_references_never_a_plan_status(warehouse):
    labels = warehouse.execute("""
        select distinct is_reference, category_zh, category_en from marts.fct_progress_assessment
        where region_code <> '440700' and category_code <> 'not_assessed'
    """).fetchall()
    assert labels and all(ref and zh.endswith("（参考）") and en.endswith("(reference)") for ref, zh, en in labels)


def test_the_headline_and_the_disagreement_flag_are_in_fct_plan_progress(warehouse):
    mismatched = warehouse.execute("""
        select count(*) from marts.fct_plan_progress p
        join marts.fct_progress_assessment a using (indicator_code, region_code, year)
        where a.method = 'time_elapsed' and a.category_code <> p.time_elapsed_category
    """).fetchone()[0]
    assert mismatched == 0
    # the flag is true exactly where the methods that judged a row disagree on "on course or not"
    assert warehouse.execute("""
        with verdicts as (
            select indicator_code, region_code, year,
                   count(distinct case when category_code = 'not_assessed' then null
                                       when category_code in ('achieved_early', 'achieved', 'ahead', 'in_line',
                                                              'target_achieved', 'target_met', 'on_track')
                                       then 'on' else 'behind' end) > 1 as disagree
            from marts.fct_progress_assessment group by all
        )
        select count(*) from verdicts join marts.fct_plan_progress p using (indicator_code, region_code, year)
        where verdicts.disagree <> p.methods_disagree
    """).fetchone()[0] == 0


def test_early_warnings_reach_the_alert_log_binding_first(built_home, warehouse):
    warned = warehouse.execute("select priority, is_binding, is_reference, warning_zh from marts.rpt_early_warning "
                               "order by priority, indicator_code, region_code").fetchall()
    assert warned, "the bundled data has indicators behind their targets"
    assert [w[0] for w in warned] == sorted(w[0] for w in warned)
    assert all((w[0] == 1) == (w[1] and not w[2]) for w in warned)
    assert all(("参考" in w[3]) == w[2] for w in warned)
    records = [json.loads(line) for line in (built_home / "logs" / "alerts.log").read_text(encoding="utf-8")
               .splitlines() if '"early_warning"' in line]
    assert records and len(records[-1]["warnings"]) == len(warned)
    assert [w["warning_zh"] for w in records[-1]["warnings"]] == [w[3] for w in warned]



def test_an_incremental_progress_build_equals_a_full_rebuild(tmp_path, built_home):
    """The progress models are incremental (macros/incremental_progress.sql): after a submission that revises a
    county's first plan year (its share of the city, so every year of its series), a later year (running totals
    and the city's county sum), the city's rate, a county's own baseline year and the 15th plan's first year, an
    incremental `planwatch dbt build` gives every row a full rebuild gives — and rewrites only the slices touched.
    A second submission with the next year then moves the latest year off a row no build rewrites."""
    import duckdb

    homes = {}
    for name in ("incremental", "full"):
        home = homes[name] = tmp_path / name
        (home / "warehouse").mkdir(parents=True)
        shutil.copy(built_home / "warehouse" / "planwatch.duckdb", home / "warehouse" / "planwatch.duckdb")
        shutil.copytree(built_home / "landing", home / "landing")
        (home / "landing" / "revisions.csv").write_text(PROGRESS_REVISIONS, encoding="utf-8")
        planwatch_cli("load", home=home)
    next_year = "指标,地区,年份,数值,单位,状态\n城镇新增就业人数,蓬江区,2027,1.2,万人,初步\n"
    # a mark on a row of an indicator nobody revised and on one the revisions touch: the build must rewrite the
    # second and leave the first as it was (a full rebuild would rewrite both)
    untouched, touched = UNTOUCHED_ROW, TOUCHED_ROW
    warehouse = homes["incremental"] / "warehouse" / "planwatch.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for table in PROGRESS_MODELS:
            con.execute(f"update {table} set target_basis = 'mark' where ({untouched}) or ({touched})")
    planwatch_cli("dbt", "build", home=homes["incremental"])
    for name in ("incremental", "full"):
        (homes[name] / "landing" / "next_year.csv").write_text(next_year, encoding="utf-8")
        planwatch_cli("load", home=homes[name])
    planwatch_cli("dbt", "build", home=homes["incremental"])
    planwatch_cli("dbt", "build", "--full-refresh", home=homes["full"])

    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"attach '{homes['full'] / 'warehouse' / 'planwatch.duckdb'}' as full_build (read_only)")
        for table in PROGRESS_MODELS:
            marked = con.execute(f"select count(*) filter ({untouched}), count(*) filter ({touched}) from {table} "
                                 "where target_basis = 'mark'").fetchone()
            assert marked[0] > 0 and marked[1] == 0, (table, marked)
            for a, b in ((table, f"full_build.{table}"), (f"full_build.{table}", table)):
                differing = con.execute(f"select count(*) from (from {a} where not ({untouched}) "
                                        f"except all from {b} where not ({untouched}))").fetchone()[0]
                assert differing == 0, f"{a} has {differing} rows that {b} has not"
        # 2027 is the series' latest year with data; 2026, which was after the first build, is no longer
        latest = con.execute("""
            select plan_code, year from marts.fct_plan_progress
            where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440703' and is_latest_year_with_data
            order by year""").fetchall()
        assert latest == [("JM_HRSS_14", 2025), ("JM_HRSS_15_EXAMPLE", 2027)]
        share = con.execute("""
            select target_value from marts.fct_plan_progress
            where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440703' and year = 2025""").fetchone()[0]
        assert share != Decimal("4.000000")  # the share of the city moved with the revised 2021 value
