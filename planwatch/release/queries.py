"""Queries (查询): judgement calls asked of a sender or the steward instead of blocking anything.

- year_on_year — opened by the load (planwatch/ingest/rules.py YEAR_ON_YEAR_SQL): holds the value it names;
- county_sum — the counties' sum differs from the city figure by more than 1 %: holds nothing (a city total may
  include city-level units, 市本级, that no county reports), asks the steward which figure stands;
- plan_consistency — a target the plan's text states differently from its 专栏 table: holds nothing, answered once;
- plan_baseline — a new plan prints a baseline other than the previous plan's actual in the warehouse (real plans
  revise baselines): holds nothing, asks the steward which stands.

A query's id digests what it is about (for county_sum the two figures, for plan_consistency the sentence and
the cell), so an answered query stays answered until its rows change. Answers are appended, never updated.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from planwatch.ingest.archive import record_action
from planwatch.release.review_schema import ensure_review_schema
from planwatch.settings import Settings
from planwatch.warehouse_access import reads_warehouse, sql_literal, writes_warehouse

# new release-level queries from the marts just built, not yet asked
MART_QUERIES_SQL = """
insert into raw.review_query
select query_id, kind, null, indicator_code, region_code, year, year, false, detail_zh, detail_en, 'planwatch', $now
from (
    select md5('county_sum|' || indicator_code || '|' || region_code || '|' || year || '|' || actual_value || '|'
               || county_sum_value) as query_id,
           'county_sum' as kind, indicator_code, region_code, year,
           format('各县（市、区）合计 {} 与全市 {} 相差 {}（超过 1%）：全市数是否含市本级单位？请确认以哪个数为准',
                  county_sum_value::double, actual_value::double, county_sum_difference::double) as detail_zh,
           format('the counties add up to {} against the city''s {} (a difference of {}, over 1 %): does the city '
                  'figure include city-level units? The steward decides which figure stands',
                  county_sum_value::double, actual_value::double, county_sum_difference::double) as detail_en
    from cand.marts.fct_plan_progress
    where county_sum_value is not null and abs(county_sum_difference) > 0.01 * abs(actual_value)
    union all
    select md5('plan_consistency|' || target_code || '|' || cell_ref || '|' || finding_zh),
           'plan_consistency', indicator_code, null, year, finding_zh,
           'the plan''s text and its table disagree (' || target_code || ' against ' || cell_ref || '): the '
           || 'steward records which one the office follows'
    from cand.marts.rpt_plan_consistency
    where not values_agree
    union all
    select md5('plan_baseline|' || plan_code || '|' || indicator_code || '|' || baseline_text || '|'
               || previous_actual_value),
           'plan_baseline', indicator_code, null, baseline_year, finding_zh,
           'the new plan ' || plan_code || ' prints the ' || baseline_year || ' baseline ' || baseline_text
           || ', the warehouse holds ' || previous_actual_value::double || ' for ' || previous_plan_code
           || ': the steward asks the plan''s drafters or the statistics which is right'
    from cand.marts.rpt_plan_baseline_check
    where not agrees
) as found
where query_id not in (select query_id from raw.review_query)
"""

# every query with its latest answer
QUERIES_SQL = """
select q.query_id, q.kind, q.holds, q.load_id, l.file_name, q.indicator_code, q.region_code, q.year,
       q.detail_zh, q.detail_en, q.opened_at,
       coalesce(a.decision, 'open') as status, a.actor as answered_by, a.note as answer, a.answered_at
from raw.review_query as q
left join raw.load_file as l using (load_id)
left join (select * from raw.review_answer
           qualify row_number() over (partition by query_id order by answered_at desc) = 1) as a using (query_id)
order by status = 'open' desc, q.opened_at, q.query_id
"""


class UnknownQuery(LookupError):
    pass


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@writes_warehouse
def open_mart_queries(settings: Settings, candidate: Path) -> int:
    """Ask what the candidate's marts raise (counties' sum, the plan's own findings); returns how many are new.
    The candidate file holds the marts on every target (PostgreSQL and Spark mirror theirs into it)."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        before = con.execute("select count(*) from raw.review_query").fetchone()[0]
        con.execute(f"attach {sql_literal(candidate)} as cand (read_only)")
        try:
            con.execute(MART_QUERIES_SQL, {"now": _now()})
        finally:
            con.execute("detach cand")
        return con.execute("select count(*) from raw.review_query").fetchone()[0] - before


@reads_warehouse
def queries(settings: Settings, everything: bool = False) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        rows = con.execute(QUERIES_SQL).fetchall()
    return rows if everything else [row for row in rows if row[11] == "open"]


@writes_warehouse
def answer(settings: Settings, reference: str, by: str, note: str, decision: str, at: datetime | None = None,
           journal: bool = True) -> tuple:
    """Record the sender's explanation (`answered`) or the steward's acceptance (`accepted`); a held value is
    released by the next build. `reference` is a query id or its first characters."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        ensure_review_schema(con)
        found = con.execute("select query_id, kind, detail_en from raw.review_query where starts_with(query_id, ?)",
                            [reference.lower()]).fetchall()
        if len(found) != 1 or len(reference) < 4:
            raise UnknownQuery(reference)
        query_id = found[0][0]
        at = at or _now()
        con.execute("begin transaction")
        con.execute("insert into raw.review_answer values (?, ?, ?, ?, ?)", [query_id, decision, by, note, at])
        con.execute("insert into review.action values (?, ?, ?, ?, ?)",
                    [at, by, "answer" if decision == "answered" else "accept", query_id, note])
        con.execute("commit")
    if journal:
        record_action(settings, {"action": decision, "reference": query_id, "by": by, "note": note,
                                 "at": at.isoformat()})
    return found[0]
