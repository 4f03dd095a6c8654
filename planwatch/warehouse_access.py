"""How planwatch opens the working warehouse: one writer at a time, by design, and paths quoted for SQL.

DuckDB admits one writing process per file, and while it writes no other process may even read. Left to
DuckDB, the second of two commands dies with "Could not set lock on file". So every command and Dagster step
that touches the working file first takes planwatch's own lock beside it (`<warehouse>.lock`, an OS file
lock: released by the kernel when the holder exits, however it exits): exclusive to write, shared to read.
The second one waits, saying so once, up to PLANWATCH_LOCK_WAIT seconds, then stops with `WarehouseBusy`
(a bilingual message, a non-zero exit). The lock is re-entrant inside one process (not per thread), so a Dagster run holds it
for the whole run and the library functions it calls take it again for free.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from planwatch.messages import Problem
from planwatch.settings import Settings


class WarehouseBusy(Problem):
    """Another task held the warehouse for longer than the wait allows. Carries a bilingual message."""


def sql_literal(value: str | Path) -> str:
    """A path or text as a SQL string literal. DuckDB's ATTACH and COPY take no bound parameters for their
    file names, so those are quoted here (a home named `it's` must work) and nowhere else by hand."""
    return "'" + str(value).replace("'", "''") + "'"


def lock_path(settings: Settings) -> Path:
    return settings.warehouse.with_name(settings.warehouse.name + ".lock")


# per process (a Dagster run takes the lock in a resource and its steps again, maybe on another thread):
# lock file path → [file object, exclusive?, depth]
_HELD: dict[str, list] = {}
_mutex = threading.RLock()


def _held() -> dict:
    return _HELD


def _holder(path: Path) -> tuple[str, str]:
    try:
        info = json.loads(path.with_name(path.name + ".holder").read_text(encoding="utf-8"))
        return (f"{info['task']}，PID {info['pid']}，{info['since']} 起",
                f"{info['task']}, PID {info['pid']}, since {info['since']}")
    except (OSError, ValueError, KeyError):
        return "另一个任务", "another task"


INHERITED_ENV = "PLANWATCH_LOCK_INHERITED"  # a child process of the holder (a Spark step): the lock is its parent's


def inherit_env(settings: Settings) -> dict[str, str]:
    """The environment entry that tells a child process this process holds the lock for it."""
    return {INHERITED_ENV: str(lock_path(settings))} if str(lock_path(settings)) in _HELD else {}


@contextmanager
def holding(settings: Settings, *, write: bool = True, task: str | None = None):
    """Hold the warehouse: exclusively to write (`write=True`), shared to read. Waits for a holder, up to
    settings.lock_wait_seconds, then raises WarehouseBusy."""
    path = lock_path(settings)
    held = _held()
    key = str(path)
    if os.environ.get(INHERITED_ENV) == key:  # our parent holds it and waits for us
        yield
        return
    with _mutex:
        if key in held and (held[key][1] or not write):  # already held strongly enough by this thread
            held[key][2] += 1
            try:
                yield
            finally:
                held[key][2] -= 1
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade = key in held
    handle = held[key][0] if upgrade else open(path, "a+b")
    mode = fcntl.LOCK_EX if write else fcntl.LOCK_SH
    deadline = time.monotonic() + settings.lock_wait_seconds
    said = False
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                if not upgrade:
                    handle.close()
                who_zh, who_en = _holder(path)
                raise WarehouseBusy(
                    f"另一个任务（{who_zh}）正在使用数据仓库，等待 {settings.lock_wait_seconds} 秒后仍未结束；未做任何更改，请稍后重试"
                    f"（等待时间由 PLANWATCH_LOCK_WAIT 设置）",
                    f"another task ({who_en}) is using the warehouse and did not finish within "
                    f"{settings.lock_wait_seconds} s; nothing was changed, try again later (PLANWATCH_LOCK_WAIT "
                    f"sets the wait)") from None
            if not said:
                who_zh, who_en = _holder(path)
                print(f"另一个任务正在写入数据仓库（{who_zh}），等待中…（最多 {settings.lock_wait_seconds} 秒）\n"
                      f"  waiting for another task writing the warehouse ({who_en}) … (up to "
                      f"{settings.lock_wait_seconds} s)", file=sys.stderr, flush=True)
                said = True
            time.sleep(0.2)
    if write:
        holder = path.with_name(path.name + ".holder")
        holder.write_text(json.dumps({"task": task or " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:2]),
                                      "pid": os.getpid(), "since": f"{datetime.now():%H:%M:%S}"}), encoding="utf-8")
    previous = held.get(key)
    held[key] = [handle, write, 1]
    try:
        yield
    finally:
        if previous is not None:  # an upgrade ends: back to the shared lock this thread held before
            fcntl.flock(handle, fcntl.LOCK_SH)
            held[key] = previous
        else:
            del held[key]
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


@contextmanager
def working_connection(settings: Settings, *, write: bool = True, task: str | None = None):
    """A DuckDB connection to the working warehouse, under the lock (see `holding`)."""
    with holding(settings, write=write, task=task):
        if write:
            settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(settings.warehouse), read_only=not write, config=settings.duckdb_config) as con:
            yield con


def writes_warehouse(func):
    """Run `func(settings, …)` holding the warehouse exclusively (see `holding`)."""
    @functools.wraps(func)
    def wrapper(settings, *args, **kwargs):
        with holding(settings, write=True, task=f"planwatch {func.__name__}"):
            return func(settings, *args, **kwargs)
    return wrapper


def reads_warehouse(func):
    """Run `func(settings, …)` holding the warehouse shared: readers wait only for a writer."""
    @functools.wraps(func)
    def wrapper(settings, *args, **kwargs):
        with holding(settings, write=False):
            return func(settings, *args, **kwargs)
    return wrapper
