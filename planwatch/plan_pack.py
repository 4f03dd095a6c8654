"""The plan pack: the folder of seed CSVs (PLANWATCH_SEEDS) that dbt seeds and that the loader and the quality
checks read directly.

Layout (README "Plans"):

    seeds/
      regions.csv, indicator_aliases.csv      shared by every plan
      plans/<folder>/                         one folder per plan document, all loaded together
        document/plan.txt, document/README.md the document as extracted, its source, date and checksum
        <folder>__plan_periods.csv, …         the document's transcription, one seed per kind below

A plan document may print more than its own plan: the 14th plan's 专栏1 reports the 13th plan's targets and
results, so the 13th plan (history, no document of its own in the pack) is rows with plan_code JM_HRSS_13 in
the 14th plan's folder. Every row carries its plan_code; the folder says which document it was read from.

dbt cannot have two seeds of one name, so a folder's seeds are named after the folder; the staging models
union every folder's seed of a kind (macros/plan_pack.sql), from the list export_env hands dbt
(PLANWATCH_PLAN_SEEDS). Adding a plan is adding a folder: no model, macro or setting changes.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from planwatch.messages import Problem

SHARED = ("regions", "indicator_aliases")
# the kinds of a plan folder and their columns, in the order the seeds print them. Every folder has
# plan_periods; the other kinds are present where the document prints them.
KINDS = {
    "plan_periods": ["plan_code", "region_code", "name_zh", "name_en", "period_label_zh", "start_year", "end_year",
                     "source_ref", "status", "is_example"],
    "plan_indicators": ["indicator_code", "name_zh", "name_en", "category", "unit", "unit_multiplier",
                        "base_unit", "value_type", "is_additive", "direction", "target_kind", "attribute",
                        "responsible_unit", "source_ref", "plan_code"],
    "plan_table_rows": ["plan_code", "source_table", "row_no", "indicator_code", "name_printed", "unit_printed",
                        "attribute", "target_kind", "responsible_unit", "responsible_unit_evidence"],
    "plan_zl2_cells": ["plan_code", "indicator_code", "row_no", "year", "cell_text", "value", "comparator",
                       "comparator_source", "is_cumulative", "cumulative_from_year", "is_bracketed",
                       "cumulative_basis", "is_baseline"],
    "plan_zl1_results": ["plan_code", "row_no", "indicator_code", "name_printed", "unit_printed", "target_text",
                         "target_value", "target_comparator", "actual_text", "actual_value", "completion_text",
                         "completion_rate_pct", "attribute", "is_cumulative"],
    "plan_text_targets": ["target_code", "plan_code", "section", "item_no", "subject_zh", "subject_en",
                          "indicator_code", "quantity_text", "quantity", "unit", "unit_multiplier",
                          "quantity_in_base_unit", "comparator_text", "comparator", "period_start_year",
                          "period_end_year", "is_cumulative", "frequency", "target_type", "ratio_of",
                          "source_phrase"],
    "plan_achievements": ["achievement_code", "plan_code", "section", "subject_zh", "indicator_code", "value_text",
                          "value", "unit", "unit_multiplier", "base_unit", "value_in_base_unit",
                          "period_start_year", "period_end_year", "is_cumulative", "is_indicator_value",
                          "source_phrase"],
    "indicator_crosswalk": ["plan_code", "indicator_code", "previous_plan_code", "previous_indicator_code",
                            "relation", "note"],
}
# where a plan stands in the office's year, set by the steward (not printed in any document): the current plan is
# monitored; the plan before it is monitored too while its final evaluation (总结评估) is being written; history is
# kept for series and comparisons
STATUSES = ("current", "evaluating", "history")
FOLDER = re.compile(r"^[a-z][a-z0-9_]*$")


def plan_folders(seeds: Path) -> list[Path]:
    root = Path(seeds) / "plans"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def pack_seeds(seeds: Path) -> dict[str, list[Path]]:
    """Every plan folder's seed file per kind, checked: a folder named as dbt names seeds, each file named
    `<folder>__<kind>.csv` with exactly the kind's columns, and a plan_periods seed in every folder."""
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    folders = plan_folders(seeds)
    if not folders:
        raise Problem(f"计划包 {seeds} 中没有规划文件夹（plans/<文件夹>/）",
                      f"the plan pack {seeds} has no plan folder (plans/<folder>/)")
    for folder in folders:
        if not FOLDER.match(folder.name):
            raise Problem(f"规划文件夹名 {folder.name} 只能用小写字母、数字和下划线（{folder}）",
                          f"plan folder name {folder.name!r} must be lower-case letters, digits and _ ({folder})")
        for path in sorted(folder.glob("*.csv")):
            prefix, _, kind = path.stem.partition("__")
            if prefix != folder.name or kind not in KINDS:
                raise Problem(f"{path}：规划文件夹中的种子文件应命名为 {folder.name}__<种类>.csv，种类为 "
                              f"{'、'.join(KINDS)}",
                              f"{path}: a plan folder's seeds are named {folder.name}__<kind>.csv, kind one of "
                              f"{', '.join(KINDS)}")
            with open(path, encoding="utf-8-sig", newline="") as f:
                header = next(csv.reader(f), [])
            if header != KINDS[kind]:
                missing = [c for c in KINDS[kind] if c not in header]
                extra = [c for c in header if c not in KINDS[kind]]
                raise Problem(f"{path} 第 1 行（表头）与 {kind} 的列不一致：缺少 {missing or '无'}，多出 {extra or '无'}",
                              f"{path} row 1 (header) does not have the columns of {kind}: missing "
                              f"{missing or 'none'}, unexpected {extra or 'none'} (order: {', '.join(KINDS[kind])})")
            found[kind].append(path)
        if not (folder / f"{folder.name}__plan_periods.csv").exists():
            raise Problem(f"规划文件夹 {folder} 缺少 {folder.name}__plan_periods.csv（规划名称和期限）",
                          f"plan folder {folder} has no {folder.name}__plan_periods.csv (the plan's title and period)")
    return found


# the staging model that unions each kind: its YAML describes the kind's columns once (models/staging/plan/)
STAGING = {"plan_periods": "stg_plan__periods", "plan_indicators": "stg_plan__indicators",
           "plan_table_rows": "stg_plan__table_rows", "plan_zl2_cells": "stg_plan__zl2_cells",
           "plan_zl1_results": "stg_plan__zl1_results", "plan_text_targets": "stg_plan__text_targets",
           "plan_achievements": "stg_plan__achievements", "indicator_crosswalk": "stg_plan__crosswalk"}
STAGING_YAML = "models/staging/plan/_plan__models.yml"


def seed_properties(folder: Path, project: Path | None = None) -> str:
    """The dbt properties of a plan folder's seeds (`_<folder>__seeds.yml` in the folder), made from the staging
    models' YAML, where each kind's columns are described once: dbt's docs then describe every seed too, and a
    test keeps each folder's file equal to this."""
    import yaml

    # the project's root beside this package (settings imports this module: no import of settings here)
    root = project or Path(__file__).resolve().parent.parent
    staging = {m["name"]: m for m in yaml.safe_load((root / STAGING_YAML).read_text(encoding="utf-8"))["models"]}
    seeds = []
    for kind in KINDS:
        if not (folder / f"{folder.name}__{kind}.csv").exists():
            continue
        model = staging[STAGING[kind]]
        columns = {c["name"]: " ".join(c["description"].split()) for c in model["columns"]}
        seeds.append({"name": f"{folder.name}__{kind}",
                      "description": f"{' '.join(model['description'].split())} This plan folder's rows "
                                     f"({folder.name}); unioned with every folder's by {STAGING[kind]}.",
                      "columns": [{"name": c, "description": columns[c]} for c in KINDS[kind]]})
    header = (f"# Written by planwatch (plan_pack.seed_properties) from {STAGING_YAML},\n"
              "# where the columns are described once: edit that file, then run `planwatch plan describe`.\n")
    return header + yaml.safe_dump({"version": 2, "seeds": seeds}, allow_unicode=True, sort_keys=False, width=110)


def write_seed_properties(folder: Path) -> Path:
    path = folder / f"_{folder.name}__seeds.yml"
    path.write_text(seed_properties(folder), encoding="utf-8")
    return path


def seed_names_for_dbt(seeds: Path) -> str:
    """PLANWATCH_PLAN_SEEDS: each kind's dbt seed names and columns, as JSON, for macros/plan_pack.sql."""
    return json.dumps({kind: {"seeds": [p.stem for p in paths], "columns": KINDS[kind]}
                       for kind, paths in pack_seeds(seeds).items()}, sort_keys=True)


def seed_rows(seeds: Path, seed: str, without: str | None = None) -> list[dict]:
    """The rows of a shared seed, or of a kind across every plan folder (in folder order), but the folder
    `without` (a plan being drafted again does not learn from the draft it replaces)."""
    if seed in SHARED:
        paths = [Path(seeds) / f"{seed}.csv"]
    elif seed in KINDS:
        paths = [p for p in pack_seeds(seeds)[seed] if p.parent.name != without]
    else:
        raise KeyError(f"no seed kind {seed!r}: shared {SHARED}, per plan {tuple(KINDS)}")
    rows = []
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows.extend(csv.DictReader(f))
    return rows


def indicator_registry(seeds: Path, without: str | None = None) -> dict[str, dict]:
    """One registry row per indicator: the row of the latest plan that lists it (as stg_plan__indicators keeps),
    rows of no plan (context indicators) after every plan's; the folder `without` left out (seed_rows)."""
    start = {p["plan_code"]: int(p["start_year"]) for p in seed_rows(seeds, "plan_periods", without)}
    registry: dict[str, dict] = {}
    for row in seed_rows(seeds, "plan_indicators", without):
        known = registry.get(row["indicator_code"])
        if known is None or start.get(row["plan_code"], -1) > start.get(known["plan_code"], -1):
            registry[row["indicator_code"]] = row
    return registry


def regions_in_plans(seeds: Path) -> list[str]:
    """Every region of the pack except those above the plans' regions (Guangdong above Jiangmen): data for a
    plan's region or any region under it is expected; a value for the province above a city plan is not."""
    parent = {row["region_code"]: row["parent_region_code"].strip() for row in seed_rows(seeds, "regions")}
    above = set()
    for row in seed_rows(seeds, "plan_periods"):
        code = row["region_code"]
        while parent.get(code):
            code = parent[code]
            above.add(code)
    return sorted(set(parent) - above)
