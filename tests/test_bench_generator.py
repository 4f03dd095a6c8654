"""The national benchmark's generator: same scale and seed → byte-identical files; every level above the
counties is the exact sum of the level below for counts."""

from __future__ import annotations

import hashlib

import duckdb

from bench.generate import generate


def _digest(folder) -> str:
    """Every file under the folder (a pack has its plan folder under plans/), by its path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_generator_is_deterministic_and_levels_add_up(tmp_path):
    first = generate(0.002, tmp_path / "pack1", tmp_path / "landing1")
    second = generate(0.002, tmp_path / "pack2", tmp_path / "landing2")
    assert first["observations"] == second["observations"] == 200 * 10 * 3 * sum(first["regions"].values())
    assert _digest(tmp_path / "landing1") == _digest(tmp_path / "landing2")
    assert _digest(tmp_path / "pack1") == _digest(tmp_path / "pack2")
    assert (tmp_path / "pack1" / "plans" / "nat" / "nat__plan_zl2_cells.csv").exists()
    with duckdb.connect() as con:
        regions = str(tmp_path / "pack1" / "regions.csv")
        mismatches = con.execute(f"""
            with obs as (
                select filename as f, "指标 indicator" as i, cast("地区 region" as varchar) as r, "年份 year" as y,
                       "数值 value" as v
                from read_parquet('{tmp_path / "landing2"}/*.parquet', filename = true) where "单位 unit" = '人'
            ),
            regions as (select * from read_csv('{regions}', header = true, all_varchar = true))
            select count(*) from (
                select parent.f, parent.i, parent.y, parent.r, parent.v, sum(child.v) as children
                from obs parent
                join regions on regions.parent_region_code = parent.r
                join obs child on child.f = parent.f and child.r = regions.region_code and child.i = parent.i
                    and child.y = parent.y
                group by all
            ) where children <> v
        """).fetchone()[0]
    assert mismatches == 0
