"""A synthetic national plan and its statistics, at a scale given as a fraction of the full size.

Full size (scale 1.0): 2 844 counties under 333 prefectures under 31 provinces under the nation; 200
indicators (50 each of the four 专栏2 target kinds: cumulative, level, ceiling, floor); 10 years (2016–2025);
3 vintages of every value. Counties report; every level above is the exact sum of the level below for counts
(the mean for rates), as the statistical system publishes them. That is 200 × 3 209 regions × 10 × 3 =
19.25 million observations, 17.06 million of them for counties. A scale of 0.01 keeps the indicators, years
and vintages and takes 1 % of the regions.

Outputs, all deterministic for a given (scale, seed):
- a plan pack (`seeds/` layout: the shared seeds and `_seeds.yml` at the top, one plan folder `plans/nat/` with the
  same seed kinds and columns as the repository's plan folders): plan NAT_14 (2021–2025) with a 2020 baseline and a target for every year and indicator,
  NAT_13 (2016–2020) with a few printed results, regions, registry, a few text targets;
- landing files, one per year and vintage: vintage 1 as CSV (the bureaus' first release), vintages 2 and 3
  as Parquet; names sort in load order (v1_*, v2_*, v3_*).

Every value is synthetic and says so (status `synthetic`, source names this generator).
Usage: python -m bench.generate --scale 0.01 --pack bench/packs/s0.01 --landing /tmp/landing
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
from pathlib import Path

import duckdb

from planwatch.plan_pack import KINDS as SEED_KINDS
from planwatch.plan_pack import SHARED
from planwatch.settings import REPO_ROOT

FULL = {"provinces": 31, "prefectures": 333, "counties": 2844}
N_INDICATORS = 200
YEARS = range(2016, 2026)
VINTAGES = (1, 2, 3)
KINDS = ("cumulative", "level", "ceiling", "floor")
CATEGORIES = ("就业", "社会保障", "人才队伍建设", "劳动关系", "公共服务", "基础数据")
NATION = "100000"
SOURCE = "planwatch bench/generate.py (synthetic 合成数据)"


def region_counts(scale: float) -> dict[str, int]:
    return {level: max(1, math.ceil(n * scale)) for level, n in FULL.items()}


# ---------------------------------------------------------------------------------------------- SQL
def _rand(seed: int, *parts: str) -> str:
    """A deterministic uniform number in [0, 1) from the seed and the given SQL expressions."""
    key = " || '|' || ".join([f"'{seed}'", *[f"cast({p} as varchar)" for p in parts]])
    return f"(cast(('0x' || left(md5({key}), 8)) as bigint) / 4294967296.0)"


def build_tables(con, scale: float, seed: int) -> None:
    n = region_counts(scale)
    con.execute(f"""
        create or replace table region as
        with provinces as (
            select p, printf('%02d0000', 10 + p) as region_code from range(1, {n['provinces']} + 1) t(p)
        ),
        prefectures as (
            -- prefecture k belongs to province k mod P; its code carries the province's two digits
            select k, (k - 1) % {n['provinces']} + 1 as p from range(1, {n['prefectures']} + 1) t(k)
        ),
        prefectures_coded as (
            select k, p, printf('%02d%02d00', 10 + p, row_number() over (partition by p order by k)) as region_code
            from prefectures
        ),
        counties as (
            select c, (c - 1) % {n['prefectures']} + 1 as k from range(1, {n['counties']} + 1) t(c)
        )
        select '{NATION}' as region_code, '全国（合成）' as name_zh, 'Nation (synthetic)' as name_en,
               'nation' as level, cast(null as varchar) as parent_region_code
        union all
        select region_code, '合成省' || p, 'Synthetic province ' || p, 'province', '{NATION}' from provinces
        union all
        select region_code, '合成市' || k, 'Synthetic prefecture ' || k, 'prefecture',
               printf('%02d0000', 10 + p) from prefectures_coded
        union all
        select left(pc.region_code, 4) || printf('%02d', row_number() over (partition by c.k order by c.c)),
               '合成县' || c.c, 'Synthetic county ' || c.c, 'county', pc.region_code
        from counties c join prefectures_coded pc using (k)
    """)
    con.execute(f"""
        create or replace table indicator as
        select
            printf('I%03d', i) as indicator_code,
            i,
            ['cumulative', 'level', 'ceiling', 'floor'][(i - 1) % 4 + 1] as target_kind,
            {_rand(seed, "'growth'", 'i')} as u_growth,
            {_rand(seed, "'factor'", 'i')} as u_factor
        from range(1, {N_INDICATORS} + 1) t(i)
    """)
    # county values (final vintage) for every indicator and year; counts grow, rates drift
    con.execute(f"""
        create or replace table county_value as
        select
            ind.indicator_code,
            ind.target_kind,
            r.region_code,
            y.year,
            case when ind.target_kind in ('cumulative', 'level') then
                round((500 + 20000 * {_rand(seed, "'base'", 'ind.i', 'r.region_code')})
                      * power(1 + (ind.u_growth * 0.08 - 0.02), y.year - 2016)
                      * (0.97 + 0.06 * {_rand(seed, "'noise'", 'ind.i', 'r.region_code', 'y.year')}))
            else
                round(least(99.5, greatest(0.5,
                      40 + 40 * {_rand(seed, "'base'", 'ind.i', 'r.region_code')}
                      + (ind.u_growth - 0.5) * (y.year - 2016)
                      + {_rand(seed, "'noise'", 'ind.i', 'r.region_code', 'y.year')} - 0.5)), 2)
            end as value
        from indicator ind
        cross join (select region_code from region where level = 'county') r
        cross join range({YEARS.start}, {YEARS.stop}) y(year)
    """)
    # every vintage; each level above the counties is the sum (counts) or mean (rates) of the level below
    con.execute("""
        create or replace table observation as
        with county_vintages as (
            select cv.*, v.vintage,
                   case when cv.target_kind in ('cumulative', 'level') then round(cv.value * (0.97 + 0.01 * v.vintage))
                        else round(cv.value - 0.1 * (3 - v.vintage), 2) end as value_v
            from county_value cv cross join range(1, 4) v(vintage)
        ),
        prefecture as (
            select c.indicator_code, c.target_kind, r.parent_region_code as region_code, c.year, c.vintage,
                   case when c.target_kind in ('cumulative', 'level') then sum(c.value_v)
                        else round(avg(cast(c.value_v as decimal(18, 2))), 2) end as value_v
            from county_vintages c join region r using (region_code) group by 1, 2, 3, 4, 5
        ),
        province as (
            select c.indicator_code, c.target_kind, r.parent_region_code as region_code, c.year, c.vintage,
                   case when c.target_kind in ('cumulative', 'level') then sum(c.value_v)
                        else round(avg(cast(c.value_v as decimal(18, 2))), 2) end as value_v
            from prefecture c join region r using (region_code) group by 1, 2, 3, 4, 5
        ),
        nation as (
            select c.indicator_code, c.target_kind, r.parent_region_code as region_code, c.year, c.vintage,
                   case when c.target_kind in ('cumulative', 'level') then sum(c.value_v)
                        else round(avg(cast(c.value_v as decimal(18, 2))), 2) end as value_v
            from province c join region r using (region_code) group by 1, 2, 3, 4, 5
        )
        select indicator_code, target_kind, region_code, year, vintage, value_v as value from county_vintages
        union all select * from prefecture
        union all select * from province
        union all select * from nation
    """)


# ---------------------------------------------------------------------------------------------- outputs
def write_landing(con, landing: Path) -> list[Path]:
    landing.mkdir(parents=True, exist_ok=True)
    paths = []
    for vintage in VINTAGES:
        for year in YEARS:
            fmt = "csv" if vintage == 1 else "parquet"
            path = landing / f"v{vintage}_{year}.{fmt}"
            options = "(format csv, header true)" if fmt == "csv" else "(format parquet, compression zstd)"
            con.execute(f"""
                copy (
                    select indicator_code as "指标 indicator", region_code as "地区 region", year as "年份 year",
                           value as "数值 value",
                           case when target_kind in ('cumulative', 'level') then '人' else '%' end as "单位 unit",
                           'synthetic' as "状态 status", '{SOURCE}' as "来源 source"
                    from observation where year = {year} and vintage = {vintage}
                    order by indicator_code, region_code
                ) to '{path}' {options}
            """)
            paths.append(path)
    return paths


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _header(seed_name: str) -> list[str]:
    """The seed's columns: a pack has exactly the same tables as the Jiangmen plans (planwatch/plan_pack.py)."""
    if seed_name in SEED_KINDS:
        return SEED_KINDS[seed_name]
    with open(REPO_ROOT / "seeds" / f"{seed_name}.csv", encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


PLAN_FOLDER = "nat"  # the synthetic plans' folder: both are in one document, as the 13th and 14th are for Jiangmen


def seed_path(pack: Path, kind: str) -> Path:
    """Where a seed of the pack is: a shared one at the top, a plan's in the plan folder (plan_pack's layout)."""
    return pack / f"{kind}.csv" if kind in SHARED else pack / "plans" / PLAN_FOLDER / f"{PLAN_FOLDER}__{kind}.csv"


def _num(value: float) -> str:
    return f"{value:.1f}" if value != int(value) else str(int(value))


def write_pack(con, pack: Path) -> None:
    if pack.exists():
        shutil.rmtree(pack)
    (pack / "plans" / PLAN_FOLDER).mkdir(parents=True)
    shutil.copy(REPO_ROOT / "seeds" / "_seeds.yml", pack / "_seeds.yml")
    _write_csv(seed_path(pack, "regions"), _header("regions"), [
        dict(zip(("region_code", "name_zh", "name_en", "level", "parent_region_code"), row))
        for row in con.execute("select * from region order by region_code").fetchall()])
    _write_csv(seed_path(pack, "plan_periods"), _header("plan_periods"), [
        {"plan_code": "NAT_13", "region_code": NATION, "name_zh": "全国合成规划“十三五”", "name_en":
         "Synthetic national plan, 13th five-year period", "period_label_zh": "十三五", "start_year": 2016,
         "end_year": 2020, "source_ref": SOURCE, "status": "history", "is_example": "false"},
        {"plan_code": "NAT_14", "region_code": NATION, "name_zh": "全国合成规划“十四五”", "name_en":
         "Synthetic national plan, 14th five-year period", "period_label_zh": "十四五", "start_year": 2021,
         "end_year": 2025, "source_ref": SOURCE, "status": "current", "is_example": "false"}])
    indicators = con.execute("select indicator_code, i, target_kind, u_factor from indicator order by i").fetchall()
    nation = {(code, year): float(value) for code, year, value in con.execute(
        f"select indicator_code, year, value from observation where region_code = '{NATION}' and vintage = 3")
        .fetchall()}
    registry, table_rows, cells, zl1, texts = [], [], [], [], []
    for code, i, kind, u_factor in indicators:
        is_count = kind in ("cumulative", "level")
        unit = "人" if is_count else "%"
        registry.append({
            "indicator_code": code, "name_zh": f"合成指标{i}", "name_en": f"Synthetic indicator {i}",
            "category": CATEGORIES[i % len(CATEGORIES)], "unit": unit, "unit_multiplier": 1, "base_unit": unit,
            "value_type": "count" if is_count else "rate", "is_additive": str(is_count).lower(),
            "direction": "lower_is_better" if kind == "ceiling" else "higher_is_better", "target_kind": kind,
            "attribute": "约束性" if i % 3 == 0 else "预期性", "responsible_unit": "", "source_ref": f"专栏2 第{i}行",
            "plan_code": "NAT_14"})
        table_rows.append({
            "plan_code": "NAT_14", "source_table": "专栏2", "row_no": i, "indicator_code": code,
            "name_printed": f"合成指标{i}", "unit_printed": unit, "attribute": registry[-1]["attribute"],
            "target_kind": kind, "responsible_unit": "", "responsible_unit_evidence": ""})
        factor = 0.9 + 0.2 * u_factor  # some indicators on track, some not
        baseline = nation[(code, 2020)]
        cells.append({"plan_code": "NAT_14", "indicator_code": code, "row_no": i, "year": 2020,
                      "cell_text": _num(baseline),
                      "value": _num(baseline), "comparator": "=", "comparator_source": "baseline",
                      "is_cumulative": "false", "cumulative_from_year": "", "is_bracketed": "false",
                      "cumulative_basis": "", "is_baseline": "true"})
        running = 0.0
        for year in range(2021, 2026):
            if kind == "cumulative":
                running += round(nation[(code, year)] * factor)
                value, text, comparator = running, f"[{_num(running)}]", ">="
            elif kind == "level":
                value = round(baseline * (1 + (factor - 0.9)) ** ((year - 2020) / 5))
                text, comparator = _num(value), ">="
            elif kind == "ceiling":
                value = round(baseline + 2 * (factor - 0.95), 1)
                text, comparator = f"{value}以内", "<="
            else:
                value = round(baseline + 2 * (factor - 1.05), 1)
                text, comparator = _num(value), ">="
            cells.append({"plan_code": "NAT_14", "indicator_code": code, "row_no": i, "year": year, "cell_text": text,
                          "value": _num(value), "comparator": comparator,
                          "comparator_source": "printed" if kind == "ceiling" else "implied_by_direction",
                          "is_cumulative": str(kind == "cumulative").lower(),
                          "cumulative_from_year": 2021 if kind == "cumulative" else "",
                          "is_bracketed": str(kind == "cumulative").lower(),
                          "cumulative_basis": "bracketed" if kind == "cumulative" else "", "is_baseline": "false"})
        if i <= 8:  # the previous plan's printed results (专栏1 shape) for a few indicators
            table_rows.append({**table_rows[-1], "plan_code": "NAT_13", "source_table": "专栏1"})
            actual = nation[(code, 2020)]
            target = round(actual * 0.97) if is_count else round(actual - 0.5, 1)
            zl1.append({"plan_code": "NAT_13", "row_no": i, "indicator_code": code, "name_printed": f"合成指标{i}",
                        "unit_printed": unit,
                        "target_text": _num(target), "target_value": _num(target), "target_comparator": ">=",
                        "actual_text": _num(actual), "actual_value": _num(actual),
                        "completion_text": f"{actual / target * 100:.2f}%", "completion_rate_pct":
                        f"{actual / target * 100:.2f}", "attribute": registry[-1]["attribute"],
                        "is_cumulative": "false"})
        if kind == "cumulative" and i <= 40:  # the text restates the period total, as plans do
            total = cells[-1]["value"]
            texts.append({
                "target_code": f"T_NAT_{i:03d}", "plan_code": "NAT_14", "section": "第二章", "item_no": "",
                "subject_zh": f"合成指标{i}", "subject_en": f"Synthetic indicator {i}", "indicator_code": code,
                "quantity_text": total, "quantity": total, "unit": unit, "unit_multiplier": 1,
                "quantity_in_base_unit": total, "comparator_text": "", "comparator": "=", "period_start_year": 2021,
                "period_end_year": 2025, "is_cumulative": "true", "frequency": "period", "target_type": "count",
                "ratio_of": "", "source_phrase": f"“十四五”期间，合成指标{i}累计 {total} {unit}"})
    _write_csv(seed_path(pack, "plan_indicators"), _header("plan_indicators"), registry)
    _write_csv(seed_path(pack, "plan_table_rows"), _header("plan_table_rows"), table_rows)
    _write_csv(seed_path(pack, "plan_zl2_cells"), _header("plan_zl2_cells"), cells)
    _write_csv(seed_path(pack, "plan_zl1_results"), _header("plan_zl1_results"), zl1)
    _write_csv(seed_path(pack, "plan_text_targets"), _header("plan_text_targets"), texts)
    _write_csv(seed_path(pack, "indicator_aliases"), _header("indicator_aliases"), [
        {"alias_zh": f"合成指标第{i}号", "indicator_code": f"I{i:03d}", "note": "synthetic alias"} for i in (1, 2)])
    _write_csv(seed_path(pack, "plan_achievements"), _header("plan_achievements"), [
        {"achievement_code": "A_NAT_001", "plan_code": "NAT_13", "section": "第一章", "subject_zh": "合成指标1",
         "indicator_code": "I001", "value_text": "1", "value": "1", "unit": "人", "unit_multiplier": 1,
         "base_unit": "人", "value_in_base_unit": 1, "period_start_year": 2016, "period_end_year": 2020,
         "is_cumulative": "true", "is_indicator_value": "false", "source_phrase": "合成数据"}])


def generate(scale: float, pack: Path, landing: Path, seed: int = 42) -> dict:
    with duckdb.connect() as con:
        build_tables(con, scale, seed)
        write_pack(con, pack)
        files = write_landing(con, landing)
        counts = dict(con.execute("select level, count(*) from region group by level").fetchall())
        n_obs = con.execute("select count(*) from observation").fetchone()[0]
    return {"scale": scale, "regions": counts, "indicators": N_INDICATORS, "years": len(YEARS),
            "vintages": len(VINTAGES), "observations": n_obs, "files": [str(p) for p in files]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--pack", type=Path, required=True, help="plan pack folder (inside the repository)")
    parser.add_argument("--landing", type=Path, required=True, help="folder for the landing files")
    args = parser.parse_args()
    summary = generate(args.scale, args.pack, args.landing, args.seed)
    print("GENERATED " + json.dumps(summary))


if __name__ == "__main__":
    main()
