"""`planwatch recover`: a damaged working warehouse back to the last release, and everything since replayed.

The published copy never depends on the working file, so readers are safe whatever happens to it. The working
file holds what is not published yet: the loads, the queries, the steward's actions. Each release leaves a copy
of the working file (archive.backup_working); each load leaves its bytes and a journal line, each return or
answer a journal line (archive.py). Recovery puts the damaged file aside (never deletes it), restores the copy,
loads again — under their own load ids and times, so every query and answer that names them still matches —
the journalled files the copy does not have, and replays the journalled actions it does not have. The marts are
then rebuilt by the next `planwatch run`.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from planwatch.ingest.archive import archive_dir, backup_path, recorded_actions, recorded_loads
from planwatch.ingest.loader import Thresholds, load_one, prepare_lookups
from planwatch.ingest.results import Sender
from planwatch.release.actions import return_submission
from planwatch.release.queries import UnknownQuery, answer
from planwatch.settings import Settings
from planwatch.warehouse_access import holding


@dataclass
class Recovery:
    damaged_kept_as: Path | None
    restored_release: int | None
    loads_replayed: list[str] = field(default_factory=list)
    actions_replayed: int = 0
    not_replayed: list[str] = field(default_factory=list)  # what a person must do again, and why


def working_file_is_sound(settings: Settings) -> bool:
    if not settings.warehouse.exists():
        return False
    try:
        with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
            con.execute("select count(*) from raw.load_file").fetchone()
            con.execute("select count(*) from raw.observation").fetchone()
        return True
    except duckdb.Error:
        return False


def _present(con, sql: str, params: list) -> bool:
    try:
        return con.execute(sql, params).fetchone() is not None
    except duckdb.Error:  # the table does not exist yet
        return False


def recover(settings: Settings, force: bool = False) -> Recovery | None:
    """Rebuild the working file; None when it is sound and `force` is not given (nothing to do)."""
    with holding(settings, write=True, task="planwatch recover"):
        if not force and working_file_is_sound(settings):
            return None
        kept = None
        if settings.warehouse.exists():
            stamp = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
            kept = settings.warehouse.with_name(f"{settings.warehouse.name}.damaged-{stamp}")
            os.replace(settings.warehouse, kept)
            wal = settings.warehouse.with_name(settings.warehouse.name + ".wal")
            if wal.exists():
                os.replace(wal, kept.with_name(kept.name + ".wal"))
        backup = backup_path(settings)
        restored = None
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        if backup.exists():
            shutil.copyfile(backup, settings.warehouse)
            if backup.with_name(backup.name + ".wal").exists():
                shutil.copyfile(backup.with_name(backup.name + ".wal"),
                                settings.warehouse.with_name(settings.warehouse.name + ".wal"))
            restored = json.loads(backup.with_suffix(".json").read_text(encoding="utf-8"))["release_no"]
        outcome = Recovery(kept, restored)
        _replay_loads(settings, outcome)
        _replay_actions(settings, outcome)
        return outcome


def _replay_loads(settings: Settings, outcome: Recovery) -> None:
    have = set()
    if settings.warehouse.exists():
        with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
            if _present(con, "select 1 from raw.load_file limit 1", []):
                have = {r[0] for r in con.execute("select load_id from raw.load_file").fetchall()}
    calls: dict[str, list[dict]] = {}
    for entry in recorded_loads(settings):
        if entry.get("load_id") and entry["load_id"] not in have:
            calls.setdefault(entry.get("call") or entry["load_id"], []).append(entry)
    thresholds = Thresholds(settings.yoy_change, settings.yoy_rate_points)
    with duckdb.connect(config=settings.duckdb_config) as con:
        prepare_lookups(con, settings.seeds)
        for entries in calls.values():
            batch: list[str] = []
            for entry in entries:
                path = archive_dir(settings) / "files" / entry["kept"]
                if not path.exists():
                    outcome.not_replayed.append(f"{entry['file_name']}：归档文件缺失 / its archived bytes are missing")
                    continue
                result = load_one(con, settings, path, Sender(region=entry.get("region"), person=entry.get("person")),
                                  thresholds, None, batch, entry.get("call"), replay=entry)
                if result.load_id:
                    batch.append(result.load_id)
                    outcome.loads_replayed.append(result.load_id)
                elif result.status == "error":
                    outcome.not_replayed.append(f"{entry['file_name']}：{result.error_en}")


def _replay_actions(settings: Settings, outcome: Recovery) -> None:
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        returned = {(r[0], r[1]) for r in con.execute(
            "select load_id, happened_at::varchar from raw.submission_event where status = 'returned'").fetchall()} \
            if _present(con, "select 1 from raw.submission_event limit 1", []) else set()
        answered = {r[0] for r in con.execute("select query_id from raw.review_answer").fetchall()} \
            if _present(con, "select 1 from raw.review_answer limit 1", []) else set()
    for entry in recorded_actions(settings):
        at = datetime.fromisoformat(entry["at"])
        if entry["action"] == "return":
            if (entry["reference"], str(at)) in returned:
                continue
            return_submission(settings, entry["reference"], entry["by"], entry["note"], at=at, journal=False)
        else:
            if entry["reference"] in answered:
                continue
            try:
                answer(settings, entry["reference"], entry["by"], entry["note"], entry["action"], at=at,
                       journal=False)
            except UnknownQuery:  # a release's query, opened again by the next run: answered again then
                outcome.not_replayed.append(f"query {entry['reference'][:12]}: {entry['action']} by {entry['by']} "
                                            f"({entry['note']}) — answer it again after the next run")
                continue
        outcome.actions_replayed += 1
