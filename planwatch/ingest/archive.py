"""The landing archive: the bytes of every file loaded and a journal of who sent it and of each steward action,
kept outside the working warehouse so that a damaged working file can be rebuilt (planwatch.recovery).

Layout under $PLANWATCH_HOME/archive/:
  files/<sha256><suffix>  — a loaded file's bytes as read (content-addressed: the same file is kept once)
  loads.jsonl             — one line per committed load: load id, time, checksum, name, sender, call
  actions.jsonl           — one line per steward or sender action on the working file (return, answer)
A line is appended (and fsynced) only after its transaction committed, so the journal never names a load the
warehouse never had; a crash between commit and append loses at most that line, which the release backup or
the working file itself still holds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from planwatch.settings import Settings


def archive_dir(settings: Settings) -> Path:
    return settings.home / "archive"


def keep_bytes(settings: Settings, copy: Path, sha256: str) -> Path:
    """Keep the loader's copy of a file before its load commits; returns where it is kept."""
    folder = archive_dir(settings) / "files"
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{sha256}{copy.suffix.lower()}"
    if not kept.exists():
        partial = kept.with_name(kept.name + ".partial")
        shutil.copyfile(copy, partial)
        os.replace(partial, kept)
    return kept


def _append(path: Path, entry: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as journal:
        journal.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        journal.flush()
        os.fsync(journal.fileno())


def record_load(settings: Settings, entry: dict) -> None:
    _append(archive_dir(settings) / "loads.jsonl", entry)


def record_action(settings: Settings, entry: dict) -> None:
    _append(archive_dir(settings) / "actions.jsonl", entry)


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:  # a line cut by a crash while it was written: the rest still counts
            continue
    return entries


def recorded_loads(settings: Settings) -> list[dict]:
    return _read(archive_dir(settings) / "loads.jsonl")


def recorded_actions(settings: Settings) -> list[dict]:
    return _read(archive_dir(settings) / "actions.jsonl")


def backup_path(settings: Settings) -> Path:
    return archive_dir(settings) / "working-at-last-release.duckdb"


def backup_working(settings: Settings, release_no: int) -> Path:
    """A copy of the working file as it was when release `release_no` was made (the caller holds the warehouse
    and has closed its connection, so the file is checkpointed). Recovery starts from it."""
    target = backup_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(settings.warehouse, partial)
    wal = settings.warehouse.with_name(settings.warehouse.name + ".wal")
    if wal.exists():  # not checkpointed yet: the WAL belongs to the copy
        shutil.copyfile(wal, partial.with_name(partial.name + ".wal"))
        os.replace(partial.with_name(partial.name + ".wal"), target.with_name(target.name + ".wal"))
    else:
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
    os.replace(partial, target)
    target.with_suffix(".json").write_text(json.dumps({"release_no": release_no}), encoding="utf-8")
    return target
