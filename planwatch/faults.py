"""Crash points for fault-injection tests: `PLANWATCH_CRASH_AT=<name>` (or `<name>#<n>`, the n-th time) kills
the process and its children (SIGKILL to the process group) when it reaches that checkpoint — a real crash at a
precise place, no mock. Unset, a checkpoint costs one dictionary lookup."""

from __future__ import annotations

import os
import signal

_seen: dict[str, int] = {}


def checkpoint(name: str) -> None:
    target = os.environ.get("PLANWATCH_CRASH_AT")
    if not target:
        return
    point, _, nth = target.partition("#")
    if point != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] == int(nth or 1):
        try:
            os.killpg(os.getpgrp(), signal.SIGKILL)
        finally:
            os.kill(os.getpid(), signal.SIGKILL)
