"""Messages a statistician reads: Chinese first, English beside it."""

from __future__ import annotations

import re
import sys


def bilingual(zh: str, en: str) -> str:
    return f"{zh}\n  {en}"


def say(zh: str, en: str, *, file=None) -> None:
    print(bilingual(zh, en), file=file or sys.stdout, flush=True)


def fail(zh: str, en: str) -> None:
    print(bilingual(f"错误：{zh}", f"Error: {en}"), file=sys.stderr, flush=True)


def explain(error: BaseException) -> tuple[str, str]:
    """What an error from below means for the person who ran the command, Chinese and English — for the
    situations people meet (a warehouse another process holds, a damaged or missing file, a full disk)."""
    text = " ".join(str(error).split())
    holder = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", text)
    if "Could not set lock on file" in text:
        who = f"{holder.group(1)}，PID {holder.group(2)}" if holder else "另一个进程"
        who_en = f"{holder.group(1)}, PID {holder.group(2)}" if holder else "another process"
        return (f"数据仓库文件正被另一个进程使用（{who}）；请等它结束后再试",
                f"the warehouse file is in use by another process ({who_en}); try again when it has finished")
    if (isinstance(error, OSError) and getattr(error, "errno", None) == 28) or "No space left on device" in text:
        return ("磁盘已满，操作未完成；已发布的数据保持不变。请腾出空间后重试",
                "the disk is full and the operation did not finish; the published copy is unchanged. Free some "
                "space and try again")
    if "not a valid DuckDB database file" in text or "The file is not a valid DuckDB database" in text:
        return (f"数据仓库文件已损坏或不是 DuckDB 文件：{text[:300]}",
                f"the warehouse file is damaged or not a DuckDB file: {text[:300]}")
    if isinstance(error, FileNotFoundError):
        return (f"找不到文件：{error.filename or text}", f"file not found: {error.filename or text}")
    if isinstance(error, PermissionError):
        return (f"没有权限：{error.filename or text}", f"permission denied: {error.filename or text}")
    return (f"意外错误（{type(error).__name__}）：{text[:500]}", f"unexpected error ({type(error).__name__}): {text[:500]}")
