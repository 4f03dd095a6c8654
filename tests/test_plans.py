"""Several plans in one warehouse: the 13th (history), the 14th (being evaluated) and the example 15th (current).

One real `planwatch run` (the session's built_home) holds all three; the 14th plan's final evaluation and the
15th plan's first-year monitoring come from it; the new plan's printed baselines are checked against the old
plan's actuals; the 14th plan's evaluation is the same as a warehouse built without the 15th plan; the plan pack's
folders are checked before anything runs.
"""

from __future__ import annotations

import csv
from decimal import Decimal
import shutil
import uuid
from pathlib import Path

import duckdb
import pytest

from conftest import REPO_ROOT, planwatch_cli
from planwatch.messages import Problem
from planwatch.plan_pack import KINDS, pack_seeds, seed_names_for_dbt

PLANS = {"JM_HRSS_13": "history", "JM_HRSS_14": "evaluating", "JM_HRSS_15_EXAMPLE": "current"}


def test_one_warehouse_holds_every_plan_with_its_status(warehouse):
    rows = warehouse.execute("select plan_code, status, is_monitored, is_example, previous_plan_code, is_default_view "
                             "from marts.dim_plan order by start_year").fetchall()
    assert rows == [("JM_HRSS_13", "history", False, False, None, False),
                    ("JM_HRSS_14", "evaluating", True, False, "JM_HRSS_13", True),  # the 15th has no value yet
                    ("JM_HRSS_15_EXAMPLE", "current", True, True, "JM_HRSS_14", False)]
    name = warehouse.execute("select name_zh from marts.dim_plan where is_example").fetchone()[0]
    assert "示例" in name
    # a year belongs to one plan's period
    assert warehouse.execute("select plan_code, min(year), max(year) from marts.dim_year where plan_code is not null "
                             "group by plan_code order by 2").fetchall() == [
        ("JM_HRSS_13", 2016, 2020), ("JM_HRSS_14", 2021, 2025), ("JM_HRSS_15_EXAMPLE", 2026, 2030)]
    # an indicator can belong to several plans; the registry row is the latest plan's (renamed in the 15th)
    assert warehouse.execute("select count(distinct plan_code) from marts.dim_plan_indicator "
                             "where indicator_code = 'URBAN_NEW_JOBS'").fetchone()[0] == 3
    assert warehouse.execute("select name_zh from marts.dim_indicator where indicator_code = 'NEW_SKILLED_TALENT'"
                             ).fetchone()[0] == "新增技能人才数量"


def test_the_14th_final_evaluation_and_the_15th_first_year_come_from_one_run(warehouse, built_home):
    progress = dict(warehouse.execute(
        "select plan_code, count(*) from marts.fct_plan_progress where region_code = '440700' group by 1").fetchall())
    assert progress == {"JM_HRSS_14": 17 * 5, "JM_HRSS_15_EXAMPLE": 13 * 5}
    # the 15th plan's first year: its targets, no actual yet
    first = warehouse.execute(
        "select count(*), count(actual_value), count(target_value) from marts.fct_plan_progress "
        "where plan_code = 'JM_HRSS_15_EXAMPLE' and year = 2026 and region_code = '440700'").fetchone()
    assert first == (13, 0, 13)
    # a running total starts again with the new plan: the 15th plan's 2026 target is one year's, 4.2 万人
    assert warehouse.execute(
        "select target_value, cumulative_actual from marts.fct_plan_progress where plan_code = 'JM_HRSS_15_EXAMPLE' "
        "and indicator_code = 'URBAN_NEW_JOBS' and region_code = '440700' and year = 2026").fetchone() == (
        Decimal("4.2"), None)
    evaluations = dict(warehouse.execute(
        "select plan_code || ' ' || evaluation || ' ' || evaluation_year, count(*) from marts.rpt_plan_evaluation "
        "where evaluation <> 'text_target' group by 1").fetchall())
    assert evaluations == {"JM_HRSS_13 final 2020": 14, "JM_HRSS_14 mid_term 2023": 17, "JM_HRSS_14 final 2025": 17,
                           "JM_HRSS_15_EXAMPLE mid_term 2028": 13, "JM_HRSS_15_EXAMPLE final 2030": 13}
    # the run's reports: the 14th plan's final evaluation and the 15th plan's first-year monitoring
    # (other tests of the session write more reports into the same home: these two are the run's)
    reports = {p.name for p in (built_home / "published" / "reports").glob("*_440700.docx")}
    assert {"JM_HRSS_14_final_2025_440700.docx", "JM_HRSS_15_EXAMPLE_annual_2026_440700.docx"} <= reports
    assert not [r for r in reports if r.startswith("JM_HRSS_13")]  # history has no report


def test_the_new_plans_baselines_are_checked_against_the_old_plans_actuals(warehouse, built_home):
    rows = warehouse.execute("select indicator_code, relation, baseline_text, previous_actual_value, agrees "
                             "from marts.rpt_plan_baseline_check where plan_code = 'JM_HRSS_15_EXAMPLE' "
                             "order by row_no").fetchall()
    assert len(rows) == 11  # 13 rows, 2 new indicators
    assert {r[0] for r in rows if r[4] is False} == {"ARBITRATION_CLOSURE_RATE", "SSC_HOLDERS"}
    assert all(r[4] for r in rows if r[0] not in ("ARBITRATION_CLOSURE_RATE", "SSC_HOLDERS"))
    jobs = next(r for r in rows if r[0] == "URBAN_NEW_JOBS")
    assert jobs[2] == "[20.18]" and float(jobs[3]) == pytest.approx(20.18)  # the 14th plan's five-year total
    assert next(r for r in rows if r[0] == "NEW_SKILLED_TALENT")[1] == "renamed"
    # a warning of the gate, never an error: the run published
    import json

    gate = json.loads((built_home / "quality" / "last_run.json").read_text(encoding="utf-8"))
    check = next(r for r in gate["results"] if r["check_name"] == "marts_plan_baseline_agrees")
    assert check["severity"] == "warning" and not check["success"]
    assert (built_home / "published" / "planwatch.duckdb").exists()
    # and a query for the steward each, holding nothing
    asked = warehouse.execute("select indicator_code, year, holds, detail_zh from raw.review_query "
                              "where kind = 'plan_baseline' order by indicator_code").fetchall()
    assert [(a[0], a[1], a[2]) for a in asked] == [("ARBITRATION_CLOSURE_RATE", 2025, False),
                                                   ("SSC_HOLDERS", 2025, False)]
    assert "470.5" in asked[1][3] and "不一致" in asked[1][3]


def test_the_14th_plans_evaluation_is_the_same_without_the_15th(tmp_path, warehouse):
    """The 14th plan's final evaluation stays reproducible after the 15th plan is added: a warehouse built from the
    pack as it was before (no 15th folder, the 14th current) gives the 14th plan the same progress and evaluation."""
    pack = REPO_ROOT / "bench" / "packs" / f"pytest-{uuid.uuid4().hex[:8]}"  # inside the repo: dbt's seed-paths
    try:
        shutil.copytree(REPO_ROOT / "seeds", pack, ignore=shutil.ignore_patterns("jm_hrss_15_example"))
        periods = pack / "plans" / "jm_hrss_14" / "jm_hrss_14__plan_periods.csv"
        periods.write_text(periods.read_text(encoding="utf-8").replace(",evaluating,", ",current,"), encoding="utf-8")
        home = tmp_path / "home"
        planwatch_cli("run", home=home, env_extra={"PLANWATCH_SEEDS": str(pack)})
        query_progress = ("select indicator_code, region_code, year, measure_value, target_value, completion_rate, "
                          "progress_status, is_met from marts.fct_plan_progress where plan_code = 'JM_HRSS_14' "
                          "order by all")
        query_evaluation = ("select evaluation_item_id, target_text, actual_value, completion_rate, completion_text, "
                            "is_met, data_basis from marts.rpt_plan_evaluation where plan_code = 'JM_HRSS_14' "
                            "order by all")
        with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as before:
            assert before.execute("select count(*) from marts.dim_plan").fetchone()[0] == 2
            progress, evaluation = before.execute(query_progress).fetchall(), before.execute(query_evaluation).fetchall()
        assert len(progress) > 17 * 5 * 7 and len(evaluation) > 34
        assert warehouse.execute(query_progress).fetchall() == progress
        assert warehouse.execute(query_evaluation).fetchall() == evaluation
    finally:
        shutil.rmtree(pack, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- the pack's folders
def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", pack)
    return pack


def test_every_folder_and_kind_is_listed_for_dbt(tmp_path):
    found = pack_seeds(REPO_ROOT / "seeds")
    assert [p.parent.name for p in found["plan_periods"]] == ["jm_hrss_14", "jm_hrss_15_example"]
    assert found["plan_achievements"] and [p.parent.name for p in found["plan_achievements"]] == ["jm_hrss_14"]
    import json

    listed = json.loads(seed_names_for_dbt(REPO_ROOT / "seeds"))
    assert listed["plan_zl2_cells"]["seeds"] == ["jm_hrss_14__plan_zl2_cells", "jm_hrss_15_example__plan_zl2_cells"]
    assert listed["plan_zl2_cells"]["columns"] == KINDS["plan_zl2_cells"]
    # a folder added is a plan added: no list to edit
    pack = _pack(tmp_path)
    shutil.copytree(pack / "plans" / "jm_hrss_15_example", pack / "plans" / "jm_hrss_16",
                    ignore=shutil.ignore_patterns("*.csv"))
    source = pack / "plans" / "jm_hrss_15_example" / "jm_hrss_15_example__plan_periods.csv"
    shutil.copy(source, pack / "plans" / "jm_hrss_16" / "jm_hrss_16__plan_periods.csv")
    assert "jm_hrss_16__plan_periods" in json.loads(seed_names_for_dbt(pack))["plan_periods"]["seeds"]


def test_every_folders_seed_descriptions_are_the_staging_models(tmp_path):
    """Each folder's `_<folder>__seeds.yml` is what `planwatch plan describe` writes from the staging YAML, so the
    columns are described once and dbt's docs describe every seed."""
    from planwatch.plan_pack import plan_folders, seed_properties

    for folder in plan_folders(REPO_ROOT / "seeds"):
        path = folder / f"_{folder.name}__seeds.yml"
        assert path.read_text(encoding="utf-8") == seed_properties(folder), f"run `planwatch plan describe` ({path})"


@pytest.mark.parametrize("damage, zh, en", [
    (lambda p: (p / "plans" / "jm_hrss_14" / "jm_hrss_14__plan_zl2_cells.csv").rename(
        p / "plans" / "jm_hrss_14" / "zl2.csv"), "应命名为 jm_hrss_14__<种类>.csv", "are named jm_hrss_14__<kind>.csv"),
    (lambda p: (p / "plans" / "jm_hrss_14").rename(p / "plans" / "JM-14"), "只能用小写字母", "lower-case letters"),
    (lambda p: (p / "plans" / "jm_hrss_15_example" / "jm_hrss_15_example__plan_periods.csv").unlink(),
     "缺少 jm_hrss_15_example__plan_periods.csv", "has no jm_hrss_15_example__plan_periods.csv"),
])
def test_a_wrong_folder_is_named_in_both_languages(tmp_path, damage, zh, en):
    pack = _pack(tmp_path)
    damage(pack)
    with pytest.raises(Problem) as refused:
        pack_seeds(pack)
    assert zh in refused.value.zh and en in refused.value.en


def test_a_wrong_header_is_named_with_its_file_and_row(tmp_path):
    pack = _pack(tmp_path)
    path = pack / "plans" / "jm_hrss_14" / "jm_hrss_14__plan_table_rows.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[0][4] = "name"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    with pytest.raises(Problem) as refused:
        pack_seeds(pack)
    assert str(path) in refused.value.zh and "第 1 行" in refused.value.zh and "name_printed" in refused.value.zh
    assert "row 1 (header)" in refused.value.en and "unexpected ['name']" in refused.value.en


def test_a_run_with_a_wrong_pack_stops_before_anything_with_one_message(tmp_path):
    pack = REPO_ROOT / "bench" / "packs" / f"pytest-{uuid.uuid4().hex[:8]}"
    try:
        shutil.copytree(REPO_ROOT / "seeds", pack)
        (pack / "plans" / "jm_hrss_14" / "jm_hrss_14__plan_zl2_cells.csv").rename(
            pack / "plans" / "jm_hrss_14" / "cells.csv")
        done = planwatch_cli("run", home=tmp_path / "home", env_extra={"PLANWATCH_SEEDS": str(pack)}, check=False)
        assert done.returncode != 0 and "Traceback" not in done.stderr
        assert "jm_hrss_14__<种类>.csv" in done.stderr and "jm_hrss_14__<kind>.csv" in done.stderr
    finally:
        shutil.rmtree(pack, ignore_errors=True)
