"""A steward's actions on submissions (审核): return one to its sender with the reason. Each is recorded in
the submission's history (raw.submission_event, which the next build reads) and in the action log."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from planwatch.ingest.archive import record_action
from planwatch.release.review_schema import ensure_review_schema
from planwatch.settings import Settings
from planwatch.warehouse_access import writes_warehouse


class UnknownSubmission(LookupError):
    pass


def find_submission(con, reference: str) -> tuple:
    """A submission by its load id, or the latest load of a file name: (load_id, file_name, status, region, sender)."""
    row = con.execute("""
        select l.load_id, l.file_name, e.status, e.region_code, e.sender
        from raw.load_file as l
        join raw.submission_event as e using (load_id)
        where l.load_id = $ref or l.file_name = $ref
        qualify row_number() over (order by l.loaded_at desc, e.happened_at desc) = 1
    """, {"ref": reference}).fetchone()
    if row is None:
        raise UnknownSubmission(reference)
    return row


@writes_warehouse
def return_submission(settings: Settings, reference: str, by: str, note: str, at: datetime | None = None,
                      journal: bool = True) -> tuple:
    """Return a submission to its sender: none of its rows is released from the next build on. `at` and
    `journal=False`: a journalled return replayed by planwatch.recovery."""
    with duckdb.connect(str(settings.warehouse), config=settings.duckdb_config) as con:
        ensure_review_schema(con)
        load_id, file_name, status, region, sender = find_submission(con, reference)
        at = at or datetime.now(timezone.utc).replace(tzinfo=None)
        con.execute("begin transaction")
        con.execute("insert into raw.submission_event values (?, 'returned', ?, ?, ?, null, ?, ?, ?)",
                    [load_id, region, sender, by, f"审核退回：{note}", f"returned by the steward: {note}", at])
        con.execute("insert into review.action values (?, ?, 'return', ?, ?)", [at, by, load_id, note])
        con.execute("commit")
    if journal:
        record_action(settings, {"action": "return", "reference": load_id, "by": by, "note": note, "at": at.isoformat()})
    return load_id, file_name, status
