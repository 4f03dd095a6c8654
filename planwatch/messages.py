"""Messages a statistician reads: Chinese first, English beside it."""

from __future__ import annotations

import re
import sys


class Problem(Exception):
    """Something a person must be told, in Chinese and English (a file that cannot be read, a warehouse held too
    long, a report or an account operation refused): every such error of planwatch is one of these."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def bilingual(zh: str, en: str) -> str:
    return f"{zh}\n  {en}"


def say(zh: str, en: str, *, file=None) -> None:
    print(bilingual(zh, en), file=file or sys.stdout, flush=True)


def fail(zh: str, en: str) -> None:
    print(bilingual(f"错误：{zh}", f"Error: {en}"), file=sys.stderr, flush=True)


# what DuckDB says when the working file is not a database any more (truncated, overwritten, bad blocks)
DAMAGED = ("not a valid DuckDB database file", "The file is not a valid DuckDB database", "Corrupt database file",
           "block checksum", "Failed to read database header", "database file is corrupted", "checksum mismatch",
           "INTERNAL Error: Could not read enough bytes", "Serialization Error")


def explain(error: BaseException) -> tuple[str, str]:
    """What an error from below means for the person who ran the command, Chinese and English — for the
    situations people meet (a warehouse another process holds, a damaged or missing file, a full disk)."""
    if isinstance(error, Problem):  # our own errors carry their message
        return error.zh, error.en
    text = " ".join(str(error).split())
    holder = re.search(r"Conflicting lock is held in (.+?) \(PID (\d+)\)", text)
    if "Could not set lock on file" in text:
        who = f"{holder.group(1)}，PID {holder.group(2)}" if holder else "另一个进程"
        who_en = f"{holder.group(1)}, PID {holder.group(2)}" if holder else "another process"
        return (f"数据仓库文件正被另一个进程使用（{who}）；请等它结束后再试",
                f"the warehouse file is in use by another process ({who_en}); try again when it has finished")
    if (isinstance(error, OSError) and getattr(error, "errno", None) in (27, 28, 122)) \
            or "No space left on device" in text or "File too large" in text:
        return ("磁盘已满，操作未完成；已发布的数据保持不变。请腾出空间后重试",
                "the disk is full and the operation did not finish; the published copy is unchanged. Free some "
                "space and try again")
    if any(sign in text for sign in DAMAGED):
        return (f"数据仓库工作文件已损坏（{text[:200]}）；已发布的数据不受影响。运行 planwatch recover 从最近一次发布恢复，"
                f"并重新加载此后收到的文件",
                f"the working warehouse file is damaged ({text[:200]}); the published copy is not affected. Run "
                f"planwatch recover to restore it from the last release and load again the files received since")
    if isinstance(error, FileNotFoundError):
        return (f"找不到文件：{error.filename or text}", f"file not found: {error.filename or text}")
    if isinstance(error, PermissionError):
        return (f"没有权限：{error.filename or text}", f"permission denied: {error.filename or text}")
    return (f"意外错误（{type(error).__name__}）：{text[:500]}", f"unexpected error ({type(error).__name__}): {text[:500]}")
