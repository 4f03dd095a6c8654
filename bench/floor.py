"""The floor: the same work as planwatch, hand-written in DuckDB SQL with nothing around it.

Same input files, same output shape: every record loaded with its file and row and a vintage, the latest
vintage marked, the progress mart (plan region and every region under it, running totals for cumulative
targets, shares of the plan region's count targets, county roll-ups), the quality rules as plain SQL counts,
a published copy of the database and the mart exports (Parquet + CSV). No dbt, no Dagster, no Great
Expectations, no Python per row. This is what this machine can do at best; bench/run.py reports planwatch as
a ratio to it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from bench.generate import seed_path
from planwatch.publish.exports import CSV_MAX_ROWS, partition_name

LOAD_SQL = """
insert into observation
with file_rows as (
    select *, cast(file_row_number + 1 as integer) as source_row from {reader}
),
parsed as (
    select
        f."指标 indicator" as indicator_code, f."地区 region" as region_code,
        try_cast(f."年份 year" as integer) as year, try_cast(f."数值 value" as decimal(24, 6)) as value,
        f."单位 unit" as unit, f."状态 status" as status, f."来源 source" as source_text, f.source_row
    from file_rows f
),
checked as (
    select p.*, i.indicator_code is not null and r.region_code is not null and p.year is not null
                and p.value is not null as ok
    from parsed p
    left join indicator i using (indicator_code)
    left join region r using (region_code)
),
latest as (
    select o.indicator_code, o.region_code, o.year, max(o.vintage) as vintage
    from observation o semi join checked c using (indicator_code, region_code, year)
    group by all
)
select c.indicator_code, c.region_code, c.year, c.value, c.unit, c.status,
       coalesce(l.vintage, 0) + 1, '{file_name}', c.source_row, c.source_text, now()
from checked c left join latest l using (indicator_code, region_code, year)
where c.ok
"""

BUILD_SQL = """
create or replace table fct_indicator_observation as
select *, vintage = max(vintage) over (partition by indicator_code, region_code, year) as is_latest
from observation;

create or replace table fct_plan_target as
select t.indicator_code, t.year, t.value as target_value, t.comparator, t.is_cumulative, i.target_kind,
       i.value_type, i.is_additive
from zl2 t join indicator i using (indicator_code)
where not t.is_baseline;

create or replace table fct_plan_progress as
with ancestry as (
    select r.region_code, r.parent_region_code, p.parent_region_code as grandparent, g.parent_region_code as great
    from region r left join region p on p.region_code = r.parent_region_code
    left join region g on g.region_code = p.parent_region_code
),
plan_region as (select region_code from plan where start_year = (select max(start_year) from plan)),
regions as (
    select a.region_code from ancestry a, plan_region p
    where p.region_code in (a.region_code, a.parent_region_code, a.grandparent, a.great)
),
actual as (select indicator_code, region_code, year, value from fct_indicator_observation where is_latest),
shares as (
    select a.indicator_code, a.region_code, arg_min(a.value / n.value, a.year) as share
    from actual a join actual n on n.indicator_code = a.indicator_code and n.year = a.year
    join plan_region p on n.region_code = p.region_code
    where a.year >= 2021 and n.value <> 0 and a.region_code <> p.region_code
    group by all
),
spine as (
    select t.*, r.region_code, r.region_code = (select region_code from plan_region) as is_plan_region,
           a.value as actual_value,
           case when r.region_code = (select region_code from plan_region) or t.value_type = 'rate' then 1
                else s.share end as scale
    from fct_plan_target t cross join regions r
    left join actual a on a.indicator_code = t.indicator_code and a.region_code = r.region_code and a.year = t.year
    left join shares s on s.indicator_code = t.indicator_code and s.region_code = r.region_code
),
running as (
    select *, target_value * scale as region_target,
           sum(actual_value) over w as running_total, count(actual_value) over w as years_reported
    from spine window w as (partition by indicator_code, region_code order by year)
),
measured as (
    select *, case when is_cumulative then case when years_reported = year - 2020 then running_total end
                   else actual_value end as measure
    from running
),
rollup as (
    select p.indicator_code, p.year, p.region_code, count(c.actual_value) as n_reported,
           case when count(c.actual_value) = count(*) then sum(c.actual_value) end as child_sum
    from spine p join region r on r.parent_region_code = p.region_code
    join spine c on c.indicator_code = p.indicator_code and c.year = p.year and c.region_code = r.region_code
    where p.is_additive group by all
)
select m.indicator_code, m.region_code, m.year, m.actual_value, m.region_target as target_value, m.measure,
       case when m.measure is null then null
            when m.comparator = '<=' then m.measure <= m.region_target
            else m.measure >= m.region_target end as is_met,
       case when m.measure is not null and m.region_target <> 0 then round(m.measure / m.region_target * 100, 2)
            end as completion_rate,
       case when m.actual_value is null then 'no_data' when m.measure is null then 'incomplete_data'
            when (m.comparator = '<=' and m.measure <= m.region_target)
              or (m.comparator <> '<=' and m.measure >= m.region_target) then 'on_track'
            when m.measure >= m.region_target * 0.95 then 'at_risk' else 'off_track' end as progress_status,
       r.child_sum, r.n_reported, m.actual_value - r.child_sum as child_sum_difference
from measured m left join rollup r using (indicator_code, region_code, year);
"""

# the quality gate's rules as plain counts (each must be 0 — warnings included, as the gate evaluates them)
QUALITY_SQL = {
    "observation_key_unique": "select count(*) from (select 1 from observation group by indicator_code, "
                              "region_code, year, vintage having count(*) > 1)",
    "not_null": "select count(*) from observation where indicator_code is null or region_code is null "
                "or year is null or value is null or vintage is null",
    "indicator_known": "select count(*) from observation anti join indicator using (indicator_code)",
    "region_known": "select count(*) from observation anti join region using (region_code)",
    "year_in_window": "select count(*) from observation where year not between 2016 and 2030",
    "status_known": "select count(*) from observation where status not in ('preliminary', 'final', 'revised', "
                    "'synthetic')",
    "counts_non_negative": "select count(*) from fct_indicator_observation join indicator using (indicator_code) "
                           "where value_type = 'count' and value < 0",
    "rates_within_0_100": "select count(*) from fct_indicator_observation join indicator using (indicator_code) "
                          "where value_type = 'rate' and (value < 0 or value > 100)",
    "year_on_year_plausible": """
        select count(*) from (
            select o.value, i.value_type,
                   lag(o.value) over (partition by o.indicator_code, o.region_code order by o.year) as previous
            from fct_indicator_observation o join indicator i using (indicator_code) where o.is_latest
        ) where previous is not null and ((value_type = 'count' and previous <> 0 and abs(value / previous - 1) > 0.5)
                                           or (value_type = 'rate' and abs(value - previous) > 10))""",
    "cumulative_never_decreasing": """
        select count(*) from (
            select measure, lag(measure) over (partition by indicator_code, region_code order by year) as previous
            from fct_plan_progress join fct_plan_target using (indicator_code, year) where is_cumulative
        ) where measure < previous""",
    "children_sum_to_parent": "select count(*) from fct_plan_progress where child_sum is not null "
                              "and abs(child_sum_difference) > 0.01 * abs(actual_value)",
    "target_every_year": "select count(*) from indicator i cross join range(2021, 2026) y(year) "
                         "anti join fct_plan_target t on t.indicator_code = i.indicator_code and t.year = y.year",
}

MARTS = ("fct_indicator_observation", "fct_plan_target", "fct_plan_progress")


def _connect(path: Path):
    return duckdb.connect(str(path))


def stage_load(warehouse: Path, pack: Path, landing: Path) -> int:
    with _connect(warehouse) as con:
        con.execute(f"create or replace table indicator as select * from read_csv('{seed_path(pack, 'plan_indicators')}', "
                    "header = true)")
        con.execute(f"create or replace table region as select * from read_csv('{pack / 'regions.csv'}', header = "
                    "true, all_varchar = true)")
        con.execute(f"create or replace table zl2 as select * from read_csv('{seed_path(pack, 'plan_zl2_cells')}', "
                    "header = true)")
        con.execute(f"create or replace table plan as select * from read_csv('{seed_path(pack, 'plan_periods')}', "
                    "header = true, types = {'region_code': 'varchar'})")
        con.execute("""create table if not exists observation (indicator_code varchar, region_code varchar,
                       year integer, value decimal(24, 6), unit varchar, status varchar, vintage integer,
                       file_name varchar, source_row integer, source_text varchar, loaded_at timestamp)""")
        con.execute("create table if not exists load_file (file_name varchar primary key)")
        loaded = {r[0] for r in con.execute("select file_name from load_file").fetchall()}
        rows = 0
        for path in sorted(p for p in landing.iterdir() if p.suffix in (".csv", ".parquet")):
            if path.name in loaded:
                continue
            reader = (f"read_csv('{path}', header = true, all_varchar = true)" if path.suffix == ".csv"
                      else f"read_parquet('{path}', file_row_number = true)")
            if path.suffix == ".csv":  # read_csv has no file_row_number: number the rows as they come
                reader = f"(select *, row_number() over () - 1 as file_row_number from {reader})"
            con.execute("begin")
            rows += con.execute(LOAD_SQL.format(reader=reader, file_name=path.name)).fetchone()[0]
            con.execute("insert into load_file values (?)", [path.name])
            con.execute("commit")
    return rows


def stage_build(warehouse: Path) -> int:
    with _connect(warehouse) as con:
        con.execute(BUILD_SQL)
        return con.execute("select count(*) from fct_indicator_observation").fetchone()[0]


def stage_quality(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        failures = {name: con.execute(sql).fetchone()[0] for name, sql in QUALITY_SQL.items()}
        rows = con.execute("select count(*) from observation").fetchone()[0]
    bad = {k: v for k, v in failures.items() if v and k != "year_on_year_plausible"}
    if bad:
        raise SystemExit(f"floor quality failed: {bad}")
    return rows


def stage_publish(warehouse: Path, published: Path) -> int:
    published.mkdir(parents=True, exist_ok=True)
    target = published / "floor.duckdb"
    staging = published / ".floor.tmp"
    if staging.exists():
        staging.unlink()
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as working (read_only)")
        con.execute(f"attach '{staging}' as out (storage_version 'v1.0.0')")
        con.execute("copy from database working to out")
        con.execute("detach out")
        rows = con.execute("select count(*) from working.fct_indicator_observation").fetchone()[0]
    os.replace(staging, target)
    _incremental_exports(target, published)
    return rows


def _incremental_exports(target: Path, published: Path) -> None:
    """planwatch's export contract done by hand: each mart's Parquet partitioned by year, and only the years whose
    rows changed (count and sum of row hashes, one GROUP BY) written again, the others hard-linked from the previous
    export; CSV up to Excel's row limit, written when its mart changed; a fresh folder swapped in."""
    exports, fresh = published / "exports", published / ".exports.floor.tmp"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    old = json.loads((exports / "manifest.json").read_text()) if (exports / "manifest.json").exists() else {}
    manifest = {}
    with duckdb.connect(str(target), read_only=True) as con:
        for table in MARTS:
            rows = con.execute(f"select year, count(*), sum(hash(t))::varchar from {table} as t group by all").fetchall()
            prints = {f"{table}/{partition_name(year)}": f"{n}:{digest}" for year, n, digest in rows}
            stale = [name for name, key in prints.items() if old.get(name) != key]
            stale_years = [year for year, _, _ in rows if f"{table}/{partition_name(year)}" in stale]
            for name in set(prints) - set(stale):
                (fresh / name).mkdir(parents=True)
                for f in (exports / name).iterdir():
                    os.link(f, fresh / name / f.name)
            if stale:
                where = f"year in ({', '.join(str(y) for y in stale_years if y is not None) or 'null'})" + (
                    " or year is null" if None in stale_years else "")
                con.execute(f"copy (select * from {table} where {where}) to '{fresh / table}' "
                            "(format parquet, partition_by (year), overwrite_or_ignore true)")
            manifest.update(prints)
            csv_key = ";".join(sorted(prints.values()))
            if sum(int(v.split(":")[0]) for v in prints.values()) <= CSV_MAX_ROWS:
                if old.get(f"{table}.csv") == csv_key:
                    os.link(exports / f"{table}.csv", fresh / f"{table}.csv")
                else:
                    con.execute(f"copy {table} to '{fresh / table}.csv' (format csv, header true)")
                manifest[f"{table}.csv"] = csv_key
    (fresh / "manifest.json").write_text(json.dumps(manifest))
    retired = published / ".exports.floor.old"
    shutil.rmtree(retired, ignore_errors=True)
    if exports.exists():
        os.replace(exports, retired)
    os.replace(fresh, exports)
    shutil.rmtree(retired, ignore_errors=True)


DASHBOARD_SQL = {
    "scorecard": "select * from fct_plan_progress where region_code = ? qualify row_number() over "
                 "(partition by indicator_code order by actual_value is not null desc, year desc) = 1",
    "progress_series": "select * from fct_plan_progress where indicator_code = ? and region_code = ? order by year",
    "county_comparison": "select g.* from fct_plan_progress g join region r using (region_code) "
                         "where g.indicator_code = ? and g.year = ? and r.parent_region_code = ?",
    "provenance": "select * from fct_indicator_observation where indicator_code = ? and region_code = ? "
                  "and year = ? order by vintage desc",
}


def dashboard_query(published: Path, name: str, params: list) -> int:
    with duckdb.connect(str(published / "floor.duckdb"), read_only=True) as con:
        return len(con.execute(DASHBOARD_SQL[name], params).fetchall())

