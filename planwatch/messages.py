"""Messages a statistician reads: Chinese first, English beside it."""

from __future__ import annotations

import sys


def bilingual(zh: str, en: str) -> str:
    return f"{zh}\n  {en}"


def say(zh: str, en: str, *, file=None) -> None:
    print(bilingual(zh, en), file=file or sys.stdout, flush=True)


def fail(zh: str, en: str) -> None:
    print(bilingual(f"错误：{zh}", f"Error: {en}"), file=sys.stderr, flush=True)
