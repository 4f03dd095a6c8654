"""The plan pack: the folder of seed CSVs (PLANWATCH_SEEDS) that dbt seeds and that the loader and the quality
checks read directly — the indicator registry, the regions and the plan periods."""

from __future__ import annotations

import csv
from pathlib import Path


def seed_rows(seeds: Path, seed: str) -> list[dict]:
    with open(Path(seeds) / f"{seed}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


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
