"""What the scoped gate checks: the submissions no release carries yet, and the keys they touch (issue 21).

A pipeline run validates what changed; the unchanged rest was proven by the release it came from, and a full audit
of every rule over every row runs on a schedule, before every final evaluation report and on demand
(`planwatch quality --full`). A check says which rows it needs (`Check.scope`):

- `load`: the rows of the submissions in scope (not null, codes known, years, units, statuses);
- `key`: the rows of each (indicator, region) such a submission touches, and of the regions above it, from the year
  before the first year it touches — a county's revised value changes its own series from that year on (year on
  year, running totals, projections) and the sum its city is compared with; the year before is what the first
  changed year is compared with. The earlier years' comparisons did not change. (A new year touches every key: it
  reads the last two years, not ten. A comparison across a year with no value is the full audit's.)
- `whole`: always every row — the cheap invariants (row accounting, the observation key's uniqueness over the
  whole table, column types) and the plan-wide ones (targets, freshness, the text against the tables).

The scope is two tables in the warehouse's `quality` schema, written by the gate inside its own write and published
with the quality history, so a reader sees what the release's gate looked at. DuckDB target only: the PostgreSQL and
Spark targets audit everything on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from planwatch.settings import Settings

LOAD, KEY, WHOLE = "load", "key", "whole"

SCOPE_LOADS_SQL = """
create schema if not exists quality;
-- a submission is in scope until a release carries it (its last step 'published'); one with no history at all
-- (loaded before submissions were recorded) stays in scope, which only costs time
create or replace table quality.gate_scope_load as
select l.load_id
from raw.load_file l
left join (
    select load_id, status from raw.submission_event
    qualify row_number() over (partition by load_id order by happened_at desc) = 1
) last_step using (load_id)
where last_step.status is distinct from 'published';
"""

SCOPE_KEYS_SQL = """
create or replace table quality.gate_scope_key as
with recursive touched(indicator_code, region_code, from_year) as (
    select indicator_code, region_code, min(period_start_year)
    from raw.observation
    where load_id in (select load_id from quality.gate_scope_load)
    group by indicator_code, region_code
    union
    select t.indicator_code, r.parent_region_code, t.from_year
    from touched t join marts.dim_region r on r.region_code = t.region_code
    where coalesce(r.parent_region_code, '') <> ''
)
select indicator_code, region_code, min(from_year) - 1 as from_year
from touched
group by indicator_code, region_code;
"""

# the rows of a table a check of each scope reads
PREDICATES = {
    LOAD: "load_id in (select load_id from quality.gate_scope_load)",
    # the first condition alone lets DuckDB drop most rows before the per-key one (1.9 million observations: 0.12 s
    # against 0.29 s without it)
    KEY: "scoped.year >= (select min(from_year) from quality.gate_scope_key) and exists (select 1 from "
         "quality.gate_scope_key k where k.indicator_code = scoped.indicator_code "
         "and k.region_code = scoped.region_code and scoped.year >= k.from_year)",
}


@dataclass(frozen=True)
class GateScope:
    loads: int
    keys: int | None  # None when no key-scoped check is validated (the raw gate, before the build)

    def describe(self) -> tuple[str, str]:
        keys_zh = f"，涉及 {self.keys} 个指标×地区" if self.keys is not None else ""
        keys_en = f", {self.keys} indicator × region keys" if self.keys is not None else ""
        return (f"范围：尚未发布的 {self.loads} 份报送{keys_zh}（其余数据已由所在发布版本检验；全面检查：planwatch quality --full）",
                f"scope: the {self.loads} submission(s) no release carries yet{keys_en} (the rest was validated "
                f"with the release it came in; a full audit: planwatch quality --full)")


def write_gate_scope(settings: Settings, with_keys: bool) -> GateScope:
    """The scope tables for this gate, in the working warehouse (the gate holds its write)."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        con.execute(SCOPE_LOADS_SQL)
        loads = con.execute("select count(*) from quality.gate_scope_load").fetchone()[0]
        keys = None
        if with_keys:
            con.execute(SCOPE_KEYS_SQL)
            keys = con.execute("select count(*) from quality.gate_scope_key").fetchone()[0]
    return GateScope(loads, keys)
