"""An independent reading of the plan document, used by the tests to check every seeded number.

Nothing here is used to build the seeds: the seeds are a transcription, this is the check. The parser
re-derives 专栏1 and 专栏2 from the extracted text with its own rules, so a mistyped seed cell and a parser
mistake would have to agree by accident to pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# the document is part of the plan pack, beside the seeds transcribed from it (seeds/plans/jm_hrss_14/document/)
DOCUMENT = REPO_ROOT / "seeds" / "plans" / "jm_hrss_14" / "document" / "plan.txt"

MARGIN_NOTES = ("养老科", "工伤科", "仲裁院")
PAGE_NUMBER = re.compile(r"^-\s*\d+\s*-$")


def document_path() -> Path:
    if not DOCUMENT.exists():
        raise FileNotFoundError(f"plan document not found at {DOCUMENT} (it belongs to the plan pack)")
    return DOCUMENT


def raw_lines() -> list[str]:
    return document_path().read_text(encoding="utf-8").splitlines()


def normalized_text() -> str:
    """Lines stripped and joined with nothing between them, page numbers removed.

    This undoes the PDF extraction's line breaks (which fall inside words and numbers' units) while keeping
    the spaces the extraction put inside lines; seed phrases are quoted from this form.
    """
    lines = [line.strip() for line in raw_lines()]
    return "".join(line for line in lines if line and not PAGE_NUMBER.match(line))


def _table_text(start_marker: str, end_marker: str) -> str:
    lines = raw_lines()
    start = next(i for i, line in enumerate(lines) if start_marker in line)
    end = next(i for i in range(start, len(lines)) if end_marker in lines[i])
    body = [line.strip() for line in lines[start + 1:end]]
    return " ".join(line for line in body if line and not PAGE_NUMBER.match(line))


@dataclass(frozen=True)
class Zl2Row:
    row_no: int
    name: str
    unit: str
    cells: tuple[str, ...]  # 2020, 2021, …, 2025 as printed
    attribute: str
    margin_note: str | None


@dataclass(frozen=True)
class Zl1Row:
    row_no: int
    name: str
    unit: str
    target: str
    actual: str
    completion: str
    attribute: str


ZL2_UNITS = ("万人次", "万人", "人次", "人", "%")  # longest first: a unit is the label's suffix
ZL1_UNITS = ("万人", "%", "::")


def _split_label(label: str, units: tuple[str, ...]) -> tuple[str, str]:
    compact = re.sub(r"\s+", "", label)
    for unit in units:
        if compact.endswith(unit):
            return compact[: -len(unit)], unit
    raise ValueError(f"no unit at the end of table label {label!r}")


def zl2_rows() -> list[Zl2Row]:
    text = _table_text("专栏 2", "注：[ ]内为累计数")
    text = text.split("属性", 1)[1]  # drop the header row
    notes: dict[int, str] = {}
    # A margin note belongs to the row it is printed at: one glued before a row number (仲裁院15) is on
    # that row's line; one on a line of its own follows the row it annotates (养老科 after row 4, 工伤科
    # after row 5) — see the raw-line pass below.
    for note in MARGIN_NOTES:
        m = re.search(rf"{note}(\d+)", text)  # glued to the row number: same line
        if m:
            notes[int(m.group(1))] = note
        text = text.replace(note, " ")
    text = re.sub(r"[一二三四五]、\S+?(?=\s|\d)", " ", text)  # section headings
    text = re.sub(r"\[\s*([^\]]*?)\s*\]", r"[\1]", text)  # `[23.76 ]` → token without inner space
    token = r"(?:\[[^\]\s]+\]|>?\d[\d.]*(?:以内)?)"
    pattern = re.compile(rf"(?P<no>\d{{1,2}})\s+(?P<label>.+?)\s+(?P<cells>(?:{token}\s+){{5}}{token})\s+(?P<attr>预期性|约束性)")
    rows = []
    for m in pattern.finditer(text):
        name, unit = _split_label(m.group("label"), ZL2_UNITS)
        rows.append(Zl2Row(int(m.group("no")), name, unit, tuple(m.group("cells").split()), m.group("attr"), None))
    # margin notes printed after a row (养老科 after row 4, 工伤科 after row 5) in the raw line order
    lines = [line.strip() for line in raw_lines()]
    last_row = None
    in_table = False
    for line in lines:
        if "专栏 2" in line:
            in_table = True
        if not in_table:
            continue
        if "注：[ ]内为累计数" in line:
            break
        m = re.match(r"^(\d{1,2}) ", line)
        if m:
            last_row = int(m.group(1))
        for note in MARGIN_NOTES:
            if line.startswith(note) and note not in notes.values() and last_row:
                notes[last_row] = note
    return [Zl2Row(r.row_no, r.name, r.unit, r.cells, r.attribute, notes.get(r.row_no)) for r in rows]


def zl1_rows() -> list[Zl1Row]:
    text = _table_text("专栏 1", "第二节 发展机遇")
    text = text.split("属性", 1)[1]
    text = re.sub(r"[一二三四五]、\S+?(?=\s|\d)", " ", text)
    target = r"\[[\d.]+\]|>?[\d.:]+(?:\s*以内)?"
    actual = r"\[[\d.]+\]|[\d.:]+"
    completion = r"[\d.]+%|——|控制在目\s*标范围内"
    pattern = re.compile(rf"(?P<no>\d{{1,2}})\s+(?P<label>.+?)\s+(?P<target>{target})\s+(?P<actual>{actual})\s+"
                         rf"(?P<completion>{completion})\s+(?P<attr>预期性|约束性)")
    rows = []
    for m in pattern.finditer(text):
        name, unit = _split_label(m.group("label"), ZL1_UNITS)
        rows.append(Zl1Row(int(m.group("no")), name, unit, m.group("target"), m.group("actual"),
                           re.sub(r"\s+", "", m.group("completion")), m.group("attr")))
    return rows


def parse_printed_number(text: str) -> tuple[float | None, str | None, bool]:
    """`[8.0]` → (8.0, None, True); `3.0以内` → (3.0, '<=', False); `>60` → (60, '>', False)."""
    t = re.sub(r"\s+", "", text)
    bracketed = t.startswith("[") and t.endswith("]")
    t = t.strip("[]")
    comparator = None
    if t.startswith(">"):
        comparator, t = ">", t[1:]
    if t.endswith("以内"):
        comparator, t = "<=", t[: -len("以内")]
    if t.endswith("%"):
        t = t[:-1]
    if not re.fullmatch(r"\d+(?:\.\d+)?", t):
        return None, comparator, bracketed
    return float(t), comparator, bracketed
