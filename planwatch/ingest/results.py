"""What a load tells: per file its outcome and counts, per call the summary a statistician reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from planwatch.ingest.encodings import display_name

from planwatch.ingest import rules
from planwatch.messages import bilingual


@dataclass(frozen=True)
class Sender:
    """Who sent the files of one call: the region they report for (a name or GB/T 2260 code; by default the
    landing subfolder the file is in, or the one region its rows name) and the person."""
    region: str | None = None
    person: str | None = None

    def name(self) -> str:
        if self.person:
            return self.person
        import getpass

        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"


@dataclass
class FileResult:
    path: Path
    status: str  # loaded / already_loaded / error
    load_id: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    blank_rows: int = 0
    hidden_rows: int = 0  # rows hidden in Excel (drafts): not read, reported in the notes
    sha256: str | None = None  # of the bytes read (the loader's copy)
    loaded_at: str | None = None  # ISO time of the commit (UTC)
    quarantined_by_reason: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    error_zh: str | None = None
    error_en: str | None = None
    findings: int = 0  # impossible values in its own rows: the submission is returned
    held: int = 0  # values held by a year-on-year query until the sender explains them
    region_code: str | None = None
    rows_back: list[tuple] = field(default_factory=list)  # what goes back to the sender (receipts.ROWS_SQL)

    @property
    def name(self) -> str:
        """The file name as people and tables can hold it (any bytes decoded or escaped, no control characters)."""
        return display_name(self.path.name)

    @property
    def is_returned(self) -> bool:
        return self.status == "loaded" and self.findings > 0

    @property
    def needs_sender(self) -> bool:
        """Something goes back to the sender: rows quarantined, or the whole submission returned."""
        return self.status == "error" or self.is_returned or self.rows_quarantined > 0 or self.held > 0


@dataclass
class LoadSummary:
    files: list[FileResult]
    error_lists: dict[str, Path] = field(default_factory=dict)  # file name → its 错误清单.xlsx (receipts.py)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "error"]

    @property
    def returned(self) -> list[FileResult]:
        return [f for f in self.files if f.is_returned]

    @property
    def held(self) -> list[FileResult]:
        return [f for f in self.files if f.held]

    @property
    def needs_sender(self) -> list[FileResult]:
        return [f for f in self.files if f.needs_sender]

    def render(self) -> str:
        lines = []
        for f in self.files:
            if f.status == "already_loaded":
                lines.append(bilingual(f"· {f.name}：已加载过，未作任何更改", f"{f.name}: already loaded, nothing added"))
            elif f.status == "error":
                lines.append(bilingual(f"✗ {f.name}：{f.error_zh}（未加载任何数据）",
                                       f"{f.name}: {f.error_en} (nothing loaded)"))
            else:
                mark = "✗" if f.is_returned else "!" if f.rows_quarantined else "✓"
                lines.append(bilingual(
                    f"{mark} {f.name}：读取 {f.rows_read} 条，加载 {f.rows_loaded} 条，重复跳过 {f.rows_duplicate} 条，"
                    f"隔离 {f.rows_quarantined} 条（批次 {f.load_id}）",
                    f"{f.name}: read {f.rows_read}, loaded {f.rows_loaded}, duplicates skipped {f.rows_duplicate}, "
                    f"quarantined {f.rows_quarantined} (load {f.load_id})"))
                for code, n in sorted(f.quarantined_by_reason.items()):
                    _, zh, en = rules.REASONS[code]
                    lines.append(f"    隔离原因 {zh}：{n} / quarantined because {en}: {n}")
                for note in f.notes:
                    lines.append(f"    {note}")
                if f.held:
                    lines.append(f"    待说明：{f.held} 个数值需要说明（与上年同期相比变化过大、状态低于已发布的数值，或与同一次报送的"
                                 f"另一个文件不一致），说明前仍发布原有数值 / held: {f.held} value(s) wait for an "
                                 f"explanation (a change beyond the year-on-year rule, a status below the released "
                                 f"one, or another file of this call disagreeing); the released value stays current "
                                 f"until then (planwatch query list)")
                if f.is_returned:
                    lines.append(f"    已退回报送单位修改：{f.findings} 处不可能的数值，本文件的数据均不发布 / returned "
                                 f"to its sender: {f.findings} impossible value(s); none of this file's values is "
                                 f"released")
        lines.append(bilingual(
            f"合计：{len(self.files)} 个文件，读取 {self.total('rows_read')} 条，加载 {self.total('rows_loaded')} 条，"
            f"重复跳过 {self.total('rows_duplicate')} 条，隔离 {self.total('rows_quarantined')} 条，"
            f"出错文件 {len(self.errors)} 个",
            f"Total: {len(self.files)} files, read {self.total('rows_read')}, loaded {self.total('rows_loaded')}, "
            f"duplicates skipped {self.total('rows_duplicate')}, quarantined {self.total('rows_quarantined')}, "
            f"files with errors {len(self.errors)}"))
        if self.returned:
            lines.append(bilingual(f"退回 {len(self.returned)} 个报送", f"{len(self.returned)} submission(s) returned"))
        return "\n".join(lines)

    def render_rows_back(self, shown: int = 20) -> str:
        """The rows going back to their senders, for the terminal (the error lists hold them all)."""
        lines = []
        for f in self.needs_sender:
            where_list = self.error_lists.get(f.name)
            lines.append(bilingual(f"退回给报送单位的内容 · {f.name}" + (f"（错误清单：{where_list}）" if where_list else ""),
                                   f"Back to the sender · {f.name}" + (f" (error list: {where_list})" if where_list else "")))
            for _file, sheet, row, column, value, action, zh, en in f.rows_back[:shown]:
                where = " · ".join(filter(None, [f"工作表 {sheet}" if sheet else None,
                                                 f"第 {row} 行" if row is not None else None,
                                                 f"列 {column}" if column else None,
                                                 f"值 {value!r}" if value is not None else None]))
                lines.append(f"    {action.split()[0]} {where}：{zh}")
                lines.append(f"      {action.split()[-1]}: {en}")
            if len(f.rows_back) > shown:
                lines.append(f"    … 另有 {len(f.rows_back) - shown} 行，见错误清单 / {len(f.rows_back) - shown} more "
                             f"rows in the error list")
        return "\n".join(lines)
