"""The raw tables loads write to (schema `raw`). dbt reads them as sources; nothing else writes them."""

from __future__ import annotations

# every table a load writes (RAW_DDL below), in the order a load fills them; each row carries its load_id, so a
# target receives a load whole (planwatch/targets/)
RAW_TABLES = ("load_file", "observation", "quarantine", "submission_event", "submission_finding", "review_query",
              "review_answer")
# tables that later steps append to for earlier loads too (a steward returning a submission): a target that copies
# new loads one at a time receives these whole
LOG_TABLES = ("submission_event", "review_query", "review_answer")

RAW_DDL = """
create schema if not exists raw;

create table if not exists raw.load_file (
    load_id          varchar primary key,
    file_name        varchar not null,
    file_path        varchar not null,
    file_sha256      varchar not null,
    file_bytes       bigint not null,
    file_format      varchar not null,   -- csv / xlsx / parquet
    encoding         varchar,            -- csv only: utf-8, utf-8-sig, gb18030
    layouts          varchar,            -- long / wide, per sheet
    loaded_at        timestamp not null,
    rows_read        integer not null,
    rows_loaded      integer not null,
    rows_duplicate   integer not null,
    rows_quarantined integer not null
);

create table if not exists raw.observation (
    load_id           varchar not null,
    indicator_code    varchar not null,
    region_code       varchar not null,
    period_start_year integer not null,  -- = year for a yearly value; earlier for a multi-year total
    year              integer not null,
    value             decimal(24, 6) not null,  -- in the registry unit of the indicator
    unit              varchar not null,          -- the registry unit
    value_as_given    varchar not null,
    unit_as_given     varchar,
    status            varchar not null,  -- preliminary / final / revised / synthetic
    vintage           integer not null,  -- 1 for the first value of a key, +1 for each revision
    source_text       varchar,
    note              varchar,
    file_name         varchar not null,
    file_sha256       varchar not null,
    sheet             varchar,
    source_row        integer not null,
    source_column     varchar,           -- wide layout: the year column's header
    loaded_at         timestamp not null
    -- unique (indicator_code, region_code, period_start_year, year, vintage): the loader gives each new value
    -- the next vintage inside its one-writer transaction, and the quality gate's blocking check
    -- raw_observation_key_unique proves it before anything is published. Not a PRIMARY KEY: DuckDB keeps
    -- such an index in memory and rewrites it at every checkpoint, which at national scale (19 million
    -- rows) cost more than the load itself (BENCHMARKS.md).
);

create table if not exists raw.quarantine (
    load_id      varchar not null,
    file_name    varchar not null,
    file_sha256  varchar not null,
    sheet        varchar,
    source_row   integer not null,
    column_name  varchar,
    raw_value    varchar,
    reason_code  varchar not null,
    reason_zh    varchar not null,
    reason_en    varchar not null,
    loaded_at    timestamp not null
);

-- Every load is a submission (报送) from a sender: its status history, oldest first. A load writes
-- received → checked → returned (its own rows hold an impossible value: the whole submission goes back to its
-- sender and none of its rows is released) or accepted. Never updated: a later decision is a later row.
create table if not exists raw.submission_event (
    load_id      varchar not null,
    status       varchar not null,   -- received / checked / returned / accepted
    region_code  varchar,            -- the sending region (null when the file does not tell)
    sender       varchar not null,   -- the person who sent it
    actor        varchar not null,   -- who recorded this step
    supersedes   varchar,            -- the returned submission this one corrects (same region, same keys)
    note_zh      varchar,
    note_en      varchar,
    happened_at  timestamp not null
);

-- Queries (查询): a judgement call that needs an explanation or the steward's word. A year-on-year change beyond
-- the rule *holds* the value it names (the previous vintage stays current) until the sender answers or the
-- steward accepts; the counties' sum against the city and the plan's own text-vs-table findings hold nothing.
-- query_id is a digest of what the query is about, so an answered query stays answered until its rows change.
create table if not exists raw.review_query (
    query_id          varchar not null,
    kind              varchar not null,   -- year_on_year / county_sum / plan_consistency / plan_baseline
    load_id           varchar,            -- the submission it names (year_on_year)
    indicator_code    varchar,
    region_code       varchar,
    period_start_year integer,
    year              integer,
    holds             boolean not null,   -- true: the value waits for the answer
    detail_zh         varchar not null,
    detail_en         varchar not null,
    opened_by         varchar not null,
    opened_at         timestamp not null
);

create table if not exists raw.review_answer (
    query_id     varchar not null,
    decision     varchar not null,   -- answered (the sender's explanation) / accepted (the steward's word)
    actor        varchar not null,
    note         varchar not null,
    answered_at  timestamp not null
);

-- The findings that returned a submission: each names the row and cell, in Chinese and English.
create table if not exists raw.submission_finding (
    load_id        varchar not null,
    finding_code   varchar not null,   -- negative_value / rate_over_100 / cumulative_falls / unit_contradiction
    sheet          varchar,
    source_row     integer not null,
    column_name    varchar,
    raw_value      varchar,
    indicator_code varchar,
    region_code    varchar,
    year           integer,
    reason_zh      varchar not null,
    reason_en      varchar not null,
    found_at       timestamp not null
);
"""


def ensure_raw_schema(con) -> None:
    con.execute(RAW_DDL)
