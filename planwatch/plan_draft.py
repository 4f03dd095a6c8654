"""`planwatch plan draft`: a plan document's text (as extracted from its PDF) → a draft plan pack and a review list.

A steward transcribing a new plan's indicator table by hand copies about a hundred cells and decides for each
whether it is a running total, a ceiling or a plain level. The draft does the copying and the deciding, and
writes down every decision it had to make, so the steward reviews a list instead of re-typing a table:

- the indicator table (a box whose header has 序号 … 属性 and year columns: 2025年 … 2030年) becomes
  `plan_table_rows` (one row per printed row) and `plan_zl2_cells` (one row per printed cell, baseline column
  included), read in whatever order the header gives its columns;
- the previous plan's results table (a box whose header has 目标值 and 完成值) becomes `plan_zl1_results`;
- every sentence of the text with a quantified target (达到 96% 以上, 新增 20 万人, 控制在 3.0% 以内) becomes a
  `plan_text_targets` row with its sentence, for the steward to keep, link to an indicator or drop;
- `plan_indicators` proposes a registry row for every table row (the registry's own values where the printed
  name is known, inferred ones where it is new), `indicator_crosswalk` says how each relates to the previous
  plan (same, renamed, new), and `plan_periods` holds the plan's title and period as printed;
- `REVIEW.md` lists every cell that could not be read and every reading that is an
  interpretation (a margin note taken as the responsible unit, 左右 or a range read against the indicator's
  direction, a name matched to a registry indicator by similarity, a new indicator's proposed code).

The columns are those of the pack's seeds (seeds/_seeds.yml), so the corrected draft is committed as it is and
the seeds-against-document tests guard it from then on. Nothing here imports the warehouse: it reads text and
CSV files and writes CSV files.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from planwatch.messages import Problem
from planwatch.plan_pack import KINDS, indicator_registry, plan_folders, seed_rows, write_seed_properties

PAGE_NUMBER = re.compile(r"^-\s*\d+\s*-$")
# a section's margin note (养老科, 仲裁院): a short name ending like a unit of the bureau, printed at a line start
# before a row number or a heading, or on a line of its own
MARGIN_NOTE = re.compile(r"^(?P<note>[\u4e00-\u9fff]{1,4}(?:科|处|院|室|中心|办))(?=$|\s|\d|[一二三四五六七八九十]+、)")
HEADING = re.compile(r"[一二三四五六七八九十]+、[^\s\d]+")
# units as printed, longest first (a unit is the end of the label when the unit column follows the name)
UNITS = ("万人次", "万人", "人次", "万元", "亿元", "万户", "万个", "万套", "万平方米", "平方米", "小时", "人", "%", "‰",
         "::", "元", "个", "家", "所", "件", "户", "项", "次", "岁", "年", "天", "套", "场", "期", "座")
MULTIPLIER = {"万": 10_000, "亿": 100_000_000}
NUMBER = r"\d+(?:\.\d+)?"
# one printed cell: [8.0], >60, 3.0以内, 95%以上, 5.5左右, 3-5, 8:40:52, —— (no value), or a plain number
CELL = (rf"\[\s*{NUMBER}\s*\]|[>≥<≤]\s*{NUMBER}\s*%?|{NUMBER}\s*%?\s*(?:以内|以上|以下|左右)"
        rf"|{NUMBER}\s*%?\s*[-~～—至]\s*{NUMBER}\s*%?|{NUMBER}(?::{NUMBER})+|{NUMBER}\s*%?|——|—|/")
COMPLETION = r"\d+(?:\.\d+)?\s*%|——|—|[\u4e00-\u9fff][\u4e00-\u9fff\s]*?"
ATTRIBUTE = r"预期性|约束性"
HEADER_TOKEN = re.compile(r"序号|指标名称|指标|单位|(?P<year>\d{4})年(?:目标值|目标|基期值|基期|基数|预期值|值)?"
                          r"|目标值|完成值|实际值|完成率|完成情况|属性")
FIVE_YEAR_PLAN = re.compile(r"“?十([一二三四五六七八九])五”?")
CHINESE_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


@dataclass
class ReviewItem:
    where: str
    issue: str
    reading: str
    line: int | None = None

    def row(self) -> dict:
        return {"where": self.where, "line": self.line or "", "issue": self.issue, "reading": self.reading}


@dataclass
class Column:
    kind: str  # no, label, unit, cell, target, actual, completion, completion_rate, attribute
    year: int | None = None


@dataclass
class Table:
    box: str  # 专栏2
    title: str
    first_line: int  # 1-based line number of the title in the document
    columns: list[Column]
    body: str  # the rows joined with spaces, headings and margin notes blanked (offsets kept)
    headings: list[tuple[int, str]]  # (offset in body, heading text)
    notes: list[tuple[int, str, bool]]  # (offset in body, note, printed before a row number on its line)
    line_at: list[tuple[int, int]]  # (offset in body, document line number)

    @property
    def years(self) -> list[int]:
        return [c.year for c in self.columns if c.kind == "cell"]

    @property
    def is_results(self) -> bool:
        return any(c.kind == "target" for c in self.columns)

    def line_of(self, offset: int) -> int:
        line = self.line_at[0][1]
        for start, number in self.line_at:
            if start > offset:
                break
            line = number
        return line


@dataclass
class Draft:
    plan_code: str
    periods: list[dict] = field(default_factory=list)
    table_rows: list[dict] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    crosswalk: list[dict] = field(default_factory=list)
    text_targets: list[dict] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)

    def note(self, where: str, issue: str, reading: str, line: int | None = None) -> None:
        self.review.append(ReviewItem(where, issue, reading, line))


# ---------------------------------------------------------------------------------------------- registry
@dataclass
class Registry:
    """What the pack already knows about indicators: the registry's names, the aliases, every printed name."""

    indicators: dict[str, dict]
    names: dict[str, str]  # compact printed name → indicator_code

    plans: dict[str, dict] = field(default_factory=dict)  # plan_code → plan_periods row
    plans_with_tables: set[str] = field(default_factory=set)  # plans whose own indicator table is in the pack
    table_codes: dict[str, list[str]] = field(default_factory=dict)  # plan_code → its table rows' indicators
    table_names: dict[tuple[str, str], str] = field(default_factory=dict)  # (plan, indicator) → printed name

    @classmethod
    def from_pack(cls, seeds: Path | None, without: str | None = None) -> "Registry":
        """What the pack knows, but the plan folder `without` (the folder being drafted again)."""
        if seeds is None or not plan_folders(seeds):
            return cls({}, {})

        def rows(kind: str) -> list[dict]:
            return seed_rows(seeds, kind, without)

        table_rows = rows("plan_table_rows")
        cells = rows("plan_zl2_cells")
        plans = {r["plan_code"]: r for r in rows("plan_periods")}
        indicators = indicator_registry(seeds, without)  # the latest plan's row of each indicator
        names = {}
        for r in table_rows:
            names[_compact(r["name_printed"])] = r["indicator_code"]
        for r in seed_rows(seeds, "indicator_aliases"):
            names[_compact(r["alias_zh"])] = r["indicator_code"]
        for code, r in indicators.items():
            names[_compact(r["name_zh"])] = code
        table_codes: dict[str, list[str]] = {}
        for r in table_rows:
            codes = table_codes.setdefault(r["plan_code"], [])
            if r["indicator_code"] not in codes:
                codes.append(r["indicator_code"])
        table_names = {(r["plan_code"], r["indicator_code"]): r["name_printed"] for r in table_rows}
        return cls(indicators, names, plans, {c["plan_code"] for c in cells}, table_codes, table_names)

    def previous_plan(self, start_year: int) -> dict | None:
        """The latest plan of the pack that ends before a plan starting in start_year."""
        earlier = [p for p in self.plans.values() if int(p["end_year"]) < start_year]
        return max(earlier, key=lambda p: int(p["end_year"])) if earlier else None

    def match(self, name: str, unit: str) -> tuple[str | None, float]:
        """The indicator a printed name is: exactly a known name (1.0), or the most similar known name of the
        same unit when similar enough (a renamed indicator), or none."""
        key = _compact(name)
        if key in self.names:
            return self.names[key], 1.0
        best, score = None, 0.0
        for known, code in self.names.items():
            if self.indicators.get(code, {}).get("unit", unit) != unit:
                continue
            ratio = difflib.SequenceMatcher(None, key, known).ratio()
            if ratio > score:
                best, score = code, ratio
        return (best, score) if score >= 0.6 else (None, score)


# ---------------------------------------------------------------------------------------------- reading
def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_lines(path: Path) -> list[str]:
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise Problem(f"找不到规划文本文件 {path}", f"plan document {path} not found") from None
    try:
        return raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as error:
        raise Problem(f"规划文本 {path} 不是 UTF-8 编码（第 {error.start} 字节）",
                      f"plan document {path} is not UTF-8 text (byte {error.start})") from None


def normalized_text(lines: list[str]) -> str:
    """Lines stripped and joined with nothing between them, page numbers dropped: the PDF's line breaks fall
    inside words, so this is the text a sentence is quoted from (the seeds' source_phrase)."""
    return "".join(s for s in (line.strip() for line in lines) if s and not PAGE_NUMBER.match(s))


def _header_columns(header: str) -> list[Column]:
    columns = []
    for m in HEADER_TOKEN.finditer(_compact(header)):
        token = m.group(0)
        if m.group("year"):
            columns.append(Column("cell", int(m.group("year"))))
        else:
            columns.append(Column({"序号": "no", "指标": "label", "指标名称": "label", "单位": "unit", "目标值": "target",
                                   "完成值": "actual", "实际值": "actual", "完成率": "completion",
                                   "完成情况": "completion", "属性": "attribute"}[token]))
    return columns


def find_tables(lines: list[str]) -> list[Table]:
    """Every box (专栏 N) whose header row starts with 序号 and has a 属性 or year column: the indicator tables.
    A table runs from its header to its note (注：…), the next chapter or section heading, or the next box."""
    tables = []
    stripped = [line.strip() for line in lines]
    i = 0
    while i < len(stripped):
        title = stripped[i]
        m = re.match(r"^专栏\s*(\d+)", title)
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(stripped) and not stripped[j]:
            j += 1
        if j >= len(stripped) or not stripped[j].startswith("序号"):
            i += 1
            continue
        # the header may wrap: take lines until the first row number or section heading
        header, k = stripped[j], j + 1
        while k < len(stripped) and stripped[k] and not re.match(r"^(\d{1,2}\s|[一二三四五六七八九十]+、)", stripped[k]):
            header += stripped[k]
            k += 1
        columns = _header_columns(header)
        if not any(c.kind in ("cell", "target") for c in columns) or not any(c.kind == "label" for c in columns):
            i += 1
            continue
        body, headings, notes, line_at = "", [], [], []
        end = k
        while end < len(stripped):
            line = stripped[end]
            if (line.startswith("注") or re.match(r"^第[一二三四五六七八九十]+[章节]", line)
                    or re.match(r"^专栏\s*\d+", line)):
                break
            end += 1
            if not line or PAGE_NUMBER.match(line) or re.match(r"^(序号|续表)", line):
                continue  # a page number, or the header repeated where the table continues on the next page
            note = MARGIN_NOTE.match(line)
            if note and not re.match(rf"^{note.group('note')}\S*\s+{CELL}", line):
                before_row = bool(re.match(r"\d", line[note.end():]))
                notes.append((len(body) + 1, note.group("note"), before_row))
                line = " " * note.end() + line[note.end():]
            offset = len(body) + 1
            line_at.append((offset, end))  # `end` was advanced: it is this line's 1-based number
            for h in HEADING.finditer(line):
                headings.append((offset + h.start(), h.group(0).split("、", 1)[1]))
            line = HEADING.sub(lambda h: " " * len(h.group(0)), line)
            body += " " + line
        tables.append(Table(f"专栏{m.group(1)}", re.sub(r"^专栏\s*\d+\s*", "", title), i + 1, columns, body,
                            headings, notes, line_at))
        i = end
    return tables


def _unit_pattern() -> str:
    return "|".join(r"\s*".join(re.escape(ch) for ch in unit) for unit in UNITS)


def _row_pattern(columns: list[Column]) -> re.Pattern:
    parts = []
    for n, column in enumerate(columns):
        if column.kind == "no":
            parts.append(r"(?P<no>\d{1,2})")
        elif column.kind == "label":
            # the unit column right after the name is read off the end of the name (PDF text runs them together)
            # never across an attribute (预期性/约束性): a row that cannot be read must not swallow the next
            parts.append(rf"(?P<label>(?:(?!{ATTRIBUTE})\S)(?:(?!{ATTRIBUTE}).)*?)")
        elif column.kind == "unit":
            if n and columns[n - 1].kind == "label":
                continue
            parts.append(rf"(?P<unit>{_unit_pattern()})")
        elif column.kind == "cell":
            parts.append(rf"(?P<c{column.year}>{CELL})")
        elif column.kind in ("target", "actual"):
            parts.append(rf"(?P<{column.kind}>{CELL})")
        elif column.kind == "completion":
            parts.append(rf"(?P<completion>{COMPLETION})")
        elif column.kind == "attribute":
            parts.append(rf"(?P<attribute>{ATTRIBUTE})")
    return re.compile(r"(?<!\S)" + r"\s+".join(parts) + r"(?!\S)")


def _split_unit(label: str) -> tuple[str, str]:
    compact = _compact(label)
    for unit in UNITS:
        if compact.endswith(unit) and len(compact) > len(unit):
            return compact[: -len(unit)], unit
    return compact, ""


def parse_number(text: str) -> tuple[float | None, float | None, str | None, str | None, bool]:
    """A printed cell → (value, upper end of a range, printed comparator, its qualifier, bracketed).

    `[8.0]` → (8.0, None, None, None, True); `3.0以内` → (3.0, None, '<=', '以内', False); `>60` → (60, …, '>');
    `95%以上` → (95, None, '>=', '以上'); `5.5左右` → (5.5, None, None, '左右'); `3-5` → (3, 5, None, 'range')."""
    t = _compact(text)
    bracketed = t.startswith("[") and t.endswith("]")
    t = t.strip("[]")
    comparator = qualifier = None
    for sign, op in ((">", ">"), ("≥", ">="), ("<", "<"), ("≤", "<=")):
        if t.startswith(sign):
            comparator, qualifier, t = op, sign, t[1:]
    for word, op in (("以内", "<="), ("以下", "<="), ("以上", ">="), ("左右", None)):
        if t.endswith(word):
            comparator, qualifier, t = op, word, t[: -len(word)]
    t = t.rstrip("%")
    m = re.fullmatch(rf"({NUMBER})%?[-~～—至]({NUMBER})", t)
    if m:
        return float(m.group(1)), float(m.group(2)), None, "range", bracketed
    if re.fullmatch(NUMBER, t):
        return float(t), None, comparator, qualifier, bracketed
    return None, None, comparator, qualifier, bracketed


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and "e" not in repr(value) else repr(value)


def _multiplier(unit: str) -> int:
    return MULTIPLIER.get(unit[:1], 1) if len(unit) > 1 else 1


def _base_unit(unit: str) -> str:
    return unit[1:] if _multiplier(unit) > 1 else unit


# ---------------------------------------------------------------------------------------------- the plan
def plan_period(lines: list[str], text: str) -> tuple[int, int, str, str] | None:
    """(start, end, label, evidence): 规划期限为 2026-2030 年, else the title's 十N五 (the 6th plan onwards ran
    1981–1985, …, so the Nth starts in 1981 + 5 × (N − 6))."""
    m = re.search(r"规划期(?:限)?为\s*(\d{4})\s*[-—–~至到]\s*(\d{4})\s*年", text)
    label = None
    title = plan_title(lines)
    t = FIVE_YEAR_PLAN.search(title) or FIVE_YEAR_PLAN.search(text)
    if t:
        label = f"十{t.group(1)}五"
    if m:
        return int(m.group(1)), int(m.group(2)), label or "", f"规划正文: {m.group(0)}"
    if t:
        n = 10 + CHINESE_DIGITS[t.group(1)]
        start = 1981 + 5 * (n - 6)
        return start, start + 4, label, f"标题: {t.group(0)}"
    return None


def plan_title(lines: list[str]) -> str:
    """The title: the first lines up to the first blank one (a long title wraps), up to its 规划."""
    title = ""
    for line in lines:
        if line.strip():
            title += line.strip()
        elif title:
            break
        if len(title) > 80:
            break
    if "规划" not in title:
        return title
    m = re.match(r"(.*?规划(?:（[^）]*）)?)", title)
    return m.group(1)


def _printed(cell_text: str, value: float | None) -> str:
    """The value as printed (`8.0`, not 8): the seeds keep the printed digits."""
    for number in re.findall(NUMBER, cell_text):
        if value is not None and float(number) == value:
            return number
    return _fmt(value)


def _direction(cells: list[tuple[str, float | None, str | None, str | None]]) -> str | None:
    ops = {c[2] for c in cells if c[2]}
    if ops & {"<=", "<"}:
        return "lower_is_better"
    if ops & {">=", ">"}:
        return "higher_is_better"
    return None


def draft_document(document: Path, *, plan_code: str, registry: Registry, region_code: str | None = None,
                   previous_plan_code: str | None = None, name_en: str = "", is_example: bool = False) -> Draft:
    """Read the document; the pack's registry names the indicators it already knows, and its plans give the
    previous plan and the region when they are not given."""
    lines = read_lines(document)
    text = normalized_text(lines)
    out = Draft(plan_code)
    period = plan_period(lines, text)
    if period is None:
        raise Problem(f"{document}：找不到规划期（“规划期限为 …”或标题中的“十N五”）",
                      f"{document}: no plan period found (规划期限为 … or 十N五 in the title)")
    start, end, label, evidence = period
    title = plan_title(lines)
    previous = registry.plans.get(previous_plan_code) if previous_plan_code else registry.previous_plan(start)
    if previous_plan_code is None and previous:
        previous_plan_code = previous["plan_code"]
        out.note("plan_periods", f"上一规划 / previous plan: {previous_plan_code}",
                 "taken from the pack (the latest plan that ends before this one starts)")
    if region_code is None:
        if not previous:
            raise Problem(f"{document}：请用 --region 指定规划的地区代码（计划包中没有更早的规划可参照）",
                          f"{document}: give the plan's region code with --region (no earlier plan in the pack)")
        region_code = previous["region_code"]
    if is_example and "示例" not in title:
        title += "（示例）"
    out.periods.append({"plan_code": plan_code, "region_code": region_code, "name_zh": title, "name_en": name_en,
                        "period_label_zh": label, "start_year": start, "end_year": end, "source_ref": evidence,
                        "status": "current", "is_example": str(is_example).lower()})
    out.note("plan_periods", "状态 / status: current",
             "the new plan is in force: set the previous plan's status to evaluating (or history) in its folder")
    if not name_en:
        out.note("plan_periods", "英文名称未印 / no English title printed", "name_en left empty: write it")
    tables = find_tables(lines)
    target_tables = [t for t in tables if not t.is_results]
    if not target_tables:
        raise Problem(f"{document}：找不到指标表（表头为“序号 … 属性”且有年份列的专栏）",
                      f"{document}: no indicator table found (a box whose header is 序号 … 属性 with year columns)")
    for table in tables:
        if table.is_results:
            _read_results(table, out, registry, previous_plan_code or "")
        else:
            _read_targets(table, out, registry, start, end, previous_plan_code)
    _read_text_targets(text, out, registry, start, end)
    if previous_plan_code:
        drafted = {c["indicator_code"] for c in out.crosswalk}
        for row in (r for r in registry.table_codes.get(previous_plan_code, []) if r not in drafted):
            out.crosswalk.append({"plan_code": plan_code, "indicator_code": row,
                                  "previous_plan_code": previous_plan_code, "previous_indicator_code": row,
                                  "relation": "discontinued", "note": "not in this plan's table"})
    return out



def _matches(table: Table, out: Draft) -> list[tuple[int, re.Match]]:
    pattern = _row_pattern(table.columns)
    found = [(int(m.group("no")), m) for m in pattern.finditer(table.body)]
    numbers = [n for n, _ in found]
    expected = list(range(1, (max(numbers) if numbers else 0) + 1))
    for missing in sorted(set(expected) - set(numbers)):
        out.note(f"{table.box} 第{missing}行", "未能读出 / could not be read",
                 "the row is not in the draft: transcribe it by hand", table.first_line)
    return found


def _heading_at(table: Table, offset: int) -> str:
    heading = ""
    for at, name in table.headings:
        if at <= offset:
            heading = name
    return heading


def _notes_by_row(table: Table, found: list[tuple[int, re.Match]], out: Draft) -> dict[int, tuple[str, str]]:
    assigned = {}
    for offset, note, before_row in table.notes:
        if before_row:
            row = next((n for n, m in found if m.start("no") >= offset), None)
            evidence = f"margin note {note} printed on the line of row number {row}"
        else:
            row = next((n for n, m in reversed(found) if m.start() < offset), None)
            evidence = f"margin note {note} printed right after row {row}"
        if row is None:
            continue
        assigned[row] = (note, evidence)
        out.note(f"{table.box} 第{row}行", f"页边批注“{note}” / margin note {note}",
                 f"read as the row's responsible unit ({evidence}); delete it if it is not", table.line_of(offset))
    return assigned


def _indicator(out: Draft, registry: Registry, where: str, line: int, name: str, unit: str,
               previous_plan_code: str | None, row_no: int, taken: set[str]) -> tuple[str, str, str]:
    """(indicator_code, its relation to the previous plan's table: same, renamed or new, the previous name). A
    code another row of the table is (by its exact name, or an earlier row's) cannot be this row's by similarity:
    the similar name is then a new indicator (城镇调查失业率 beside 城镇登记失业率)."""
    code, score = registry.match(name, unit)
    if score < 1.0 and code in taken:
        code, score = None, 0.0
    if code and score < 1.0:
        known = registry.indicators.get(code, {}).get("name_zh", code)
        out.note(where, f"名称与已登记指标“{known}”相近（相似度 {score:.2f}）/ name close to registered {code}",
                 f"read as {code}, renamed; give it a new code if it is a different indicator", line)
    if not code:
        code = f"{out.plan_code}_R{row_no:02d}"
        out.note(where, "新指标 / new indicator", f"proposed code {code}: give it a stable code and an English "
                 "name; check direction, value type and additivity", line)
        return code, "new", ""
    before = registry.table_names.get((previous_plan_code or "", code))
    if before is None:
        return code, "new", ""
    return code, ("same" if _compact(before) == _compact(name) else "renamed"), before


def _label_and_unit(m: re.Match) -> tuple[str, str]:
    if "unit" in m.groupdict() and m.group("unit"):
        return _compact(m.group("label")), _compact(m.group("unit"))
    return _split_unit(m.group("label"))


def _read_targets(table: Table, out: Draft, registry: Registry, start: int, end: int,
                  previous_plan_code: str | None) -> None:
    found = _matches(table, out)
    notes = _notes_by_row(table, found, out)
    years = table.years
    baseline_year = start - 1
    if baseline_year not in years:
        out.note(table.box, f"无 {baseline_year} 年基期列 / no {baseline_year} baseline column",
                 f"columns {years}: the earliest is read as the baseline" if years else "no year columns",
                 table.first_line)
        baseline_year = min(years) if years else baseline_year
    if years and set(years) - {baseline_year} == {end}:
        out.note(table.box, "只有期末目标 / targets for the final year only",
                 f"{end} targets only; years in between have none (progress is judged on the final target)",
                 table.first_line)
    exact = {registry.names.get(_compact(_label_and_unit(m)[0])) for _, m in found} - {None}
    for no, m in found:
        line = table.line_of(m.start())
        where = f"{table.box} 第{no}行"
        name, unit = _label_and_unit(m)
        if not unit:
            out.note(where, f"读不出单位 / no unit read from {name!r}", "unit left empty: write it", line)
        code, relation, before = _indicator(out, registry, where, line, name, unit, previous_plan_code, no,
                                            taken=exact | {r["indicator_code"] for r in out.table_rows
                                                           if r["plan_code"] == out.plan_code})
        known = registry.indicators.get(code, {})
        printed = []
        for year in years:
            cell_text = m.group(f"c{year}").strip()
            value, high, comparator, qualifier, bracketed = parse_number(cell_text)
            printed.append((cell_text, value, high, comparator, qualifier, bracketed, year))
        targets = [p for p in printed if p[6] != baseline_year]
        direction = known.get("direction") or _direction([(p[0], p[1], p[3], p[4]) for p in targets])
        if not direction:
            direction = "higher_is_better"
            out.note(where, "方向未知 / direction unknown",
                     "higher_is_better assumed (no 以内, 以上 or > printed): check it", line)
        is_cumulative = any(p[5] for p in targets)
        if unit == "::":
            kind = "ratio"
        elif is_cumulative:
            kind = "cumulative"
        elif any(p[3] in ("<=", "<") and p[4] for p in targets):
            kind = "ceiling"
        elif any(p[3] in (">", ">=") and p[4] for p in targets):
            kind = "floor"
        else:
            kind = "level"
        attribute = m.group("attribute")
        note, evidence = notes.get(no, ("", ""))
        out.table_rows.append({"plan_code": out.plan_code, "source_table": table.box, "row_no": no,
                               "indicator_code": code, "name_printed": name, "unit_printed": unit,
                               "attribute": attribute, "target_kind": kind, "responsible_unit": note,
                               "responsible_unit_evidence": evidence})
        if all(r["indicator_code"] != code for r in out.indicators):
            out.indicators.append(_registry_row(known, code, name, unit, direction, kind, attribute, note,
                                                f"{table.box} 第{no}行", out.plan_code,
                                                _heading_at(table, m.start())))
        if previous_plan_code:
            out.crosswalk.append({"plan_code": out.plan_code, "indicator_code": code,
                                  "previous_plan_code": previous_plan_code,
                                  "previous_indicator_code": "" if relation == "new" else code, "relation": relation,
                                  "note": f"{table.box} 第{no}行" + (f"（{before} → {name}）" if relation == "renamed"
                                                                    else "")})
        for cell_text, value, high, comparator, qualifier, bracketed, year in printed:
            cell_where = f"{where} {year}"
            is_baseline = year == baseline_year
            if value is None:
                out.note(cell_where, f"读不出数值 / no number in {cell_text!r}", "value left empty", line)
            if qualifier == "左右":
                out.note(cell_where, f"“左右” / about: {cell_text}",
                         f"read as {'>=' if direction == 'higher_is_better' else '<='} {_fmt(value)} "
                         f"(the indicator's direction)", line)
            if qualifier == "range":
                if direction == "lower_is_better":
                    value = high
                out.note(cell_where, f"区间 / range {cell_text}",
                         f"read as {'>=' if direction == 'higher_is_better' else '<='} {_fmt(value)} "
                         f"(the end the indicator's direction makes the target)", line)
            if is_baseline:
                op, source = "=", "baseline"
            elif comparator:
                op, source = comparator, "printed"
            else:
                op, source = (">=" if direction == "higher_is_better" else "<="), "implied_by_direction"
            if is_baseline:
                cumulative = bracketed if is_cumulative else False
                from_year, basis = (start - 5, "bracketed") if cumulative else ("", "")
            elif is_cumulative:
                cumulative, from_year = True, start
                if bracketed:
                    basis = "bracketed"
                elif year == start:
                    basis = "first_plan_year"
                else:
                    basis = "unbracketed_running_total"
                    out.note(cell_where, f"累计行中无方括号 / printed without [ ] in a cumulative row: {cell_text}",
                             "read as a running total since the first plan year", line)
            else:
                cumulative, from_year, basis = False, "", ""
            out.cells.append({"plan_code": out.plan_code, "indicator_code": code, "row_no": no, "year": year,
                              "cell_text": cell_text, "value": _printed(cell_text, value), "comparator": op,
                              "comparator_source": source, "is_cumulative": str(cumulative).lower(),
                              "cumulative_from_year": from_year, "is_bracketed": str(bracketed).lower(),
                              "cumulative_basis": basis, "is_baseline": str(is_baseline).lower()})


def _registry_row(known: dict, code: str, name: str, unit: str, direction: str, kind: str, attribute: str,
                  responsible_unit: str, source_ref: str, plan_code: str, category: str) -> dict:
    value_type = "ratio" if unit == "::" else ("rate" if unit in ("%", "‰") else "count")
    return {"indicator_code": code, "name_zh": name, "name_en": known.get("name_en", ""),
            "category": category or known.get("category", ""), "unit": unit,
            "unit_multiplier": _multiplier(unit), "base_unit": _base_unit(unit),
            "value_type": known.get("value_type", value_type),
            "is_additive": known.get("is_additive", str(value_type == "count").lower()),
            "direction": direction, "target_kind": kind, "attribute": attribute,
            "responsible_unit": responsible_unit, "source_ref": source_ref, "plan_code": plan_code}


def _read_results(table: Table, out: Draft, registry: Registry, previous_plan_code: str) -> None:
    if not previous_plan_code:
        out.note(table.box, "上一规划未指定 / previous plan not given",
                 "the results table is read with an empty plan_code: pass --previous", table.first_line)
    elif previous_plan_code in registry.plans_with_tables:
        out.note(table.box, f"{previous_plan_code} 的指标表已在计划包中 / {previous_plan_code}'s own table is in the pack",
                 "its results are drafted for comparison with the warehouse's final evaluation; its table rows are "
                 "not drafted again", table.first_line)
    for no, m in _matches(table, out):
        line = table.line_of(m.start())
        where = f"{table.box} 第{no}行"
        name, unit = _label_and_unit(m)
        code, score = registry.match(name, unit)
        if score < 1.0:
            out.note(where, f"指标未登记 / not a registered name: {name}",
                     f"read as {code}, check it" if code else "indicator_code left empty: link it", line)
        target_text, actual_text = m.group("target").strip(), m.group("actual").strip()
        completion = _compact(m.group("completion"))
        target, _, comparator, _, bracketed = parse_number(target_text)
        actual, *_ = parse_number(actual_text)
        rate = re.fullmatch(rf"({NUMBER})%", completion)
        if unit == "::":
            target, comparator = None, "="
        kind = ("ratio" if unit == "::" else "cumulative" if bracketed else "ceiling" if comparator in ("<=", "<")
                else "floor" if comparator in (">", ">=") and not re.fullmatch(NUMBER, _compact(target_text))
                else "level")
        # where the previous plan's own table is in the pack, its rows, attributes and kinds come from there
        if previous_plan_code not in registry.plans_with_tables:
            out.table_rows.append({"plan_code": previous_plan_code, "source_table": table.box, "row_no": no,
                                   "indicator_code": code or "", "name_printed": name, "unit_printed": unit,
                                   "attribute": m.group("attribute"), "target_kind": kind, "responsible_unit": "",
                                   "responsible_unit_evidence": ""})
        out.results.append({"plan_code": previous_plan_code, "row_no": no, "indicator_code": code or "",
                            "name_printed": name, "unit_printed": unit, "target_text": target_text,
                            "target_value": _printed(target_text, target), "target_comparator": comparator or ">=",
                            "actual_text": actual_text, "actual_value": _printed(actual_text, actual) if unit != "::" else "",
                            "completion_text": completion, "completion_rate_pct": rate.group(1) if rate else "",
                            "attribute": m.group("attribute"), "is_cumulative": str(bracketed).lower()})


# ---------------------------------------------------------------------------------------------- text
QUALIFIERS = ("不少于", "不低于", "不超过", "控制在", "保持在", "稳定在", "提高到", "提升至", "扩大至", "达到", "超过",
              "以上", "以内", "以下", "左右", "至少", "力争", "累计", "新增", "实现", "建成", "培训", "开展")
TEXT_UNITS = ("万人次", "万人", "人次", "万元", "亿元", "万户", "个百分点", "%", "分钟", "亩", "人", "个", "家", "所",
              "项", "场", "期", "次", "户", "名", "条", "座", "间", "大", "年")
QUANTITY = re.compile(rf"(?<![\d.:/])(?P<q>{NUMBER})\s*(?P<u>{'|'.join(map(re.escape, TEXT_UNITS))})")
SENTENCE_END = re.compile(r"[。；;！]")
SECTION = re.compile(r"第[一二三四五六七八九十]+章|第[一二三四五六七八九十]+节")
BOX = re.compile(r"专栏\s*\d+")


def _read_text_targets(text: str, out: Draft, registry: Registry, start: int, end: int) -> None:
    """Every quantity in a sentence that sets a target (a qualifier such as 达到, 以上, 新增 and a number with
    a unit), outside the indicator tables. A draft row per quantity, each listed for review: the subject and
    the indicator are the draft's guess."""
    table_spans = _table_spans(text)
    # targets are set from the plan's 主要目标 section on; what comes before it reviews the last period
    goals = re.search(r"第[一二三四五六七八九十]+节\s*(?:主要目标|发展目标)", text)
    first = goals.start() if goals else 0
    chapter = section = ""
    sections = [(m.start(), m.group(0)) for m in SECTION.finditer(text)]
    n = 0
    for sentence_match in re.finditer(r"[^。；;！]+[。；;！]?", text):
        sentence = sentence_match.group(0)
        at = sentence_match.start()
        for offset, name in sections:
            if offset > at:
                break
            if name.endswith("章"):
                chapter, section = name, ""
            else:
                section = name
        if at < first or any(a <= at < b for a, b in table_spans):
            continue
        if not any(q in sentence for q in QUALIFIERS):
            continue
        for q in QUANTITY.finditer(sentence):
            before = sentence[: q.start()]
            if re.search(r"(19|20)\d{2}\s*$", before[-6:]) or re.search(r"〔\d{4}〕$", before):
                continue
            if q.group("u") == "年" and not re.search(r"每\s*$", before):
                continue  # a number of years counts only as a frequency (每 2 年)
            quantity, unit = q.group("q"), q.group("u")
            clause = _clause(sentence, q.start(), q.end())
            n += 1
            comparator_text, comparator = _qualifier(clause)
            deadline = re.search(r"到\s*(20\d{2})\s*年", clause) or re.search(r"到\s*(20\d{2})\s*年", sentence)
            # 累计 or 期间 in the quantity's clause or before it in the sentence (“十四五”期间，实现…20 万人): a
            # total over the period for a count; for a rate, a bound that holds in each year of it
            over_period = bool(re.search(r"累计|期间|“十[一二三四五六七八九]五”时期", sentence[: q.end()]))
            is_cumulative = over_period and unit not in ("%", "个百分点")
            frequency = ("every_2_years" if re.search(r"每\s*2\s*年", clause) else "per_year"
                         if re.search(r"每年|年均", clause) else "period" if is_cumulative
                         else "each_year" if over_period else "end_of_period")
            code, score = registry.match(_subject(clause, q.start() - (len(sentence) - len(sentence.lstrip()))),
                                         unit)
            multiplier = _multiplier(unit)
            row = {"target_code": f"{out.plan_code}_T{n:03d}", "plan_code": out.plan_code,
                   "section": chapter + section, "item_no": "", "subject_zh": _subject(clause, None),
                   "subject_en": "", "indicator_code": code if score == 1.0 else "", "quantity_text": quantity,
                   "quantity": quantity, "unit": unit, "unit_multiplier": multiplier,
                   "quantity_in_base_unit": _fmt(float(quantity) * multiplier), "comparator_text": comparator_text,
                   "comparator": comparator,
                   "period_start_year": start if frequency in ("period", "each_year", "per_year", "every_2_years")
                   else (int(deadline.group(1)) if deadline else end),
                   "period_end_year": int(deadline.group(1)) if deadline else end,
                   "is_cumulative": str(is_cumulative).lower(), "frequency": frequency,
                   "target_type": "rate" if unit == "%" else "count", "ratio_of": "", "source_phrase": clause}
            out.text_targets.append(row)
            out.note(row["target_code"], f"正文目标 / text target: {clause}",
                     f"{quantity} {unit} {comparator}, {row['period_start_year']}–{row['period_end_year']}: "
                     "keep, correct its subject and indicator, or delete it")


def _table_spans(text: str) -> list[tuple[int, int]]:
    """Where the indicator tables are in the normalized text (their numbers are read as table cells)."""
    spans = []
    for m in BOX.finditer(text):
        rest = text[m.end(): m.end() + 200]
        if "序号" in rest[:80]:
            end = text.find("注：", m.end())
            nxt = SECTION.search(text, m.end())
            stop = min(x for x in (end if end > 0 else len(text), nxt.start() if nxt else len(text)))
            spans.append((m.start(), stop))
    return spans


def _clause(sentence: str, start: int, end: int) -> str:
    """The part of the sentence a quantity belongs to: from the comma before it to the comma after it; in an
    enumeration of quantities (建成 1 个基地、3 个产业园、120 个示范站) from the 、 before it to the 、 after it."""
    def numbered(at: int) -> bool:  # an enumeration item that starts with its quantity
        return bool(re.match(r"\s*\d", sentence[at + 1:]))

    lefts = [i for i, ch in enumerate(sentence[:start]) if ch in "，,：:" or (ch == "、" and numbered(i))]
    rights = [i for i, ch in enumerate(sentence) if i >= end and (ch in "，,。；;" or (ch == "、" and numbered(i)))]
    left = max(lefts) if lefts else -1
    right = min(rights) if rights else len(sentence)
    return sentence[left + 1: right].strip()


def _subject(clause: str, at: int | None) -> str:
    head = re.split(r"达到|超过|不少于|不低于|控制在|保持在|提高到|提升至|扩大至|\d", clause, maxsplit=1)[0]
    head = re.sub(r"^(到|至)\s*(20\d{2}\s*年|“十[一二三四五六七八九]五”期末)，?", "", head)
    head = re.sub(r"^(全市|力争|累计|实现|每年|年均)+", "", head)
    return head.strip(" ，,") or clause[:20]


def _qualifier(clause: str) -> tuple[str, str]:
    for word, op in (("不少于", ">="), ("不低于", ">="), ("至少", ">="), ("以上", ">="), ("超过", ">"),
                     ("不超过", "<="), ("以内", "<="), ("以下", "<="), ("控制在", "<="), ("左右", "="),
                     ("达到", ">="), ("累计", ">="), ("力争", ">=")):
        if word in clause:
            return word, op
    return "", ">="


# ---------------------------------------------------------------------------------------------- writing


def write_pack(draft: Draft, document: Path, out: Path) -> dict[str, int]:
    """The draft pack folder (planwatch/plan_pack.py's layout): one seed per kind the document prints, named
    after the folder, the document beside them with its checksum, and the review list. Returns the row count
    per seed."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind, rows in (("plan_periods", draft.periods), ("plan_indicators", draft.indicators),
                       ("plan_table_rows", draft.table_rows), ("plan_zl2_cells", draft.cells),
                       ("plan_zl1_results", draft.results), ("plan_text_targets", draft.text_targets),
                       ("indicator_crosswalk", draft.crosswalk)):
        path = out / f"{out.name}__{kind}.csv"
        if not rows and kind != "plan_periods":
            path.unlink(missing_ok=True)  # a kind the document does not print has no seed
            continue
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, KINDS[kind], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        counts[kind] = len(rows)
    (out / "document").mkdir(exist_ok=True)
    target = out / "document" / "plan.txt"
    if Path(document).resolve() != target.resolve():
        shutil.copyfile(document, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    readme = out / "document" / "README.md"
    if readme.exists():  # the steward's record of the document (source, date, corrections): only its checksum changes
        text = re.sub(r"\| sha256 \| `[0-9a-f]{64}` \|", f"| sha256 | `{digest}` |", readme.read_text(encoding="utf-8"))
        readme.write_text(text, encoding="utf-8")
    else:
        readme.write_text(
            f"# The plan document of this pack\n\n`plan.txt` — {draft.periods[0]['name_zh']}\n\n"
            f"| what | value |\n|---|---|\n| source | (write where the PDF was published and when it was received) |\n"
            f"| period | {draft.periods[0]['start_year']}–{draft.periods[0]['end_year']} |\n"
            f"| date of issue | (write the date printed on the document) |\n| sha256 | `{digest}` |\n\n"
            "The seeds beside this folder were drafted from this text by `planwatch plan draft`; REVIEW.md lists what "
            "the draft interpreted. Keep the file byte for byte as extracted.\n", encoding="utf-8")
    lines = [f"# 草稿审核清单 / Review list: {draft.plan_code}", "",
             f"{len(draft.review)} 项需要审核 / items to review. 每项：位置、问题、草稿的读法 / each: where, what, "
             "how the draft read it.", "", "| where | line | issue | reading |", "|---|---|---|---|"]
    lines += [f"| {i.where} | {i.line or ''} | {i.issue} | {i.reading} |".replace("\n", " ") for i in draft.review]
    write_seed_properties(out)  # the seeds' descriptions for dbt's docs, from the staging models' YAML
    # Markdown, not CSV: every CSV in the pack is a dbt seed
    (out / "REVIEW.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return counts
