"""The semantic layer by name: `planwatch metrics` answers "completion rate by county in 2025" and "how many
indicators on track, binding or not" from the published copy, and its numbers are the marts' own."""

from __future__ import annotations

import csv
import io

import duckdb

from conftest import planwatch_cli

YEAR_2025 = "{{ TimeDimension('metric_time', 'year') }} = '2025-01-01'"


def rows(out: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(out)))


def test_metrics_are_listed_with_their_descriptions(built_home):
    out = planwatch_cli("metrics", "list", "--dimensions", home=built_home).stdout
    for metric in ("indicator_value", "indicator_target", "completion_rate", "cumulative_actual", "county_share",
                   "indicators_count", "indicators_on_track", "share_on_track"):
        assert f"\n{metric}\t" in f"\n{out}"
    assert "region__name_zh" in out and "indicator__attribute" in out and "metric_time__year" in out


def test_completion_rate_by_county_in_2025_is_the_marts_number(built_home):
    out = planwatch_cli("metrics", "query", "--metrics", "completion_rate", "--group-by", "region__name_zh",
                        "--where", YEAR_2025, "--csv", home=built_home).stdout
    found = {r["region__name_zh"]: float(r["completion_rate"]) for r in rows(out)}
    with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
        expected = dict(con.execute("select r.name_zh, avg(g.completion_rate) from marts.fct_plan_progress g join "
                                    "marts.dim_region r using (region_code) where g.year = 2025 group by 1").fetchall())
    assert len(found) == 8 and found.keys() == expected.keys()
    assert all(abs(found[k] - float(expected[k])) < 1e-6 for k in found)


def test_county_share_of_the_city_total_is_the_counties_values_over_the_city_s(built_home):
    out = planwatch_cli("metrics", "query", "--metrics", "county_share", "--group-by", "indicator,region__name_zh",
                        "--where", YEAR_2025, "--where", "{{ Dimension('progress__is_county') }}", "--csv",
                        home=built_home).stdout
    found = {(r["indicator"], r["region__name_zh"]): r["county_share"] for r in rows(out)}
    with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
        # from the values, not from the mart's share column; rates have no share (they never add up)
        expected = {(i, n): (round(c / p * 100, 2) if additive and c is not None and p else None)
                    for i, n, additive, c, p in con.execute(
            "select c.indicator_code, r.name_zh, d.is_additive, c.actual_value, p.actual_value "
            "from marts.fct_plan_progress c join marts.fct_plan_progress p on p.indicator_code = c.indicator_code "
            "and p.year = c.year and p.region_code = '440700' join marts.dim_region r on r.region_code = c.region_code "
            "join marts.dim_indicator d on d.indicator_code = c.indicator_code "
            "where c.year = 2025 and c.is_county").fetchall()}
    assert found.keys() == expected.keys() and len(found) == 7 * 17
    assert all((found[k] == "") == (expected[k] is None) for k in found)
    assert all(abs(float(found[k]) - float(expected[k])) < 1e-6 for k in found if expected[k] is not None)
    assert sum(1 for v in expected.values() if v is not None) >= 7 * 5  # the counts, not only the rates


def test_indicators_by_status_and_attribute_for_the_city(built_home):
    out = planwatch_cli("metrics", "query", "--metrics", "indicators_count,indicators_on_track", "--group-by",
                        "progress__progress_status,indicator__attribute", "--where", YEAR_2025,
                        "--where", "{{ Entity('region') }} = '440700'", "--csv", home=built_home).stdout
    found = {(r["progress__progress_status"], r["indicator__attribute"]): int(r["indicators_count"]) for r in rows(out)}
    with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
        expected = {(s, a): n for s, a, n in con.execute(
            "select g.progress_status, i.attribute, count(distinct g.indicator_code) from marts.fct_plan_progress g "
            "join marts.dim_indicator i using (indicator_code) where g.year = 2025 and g.region_code = '440700' "
            "group by all").fetchall()}
    assert found == {(s, a or ""): n for (s, a), n in expected.items()}
    for r in rows(out):  # the filtered metric counts the on-track rows only
        assert r["indicators_on_track"] == (r["indicators_count"] if r["progress__progress_status"] == "on_track"
                                            else "")


def test_an_unknown_metric_is_a_clear_message(built_home):
    result = planwatch_cli("metrics", "query", "--metrics", "completion_rat", "--group-by", "region__name_zh",
                           home=built_home, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "指标查询无法执行" in result.stderr and "completion_rate" in result.stderr  # MetricFlow's suggestion
