"""The release log, in schema `review` of the working DuckDB file (published with the marts). Append-only:
nothing is updated or deleted; a rollback is a release of its own."""

from __future__ import annotations

REVIEW_DDL = """
create schema if not exists review;

create table if not exists review.release (
    release_no       integer not null,   -- 1, 2, 3 … never reused
    kind             varchar not null,   -- publication / rollback
    restores         integer,            -- rollback: the release whose data it puts back
    policy           varchar not null,   -- auto / approve
    approved_by      varchar not null,   -- the steward (or `planwatch (auto)` under the auto policy)
    approved_at      timestamp not null,
    note             varchar,
    gate_run_id      varchar,            -- the quality-gate run that passed the data
    project_sha256   varchar not null,   -- the plan pack and models it was built from (dbt sources' fingerprint)
    new_values       integer not null,   -- keys with a value for the first time
    revisions        integer not null,   -- keys whose current value changed
    withdrawn        integer not null,   -- keys that had a value and no longer have one
    file_name        varchar not null    -- its copy under published/releases/
);

create table if not exists review.release_change (
    release_no        integer not null,
    change            varchar not null,  -- new / revised / withdrawn
    indicator_code    varchar not null,
    region_code       varchar not null,
    period_start_year integer not null,
    year              integer not null,
    previous_value    decimal(24, 6),
    value             decimal(24, 6),
    previous_vintage  integer,
    vintage           integer,
    source_file       varchar
);

create table if not exists review.action (
    happened_at  timestamp not null,
    actor        varchar not null,
    action       varchar not null,   -- approve / publish / rollback / return
    object       varchar not null,   -- a release number or a submission's load id
    note         varchar
);
"""


def ensure_review_schema(con) -> None:
    con.execute(REVIEW_DDL)
