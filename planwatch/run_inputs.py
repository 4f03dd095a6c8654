"""Whether a run has anything to do: the fingerprint of everything a run's outputs are a function of.

Most nightly runs find nothing new. Rebuilding then costs a whole `dbt build`, a gate and a publish to produce
the release that is already published, so a run first compares the inputs with those of the last complete run
and, when nothing moved, says so and stops (`planwatch run --force` rebuilds anyway).

The inputs, and why each is one:
- the code and the project: planwatch's Python (loader rules, gate suites, publish, reports, the bundled data and
  the report templates) and every dbt source file — a changed rule or model changes the outputs;
- the settings (the target, the release policy, the thresholds…) — they change what is built and published;
- the landing folder: a file whose content is not yet in raw.load_file is new (the loader's own test, by
  sha256; size and mtime only spare the hashing of files already seen);
- the state the last run left: the working warehouse, its WAL and the published copy, by size and mtime after
  that run — a `planwatch load`, a steward's return, answer or approval, a restored release or a removed file
  all write one of them, and then the next run rebuilds.
The record is written by the run itself while it still holds the warehouse, after its last step, and only when
every step succeeded, so a state no run finished is never taken for done.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path

import duckdb

from planwatch.ingest.loader import file_sha256, landing_files
from planwatch.publish.published_copy import published_path
from planwatch.settings import REPO_ROOT, Settings

# Python and data the run's outputs depend on (the dashboard and the BI tools only read what a run published)
CODE_GLOBS = ("planwatch/**/*.py", "expectations/*.py", "orchestration/**/*.py", "data/**/*", "templates/**/*")
RECORD = "last_complete_run.json"


def code_fingerprint(root: Path = REPO_ROOT) -> str:
    from planwatch.dbt_project import dbt_fingerprint

    digest = hashlib.sha256(dbt_fingerprint(root).encode())
    for pattern in CODE_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_fingerprint(settings: Settings) -> str:
    values = {f.name: repr(getattr(settings, f.name)) for f in fields(settings)}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def state_fingerprint(settings: Settings) -> dict:
    """What the last run left, by size and mtime: every later writer of the warehouse or the published copy moves
    one of them."""
    warehouse = Path(settings.warehouse)
    return {"warehouse": _stat(warehouse), "wal": _stat(warehouse.with_name(warehouse.name + ".wal")),
            "published": _stat(published_path(settings))}


def current_inputs(settings: Settings) -> dict:
    return {"code": code_fingerprint(), "settings": settings_fingerprint(settings),
            "state": state_fingerprint(settings)}


def new_landing_files(settings: Settings) -> list[Path]:
    """Landing files whose content the warehouse has not loaded (the job writes bundled/ itself, from data/)."""
    files = [p for p in landing_files(settings.landing)
             if p.relative_to(settings.landing).parts[0] != "bundled"]
    if not files:
        return []
    if not Path(settings.warehouse).exists():
        return files
    with duckdb.connect(str(settings.warehouse), read_only=True, config=settings.duckdb_config) as con:
        loaded = {row[0] for row in con.execute("select distinct file_sha256 from raw.load_file").fetchall()}
    new = []
    for path in files:
        try:
            if path.is_symlink() or file_sha256(path) not in loaded:
                new.append(path)  # a link is the loader's to report: a run must see it
        except OSError:
            new.append(path)
    return new


def record_path(settings: Settings) -> Path:
    return Path(settings.home) / "state" / RECORD


def last_complete_run(settings: Settings) -> dict | None:
    try:
        return json.loads(record_path(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def nothing_changed(settings: Settings) -> dict | None:
    """The last complete run's record when a run now would have nothing to do, else None. Holds nothing: a
    writer that starts meanwhile moves the state, which the run that follows sees."""
    record = last_complete_run(settings)
    if record is None or record.get("inputs") != current_inputs(settings):
        return None
    try:
        if new_landing_files(settings):
            return None
    except duckdb.Error:  # the warehouse is being written: not "nothing changed"
        return None
    return record


def record_complete_run(settings: Settings, run_id: str, summary: dict) -> None:
    """Called by the run, after its last step, with the warehouse still held."""
    path = record_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"run_id": run_id, "inputs": current_inputs(settings), **summary},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)


def forget_complete_run(settings: Settings) -> None:
    record_path(settings).unlink(missing_ok=True)
