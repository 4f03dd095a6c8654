"""Plan progress, the evaluation tables and the exports after a real `planwatch run`."""

from __future__ import annotations

import codecs
import csv
import re
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

import plan_document as doc
from planwatch.publish.exports import (MANIFEST, SDMX_COLUMNS, SDMX_OBS_STATUS, SDMX_UNIT_MEASURE, parquet_path,
                                       write_exports)


def test_progress_covers_every_indicator_region_and_year(warehouse):
    n, statuses = warehouse.execute("""
        select count(*), list(distinct progress_status) from marts.fct_plan_progress
    """).fetchone()
    # the 14th plan (17 indicators) and the example 15th (13): the city and its 7 counties, 5 years each
    assert n == (17 + 13) * 8 * 5
    assert set(statuses) <= {"on_track", "at_risk", "off_track", "no_data", "incomplete_data", "no_target"}


def test_cumulative_progress_is_the_running_total_since_2021(warehouse):
    yearly = dict(warehouse.execute("""
        select year, value from marts.fct_indicator_observation
        where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440700' and is_latest
          and not is_multi_year_total and year between 2021 and 2025
    """).fetchall())
    rows = warehouse.execute("""
        select year, cumulative_actual, target_value, completion_rate, is_met from marts.fct_plan_progress
        where indicator_code = 'URBAN_NEW_JOBS' and region_code = '440700' and plan_code = 'JM_HRSS_14' order by year
    """).fetchall()
    running = Decimal(0)
    for year, cumulative, target, rate, met in rows:
        running += yearly[year]
        assert cumulative == running
        assert rate == (cumulative / target * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as printed
        assert met == (cumulative >= target)


def test_ceilings_are_judged_as_ceilings(warehouse):
    rows = warehouse.execute("""
        select actual_value, target_value, completion_rate, completion_text, is_met from marts.fct_plan_progress
        where indicator_code = 'URBAN_REG_UNEMP_RATE' and plan_code = 'JM_HRSS_14'
    """).fetchall()
    assert rows
    for actual, target, rate, text, met in rows:
        assert rate is None and target == 3
        assert met == (actual <= target)
        assert text == ("控制在目标范围内" if met else "超出目标范围")


def test_latest_year_row_answers_on_track_and_pace(warehouse):
    rows = warehouse.execute("""
        select indicator_code, region_code, year, progress_status, gap_to_final_target, required_yearly_pace
        from marts.fct_plan_progress where is_latest_year_with_data
    """).fetchall()
    assert len(rows) == 17 * 8
    assert {r[2] for r in rows} == {2025}
    binding = warehouse.execute(
        "select distinct indicator_code from marts.fct_plan_progress where is_binding and plan_code = 'JM_HRSS_14' "
        "order by 1").fetchall()
    assert binding == [("INJURY_INS_PARTICIPANTS",), ("UNEMP_INS_PARTICIPANTS",)]


def test_rates_never_add_up_and_counts_show_their_difference(warehouse):
    rates = warehouse.execute("""
        select count(*) from marts.fct_plan_progress p join marts.dim_indicator i using (indicator_code)
        where i.value_type = 'rate' and (p.county_sum_value is not null or p.n_counties_reported is not null)
    """).fetchone()[0]
    assert rates == 0
    counts = warehouse.execute("""
        select count(*), count(*) filter (where county_sum_difference = 0) from marts.fct_plan_progress p
        join marts.dim_indicator i using (indicator_code)
        where i.is_additive and not p.is_county and p.n_counties_reported = 7
    """).fetchone()
    assert counts[0] > 0 and counts[0] == counts[1]  # synthetic counties sum exactly to the city


def test_thirteenth_plan_evaluation_agrees_with_what_zl1_prints(warehouse):
    computed = {r[0]: r[1:] for r in warehouse.execute("""
        select e.source_ref, e.completion_rate, e.completion_text, e.completion_within_rounding, e.is_met
        from marts.rpt_plan_evaluation e where e.plan_code = 'JM_HRSS_13'
    """).fetchall()}
    assert len(computed) == 14
    for printed in doc.zl1_rows():
        rate, text, within, met = computed[f"专栏1 第{printed.row_no}行"]
        printed_rate, _, _ = doc.parse_printed_number(printed.completion)
        if printed_rate is None:
            assert text == printed.completion  # 控制在目标范围内, ——
        else:
            actual = printed.actual.strip("[]")
            decimals = len(actual.split(".")[1]) if "." in actual else 0
            target, _, _ = doc.parse_printed_number(printed.target)
            tolerance = 0.5 * 10 ** -decimals / target * 100 + 0.005
            assert abs(float(rate) - printed_rate) <= tolerance, (printed.row_no, rate, printed_rate)
            assert within is True
    # 高技能人才总量: 94.57% — the one 13th-plan target not met
    assert computed["专栏1 第9行"][3] is False


def test_fourteenth_plan_mid_term_and_final_evaluations(warehouse):
    rows = warehouse.execute("""
        select evaluation, evaluation_year, count(*), list(distinct data_basis)
        from marts.rpt_plan_evaluation where plan_code = 'JM_HRSS_14' and evaluation <> 'text_target'
        group by all order by 1
    """).fetchall()
    assert rows == [("final", 2025, 17, ["synthetic"]), ("mid_term", 2023, 17, ["synthetic"])]


def test_text_targets_carry_their_status_where_data_exists(warehouse, seeds):
    rows = warehouse.execute("""
        select target_code, indicator_code, actual_value, completion_text, data_basis
        from marts.rpt_plan_evaluation where evaluation = 'text_target' and plan_code = 'JM_HRSS_14'
    """).fetchall()
    assert len(rows) == len(seeds["plan_text_targets"])
    linked = [r for r in rows if r[1]]
    assert linked and all(r[2] is not None and r[4] == "synthetic" for r in linked)
    assert all(r[3] == "无对应指标数据" and r[4] == "no_data" for r in rows if not r[1])


# ---------------------------------------------------------------------------------------------- exports
def test_every_mart_is_exported(built_home, warehouse):
    marts = [r[0] for r in warehouse.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
    exports = built_home / "published" / "exports"
    partitioned = 0
    for table in marts:
        n = warehouse.execute(f"select count(*) from marts.{table}").fetchone()[0]
        columns = [r[0] for r in warehouse.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table]).fetchall()]
        path = parquet_path(table, columns)
        if path.endswith("/"):  # a fact mart: one folder per year, read back as one table with its year
            partitioned += 1
            source = f"read_parquet('{exports}/{path}**/*.parquet', hive_partitioning = true)"
            assert warehouse.execute(f"select year, count(*) from {source} group by all order by 1").fetchall() == \
                warehouse.execute(f"select year, count(*) from marts.{table} group by all order by 1").fetchall()
        else:
            source = f"'{exports / path}'"
        assert warehouse.execute(f"select count(*) from {source}").fetchall()[0][0] == n
        raw = (exports / "csv" / f"{table}.csv").read_bytes()
        assert raw.startswith(codecs.BOM_UTF8)
        with open(exports / "csv" / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
            assert len(list(csv.DictReader(f))) == n
    text = (exports / "csv" / "dim_indicator.csv").read_text(encoding="utf-8-sig")
    assert "城镇新增就业人数" in text and "约束性" in text
    assert partitioned >= 3 and (exports / MANIFEST).is_file()


def test_sdmx_csv_files_follow_the_format(built_home, warehouse):
    regions = {r[0] for r in warehouse.execute("select region_code from marts.dim_region").fetchall()}
    indicators = {r[0] for r in warehouse.execute("select indicator_code from marts.dim_indicator").fetchall()}
    for name in ("observations", "targets"):
        with open(built_home / "published" / "exports" / "sdmx" / f"{name}.csv", encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == SDMX_COLUMNS
            rows = list(reader)
        assert rows
        keys = set()
        for row in rows:
            record = dict(zip(SDMX_COLUMNS, row))
            assert record["STRUCTURE"] == "dataflow"
            assert re.fullmatch(r"[A-Z_]+:[A-Z0-9_]+\(\d+\.\d+\)", record["STRUCTURE_ID"])
            assert record["ACTION"] == "I"
            assert record["REF_AREA"] in regions and record["INDICATOR"] in indicators
            assert re.fullmatch(r"\d{4}", record["TIME_PERIOD"])
            float(record["OBS_VALUE"])
            assert record["UNIT_MEASURE"] in SDMX_UNIT_MEASURE.values()
            assert record["UNIT_MULT"] in ("0", "4")
            assert record["OBS_STATUS"] in SDMX_OBS_STATUS.values()
            key = (record["REF_AREA"], record["INDICATOR"], record["TIME_PERIOD"])
            assert key not in keys, f"duplicate series key {key} in {name}"
            keys.add(key)


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_csv_export_neutralises_formula_text(tmp_path, value):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (note varchar, n integer)")
        con.execute("insert into marts.t values (?, -5), ('plain', 1)", [value])
        # the SDMX queries need the observation and target marts; empty ones are enough here
        for ddl in ("create table marts.dim_indicator (indicator_code varchar, base_unit varchar, unit_multiplier bigint)",
                    "create table marts.fct_indicator_observation (indicator_code varchar, region_code varchar, "
                    "year integer, value decimal(24,6), status varchar, is_latest boolean, is_multi_year_total boolean)",
                    "create table marts.fct_plan_target (indicator_code varchar, region_code varchar, year integer, "
                    "target_value decimal(18,4), unit_multiplier bigint)"):
            con.execute(ddl)
    write_exports(warehouse, tmp_path / "exports")
    with open(tmp_path / "exports" / "csv" / "t.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["note"] == "'" + value and rows[0]["n"] == "-5"
    assert rows[1]["note"] == "plain"


def test_a_mart_beyond_excels_row_limit_is_exported_as_parquet_only(built_home, tmp_path, monkeypatch):
    from planwatch.publish import exports

    # fct_plan_progress has 1 200 rows (the 14th plan's 680, the example 15th's 520); dim_region 9
    monkeypatch.setattr(exports, "CSV_MAX_ROWS", 600)
    result = exports.write_exports(built_home / "published" / "planwatch.duckdb", tmp_path / "exports")
    names = {str(p.relative_to(tmp_path / "exports")) for p in result.files}
    assert any(n.startswith("parquet/fct_plan_progress/year=") for n in names)
    assert "csv/fct_plan_progress.csv" not in names and "csv/dim_region.csv" in names
    note = (tmp_path / "exports" / "csv" / "NOT_EXPORTED_AS_CSV.txt").read_text(encoding="utf-8")
    assert "fct_plan_progress: 1200 rows > 600" in note and "dim_region" not in note


def _export_contents(folder) -> dict:
    """Every file of an export by its path, bytes and all, but the manifest (it lists what was reused)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def test_a_revised_year_rewrites_only_its_partitions_and_equals_a_full_export(built_home, tmp_path):
    import shutil

    warehouse = tmp_path / "w.duckdb"
    shutil.copy(built_home / "published" / "planwatch.duckdb", warehouse)
    before = write_exports(warehouse, tmp_path / "before")
    again = write_exports(warehouse, tmp_path / "again", previous=tmp_path / "before")
    assert again.written == [] and sorted(again.reused) == sorted(before.written)  # nothing changed: all linked
    # a county revises one 2024 observation, as a resubmission would
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_indicator_observation set value = value + 1 where rowid = "
                    "(select min(rowid) from marts.fct_indicator_observation where year = 2024 and is_latest)")
    result = write_exports(warehouse, tmp_path / "after", previous=tmp_path / "before")
    full = write_exports(warehouse, tmp_path / "full")
    assert _export_contents(tmp_path / "after") == _export_contents(tmp_path / "full")
    parquet = [name for name in result.written if name.startswith("parquet/")]
    assert parquet == ["parquet/fct_indicator_observation/year=2024"]
    assert {"csv/fct_indicator_observation.csv", "csv_zh/fct_indicator_observation.csv",
            "sdmx/observations.csv", "sdmx/targets.csv"} <= set(result.written)
    assert not any("dim_" in name or "fct_plan_target" in name for name in result.written)
    assert len(result.written) + len(result.reused) == len(full.written)
    # a reused piece is the previous export's own file, not a copy
    old = tmp_path / "before" / "parquet" / "fct_indicator_observation" / "year=2023" / "data_0.parquet"
    new = tmp_path / "after" / "parquet" / "fct_indicator_observation" / "year=2023" / "data_0.parquet"
    assert old.stat().st_ino == new.stat().st_ino
    changed = tmp_path / "after" / "parquet" / "fct_indicator_observation" / "year=2024" / "data_0.parquet"
    assert changed.stat().st_ino != (tmp_path / "before" / changed.relative_to(tmp_path / "after")).stat().st_ino
    # a damaged manifest, or a previous file cut short, is never trusted: those pieces are written again
    (tmp_path / "after" / MANIFEST).write_text("{not json", encoding="utf-8")
    assert write_exports(warehouse, tmp_path / "damaged", previous=tmp_path / "after").reused == []
    with open(tmp_path / "full" / "csv" / "dim_region.csv", "r+b") as f:
        f.truncate(10)
    cut = write_exports(warehouse, tmp_path / "cut", previous=tmp_path / "full")
    assert "csv/dim_region.csv" in cut.written and "csv/dim_indicator.csv" in cut.reused


def test_the_chinese_csv_names_every_column_and_writes_codes_as_words(built_home, warehouse):
    from planwatch.publish.column_labels import BUILD_COLUMNS, COLUMN_ZH

    columns = {r[0] for r in warehouse.execute(
        "select distinct column_name from information_schema.columns where table_schema = 'marts'").fetchall()}
    assert columns - set(COLUMN_ZH) == set()  # a new mart column needs its Chinese header
    assert BUILD_COLUMNS <= columns  # the build's bookkeeping is in the marts, for the next incremental build …
    folder = built_home / "published" / "exports" / "csv_zh"
    with open(folder / "fct_plan_progress.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert COLUMN_ZH["input_fingerprint"] not in rows[0]  # … and not in what a reader downloads
    parquet = warehouse.execute("select * from read_parquet(?, hive_partitioning = true) limit 1",
                                [str(built_home / "published" / "exports" / "parquet" / "fct_plan_progress" / "*"
                                     / "*.parquet")])
    assert "input_fingerprint" not in {d[0] for d in parquet.description}
    assert len(rows) == (17 + 13) * 8 * 5 and "进展状态" in rows[0] and "约束性" in rows[0]
    assert {r["进展状态"] for r in rows} <= {"正常推进", "存在风险", "明显滞后", "无数据", "数据不全", "无目标"}
    assert {r["约束性"] for r in rows} == {"是", "否"}
    with open(built_home / "published" / "exports" / "csv" / "fct_plan_progress.csv", encoding="utf-8-sig",
              newline="") as f:
        machine = list(csv.DictReader(f))
    assert [r["measure_value"] for r in machine] == [r["完成值"] for r in rows]  # the same rows, in the same order
