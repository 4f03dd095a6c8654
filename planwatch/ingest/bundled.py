"""The data `make run` loads, written as ordinary landing files so it goes through the same loader.

1. `plan_printed_2016_2020.csv` — real figures the plan itself prints for the 13th-plan period: 专栏1 actuals,
   专栏2's 2020 baselines and chapter 1's indicator values (seeds → SQL → CSV; each value once, with every place
   that prints it as its source).
2. `found_statistics.csv` — the real published values of data/found_statistics.csv, each with its source.
3. `synthetic_2021_2025.csv` and `synthetic_2024_revision.csv` — generated demo data for the city and the 7
   counties, status `synthetic` (示例数据) in every row: counties add up to the city for additive indicators,
   rates stay plausible, and the revision file shows how a revised value becomes a new vintage.

Every file is a pure function of committed inputs and a fixed seed, so re-running writes identical bytes and
the loader skips it as already loaded.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

from planwatch.settings import REPO_ROOT, Settings

SEEDS = REPO_ROOT / "seeds"
# the bundled data is the 14th plan's: its printed figures and synthetic 2021–2025 values for its table
PLAN_14 = SEEDS / "plans" / "jm_hrss_14"
FOUND_STATISTICS = REPO_ROOT / "data" / "found_statistics.csv"
HEADER = ["指标", "地区", "年份", "数值", "单位", "状态", "来源", "备注"]
CITY = "440700"
# county shares of the city's additive counts (fixed demo weights, roughly by population; they sum to 1)
COUNTY_WEIGHTS = {"440703": Decimal("0.20"), "440704": Decimal("0.07"), "440705": Decimal("0.18"),
                  "440781": Decimal("0.19"), "440783": Decimal("0.15"), "440784": Decimal("0.11"),
                  "440785": Decimal("0.10")}
SYNTHETIC_SEED = 20211
# how far the demo series may move in a year: inside the year-on-year rule a real submission is held by (30 % for
# counts, planwatch/settings.py; rates: a few points), so `make run` publishes with no query opened
SMOOTH_LOW, SMOOTH_HIGH, RATE_STEP = Decimal("0.8"), Decimal("1.24"), Decimal("2.5")
SYNTHETIC_SOURCE = "planwatch 合成示例数据 synthetic demo data (generator v1, seed 20211)"
SYNTHETIC_NOTE = "示例数据，非真实统计 / demo data, not a real statistic"

PLAN_PRINTED_SQL = """
with
indicators as (select * from read_csv($indicators, header = true, all_varchar = true)),
zl1 as (
    select indicator_code, case when is_cumulative = 'true' then '2016-2020' else '2020' end as period,
           actual_value as value, '专栏1 第' || row_no || '行（完成值 ' || actual_text || '）' as place
    from read_csv($zl1, header = true, all_varchar = true)
    where actual_value is not null
),
zl2 as (
    select indicator_code, case when is_cumulative = 'true' then '2016-2020' else '2020' end as period,
           value, '专栏2 第' || row_no || '行 2020年列（' || trim(cell_text) || '）' as place
    from read_csv($zl2, header = true, all_varchar = true)
    where is_baseline = 'true'
),
chapter_1 as (
    select indicator_code,
           case when period_start_year = period_end_year then period_end_year
                else period_start_year || '-' || period_end_year end as period,
           value, '第一章第一节（' || source_phrase || '）' as place
    from read_csv($achievements, header = true, all_varchar = true)
    where is_indicator_value = 'true'
),
printed as (select * from zl1 union all select * from zl2 union all select * from chapter_1)
select
    printed.indicator_code as "指标",
    '江门市' as "地区",
    printed.period as "年份",
    cast(cast(printed.value as decimal(18, 4)) as double) as value_number,
    indicators.unit as "单位",
    'final' as "状态",
    '江门市人力资源和社会保障事业发展“十四五”规划：' || string_agg(printed.place, '；' order by printed.place) as "来源",
    '规划文本所载实际值 / actual value printed in the plan' as "备注"
from printed
join indicators using (indicator_code)
group by all
order by 1, 3
"""


def _write_if_changed(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def _csv_text(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _plain(number: float | Decimal) -> str:
    return format(Decimal(str(number)).normalize(), "f")


def plan_printed_rows() -> list[list[object]]:
    with duckdb.connect() as con:
        rows = con.execute(PLAN_PRINTED_SQL, {
            "indicators": str(PLAN_14 / "jm_hrss_14__plan_indicators.csv"),
            "zl1": str(PLAN_14 / "jm_hrss_14__plan_zl1_results.csv"),
            "zl2": str(PLAN_14 / "jm_hrss_14__plan_zl2_cells.csv"),
            "achievements": str(PLAN_14 / "jm_hrss_14__plan_achievements.csv"),
        }).fetchall()
    keys = [(r[0], r[2]) for r in rows]
    conflicts = {k for k in keys if keys.count(k) > 1}
    if conflicts:
        raise ValueError(f"the plan prints different values for {sorted(conflicts)}")
    return [[r[0], r[1], r[2], _plain(r[3]), *r[4:]] for r in rows]


def found_statistics_rows() -> list[list[object]]:
    with open(FOUND_STATISTICS, encoding="utf-8", newline="") as f:
        return [[r["indicator_name_zh"], r["region_name_zh"], r["year"], r["value"], r["unit"], "final",
                 f"{r['source_title']} | {r['source_url']}", r["note"]] for r in csv.DictReader(f)]


def _round(value: Decimal, unit: str) -> Decimal:
    places = Decimal("1") if unit in ("人", "人次") else Decimal("0.01")
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _split_additive(total_base: int, fixed: dict[str, int]) -> dict[str, int]:
    """Split a whole number of persons over the counties so they sum exactly to the city: counties with a
    real value keep it; the rest share the remainder by weight (largest remainder)."""
    free = {code: w for code, w in COUNTY_WEIGHTS.items() if code not in fixed}
    remainder = total_base - sum(fixed.values())
    weight = sum(free.values())
    raw = {code: remainder * w / weight for code, w in free.items()}
    parts = {code: int(v) for code, v in raw.items()}
    for code in sorted(raw, key=lambda c: raw[c] - parts[c], reverse=True)[: remainder - sum(parts.values())]:
        parts[code] += 1
    return {**fixed, **parts}


def real_values_2021_2025() -> dict[tuple[str, str, int], tuple[Decimal, str]]:
    """(indicator, region, year) → (value, unit) of the real statistics we hold for the synthetic years, so the
    generator never invents a number where a real one exists."""
    with open(PLAN_14 / "jm_hrss_14__plan_indicators.csv", encoding="utf-8", newline="") as f:
        codes = {r["name_zh"]: r["indicator_code"] for r in csv.DictReader(f)}
    with open(SEEDS / "indicator_aliases.csv", encoding="utf-8", newline="") as f:
        codes.update({r["alias_zh"]: r["indicator_code"] for r in csv.DictReader(f)})
    with open(SEEDS / "regions.csv", encoding="utf-8", newline="") as f:
        regions = {r["name_zh"]: r["region_code"] for r in csv.DictReader(f)}
    with open(FOUND_STATISTICS, encoding="utf-8", newline="") as f:
        return {(codes[r["indicator_name_zh"]], regions[r["region_name_zh"]], int(r["year"])):
                (Decimal(r["value"]), r["unit"])
                for r in csv.DictReader(f) if 2021 <= int(r["year"]) <= 2025 and r["indicator_name_zh"] in codes}


def synthetic_rows(revision: bool = False) -> list[list[object]]:
    rng = random.Random(SYNTHETIC_SEED)
    with open(PLAN_14 / "jm_hrss_14__plan_indicators.csv", encoding="utf-8", newline="") as f:
        indicators = {r["indicator_code"]: r for r in csv.DictReader(f)}
    with open(PLAN_14 / "jm_hrss_14__plan_zl2_cells.csv", encoding="utf-8", newline="") as f:
        cells = list(csv.DictReader(f))
    targets: dict[str, dict[int, Decimal]] = {}
    for cell in cells:
        targets.setdefault(cell["indicator_code"], {})[int(cell["year"])] = Decimal(cell["value"])
    real = real_values_2021_2025()
    rows = []
    for code in sorted(targets):
        ind = indicators[code]
        unit, kind, multiplier = ind["unit"], ind["target_kind"], int(ind["unit_multiplier"])
        previous_target = Decimal(0)
        previous: Decimal | None = None  # last year's city value: the demo stays inside the year-on-year rule
        for year in range(2021, 2026):
            target = targets[code][year]
            if kind == "cumulative":  # yearly flow around the yearly step of the cumulative path
                value = (target - previous_target) * Decimal(str(rng.uniform(0.92, 1.12)))
                previous_target = target
                if previous is not None:  # the plan's own steps jump (粤菜师傅 2022: +64 %); a real series moves less
                    value = min(max(value, previous * SMOOTH_LOW), previous * SMOOTH_HIGH)
            elif kind == "ceiling":
                value = Decimal(str(rng.uniform(2.1, 2.9)))
            elif kind == "floor":
                low, high = {"DISPUTE_MEDIATION_RATE": (72, 82), "ARBITRATION_CLOSURE_RATE": (93, 98)}.get(
                    code, (97.5, 100))
                value = Decimal(str(rng.uniform(low, high)))
                if previous is not None:  # a walk within the band, a few points a year at most
                    value = min(max(value, previous - RATE_STEP), previous + RATE_STEP)
            elif unit == "%":
                value = target + Decimal(str(rng.uniform(-0.8, 0.6)))
            else:
                value = target * Decimal(str(1 + rng.uniform(-0.006, 0.008)))
            city = _round(value, unit)
            previous = city
            real_here = {region: value_unit for (c, region, y), value_unit in real.items() if c == code and y == year}
            if ind["is_additive"] == "true":
                fixed = {region: int(value * (multiplier if real_unit == unit else 1))
                         for region, (value, real_unit) in real_here.items() if region != CITY}
                split = _split_additive(int(city * multiplier), fixed)
                county_values = {c: (Decimal(v), ind["base_unit"]) for c, v in split.items() if c not in fixed}
            else:
                county_values = {c: (_round(min(Decimal(100), max(Decimal(0), city + Decimal(str(
                    rng.uniform(-0.6, 0.6))))), unit), unit) for c in COUNTY_WEIGHTS if c not in real_here}
            if revision:
                if year == 2024 and unit == "%" and kind in ("ceiling", "level"):
                    revised = _round(city + Decimal("0.05"), unit)
                    rows.append([code, CITY, year, _plain(revised), unit, "synthetic", SYNTHETIC_SOURCE + " — revision",
                                 SYNTHETIC_NOTE + "；修订 revised"])
                continue
            rows.append([code, CITY, year, _plain(city), unit, "synthetic", SYNTHETIC_SOURCE, SYNTHETIC_NOTE])
            for county, (county_value, county_unit) in county_values.items():
                rows.append([code, county, year, _plain(county_value), county_unit, "synthetic", SYNTHETIC_SOURCE,
                             SYNTHETIC_NOTE])
    return rows


def write_bundled_files(settings: Settings) -> list[list[Path]]:
    """The bundled files, as the submissions they stand for: the first three together, the revision after them
    (two files of one call that disagree on a value are a conflict; a revision is sent after what it revises)."""
    folder = settings.landing / "bundled"
    return [
        # in this order: a 2020 value both the found statistics and the plan print is kept from the former
        [_write_if_changed(folder / "found_statistics.csv", _csv_text(found_statistics_rows())),
         _write_if_changed(folder / "plan_printed_2016_2020.csv", _csv_text(plan_printed_rows())),
         _write_if_changed(folder / "synthetic_2021_2025.csv", _csv_text(synthetic_rows()))],
        [_write_if_changed(folder / "synthetic_2024_revision.csv", _csv_text(synthetic_rows(revision=True)))],
    ]
