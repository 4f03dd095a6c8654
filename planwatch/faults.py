"""Crash points for fault-injection tests: `PLANWATCH_CRASH_AT=<name>` kills the process (SIGKILL) when it
reaches the checkpoint of that name — a real crash at a precise place, no mock."""

from __future__ import annotations

import os
import signal


def checkpoint(name: str) -> None:
    if os.environ.get("PLANWATCH_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
