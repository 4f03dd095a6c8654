"""Every seeded number equals the plan document.

专栏1 and 专栏2 are re-derived from the document text by tests/plan_document.py and compared cell by cell;
every text target and achievement is found in the document by its phrase, with its number and unit; every
number in the target-setting chapters is either a seeded target or explicitly not one. Each comparison is a
function returning the mismatches, and the mutation tests show one changed value is reported.
"""

from __future__ import annotations

import copy
import re

import pytest

import plan_document as doc

YEARS = list(range(2020, 2026))
MULTIPLIER_BY_UNIT_PREFIX = {"万": 10000, "亿": 100000000}


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _num(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _bool(text: str) -> bool:
    return {"true": True, "false": False}[text]


def _multiplier(unit: str) -> int:
    return MULTIPLIER_BY_UNIT_PREFIX.get(unit[:1], 1) if len(unit) > 1 else 1


def test_the_document_is_the_one_the_pack_records():
    """The pack carries its document; its README records the checksum, so an edited copy is noticed."""
    import hashlib

    readme = (doc.DOCUMENT.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(doc.document_path().read_bytes()).hexdigest()
    assert f"`{digest}`" in readme
    assert doc.DOCUMENT.is_relative_to(doc.REPO_ROOT)  # a clone has only the repository


# ---------------------------------------------------------------------------------------------- 专栏2
def zl2_mismatches(seeds) -> list[str]:
    problems = []
    parsed = {r.row_no: r for r in doc.zl2_rows()}
    rows = {int(r["row_no"]): r for r in seeds["plan_table_rows"] if r["source_table"] == "专栏2"}
    cells = {(int(c["row_no"]), int(c["year"])): c for c in seeds["plan_zl2_cells"]}
    table_text = doc._table_text("专栏 2", "注：[ ]内为累计数")
    if sorted(parsed) != list(range(1, 18)):
        problems.append(f"document parse found rows {sorted(parsed)}, expected 1..17")
    if sorted(rows) != sorted(parsed):
        problems.append(f"seed rows {sorted(rows)} != document rows {sorted(parsed)}")
    if len(cells) != 17 * 6:
        problems.append(f"{len(cells)} 专栏2 cells seeded, expected 102")
    for no, printed in parsed.items():
        seed = rows.get(no)
        if seed is None:
            continue
        for field, expected in (("name_printed", printed.name), ("unit_printed", printed.unit),
                                ("attribute", printed.attribute), ("responsible_unit", printed.margin_note or "")):
            if seed[field] != expected:
                problems.append(f"专栏2 row {no} {field}: seed {seed[field]!r} != document {expected!r}")
        row_is_cumulative = any(c.startswith("[") for c in printed.cells[1:])
        for year, text in zip(YEARS, printed.cells):
            cell = cells.get((no, year))
            if cell is None:
                problems.append(f"专栏2 row {no} {year}: no seeded cell")
                continue
            where = f"专栏2 row {no} {year}"
            if _compact(cell["cell_text"]) != _compact(text):
                problems.append(f"{where}: printed text {cell['cell_text']!r} != document {text!r}")
            if cell["cell_text"] not in table_text:
                problems.append(f"{where}: {cell['cell_text']!r} is not verbatim in the document")
            value, comparator, bracketed = doc.parse_printed_number(text)
            if _num(cell["value"]) != value:
                problems.append(f"{where}: value {cell['value']} != printed {text!r}")
            if _bool(cell["is_bracketed"]) != bracketed:
                problems.append(f"{where}: is_bracketed {cell['is_bracketed']} but printed {text!r}")
            if comparator and cell["comparator"] != comparator:
                problems.append(f"{where}: comparator {cell['comparator']} but printed {text!r}")
            if _bool(cell["is_cumulative"]) != row_is_cumulative:
                problems.append(f"{where}: is_cumulative {cell['is_cumulative']} but the row "
                                f"{'has' if row_is_cumulative else 'has no'} bracketed targets")
            if _bool(cell["is_baseline"]) != (year == 2020):
                problems.append(f"{where}: is_baseline wrong")
    return problems


def test_zl2_matches_document(seeds):
    assert zl2_mismatches(seeds) == []


def test_zl2_cumulative_rows_printed_without_brackets_are_running_totals(seeds):
    # row 9 prints 12041, 17694, 23347 without brackets; they rise by the same step to [29000]
    row9 = sorted((int(c["year"]), float(c["value"])) for c in seeds["plan_zl2_cells"]
                  if c["row_no"] == "9" and c["year"] != "2020")
    steps = {round(b[1] - a[1], 4) for a, b in zip(row9, row9[1:])}
    assert steps == {5653.0}
    assert all(_bool(c["is_cumulative"]) for c in seeds["plan_zl2_cells"] if c["row_no"] == "9")


@pytest.mark.parametrize("row_no, year, field, new_value", [
    (1, 2023, "value", "12.5"),
    (2, 2025, "cell_text", "3.5以内"),
    (14, 2025, "comparator", ">="),
    (9, 2022, "is_cumulative", "false"),
])
def test_zl2_check_catches_a_single_changed_value(seeds, row_no, year, field, new_value):
    mutated = copy.deepcopy(seeds)
    cell = next(c for c in mutated["plan_zl2_cells"] if int(c["row_no"]) == row_no and int(c["year"]) == year)
    cell[field] = new_value
    problems = zl2_mismatches(mutated)
    assert problems and all(f"row {row_no} {year}" in p for p in problems), problems


# ---------------------------------------------------------------------------------------------- 专栏1
def zl1_mismatches(seeds) -> list[str]:
    problems = []
    parsed = {r.row_no: r for r in doc.zl1_rows()}
    rows = {int(r["row_no"]): r for r in seeds["plan_zl1_results"]}
    if sorted(parsed) != list(range(1, 15)):
        problems.append(f"document parse found rows {sorted(parsed)}, expected 1..14")
    if sorted(rows) != sorted(parsed):
        problems.append(f"seed rows {sorted(rows)} != document rows {sorted(parsed)}")
    for no, printed in parsed.items():
        seed = rows.get(no)
        if seed is None:
            continue
        where = f"专栏1 row {no}"
        for field, expected in (("name_printed", printed.name), ("unit_printed", printed.unit),
                                ("target_text", printed.target), ("actual_text", printed.actual),
                                ("completion_text", printed.completion), ("attribute", printed.attribute)):
            if seed[field] != expected:
                problems.append(f"{where} {field}: seed {seed[field]!r} != document {expected!r}")
        for field, text in (("target_value", printed.target), ("actual_value", printed.actual),
                            ("completion_rate_pct", printed.completion)):
            value, comparator, bracketed = doc.parse_printed_number(text)
            if _num(seed[field]) != value:
                problems.append(f"{where} {field}: {seed[field]!r} != printed {text!r}")
            if field == "target_value":
                if comparator and seed["target_comparator"] != comparator:
                    problems.append(f"{where}: comparator {seed['target_comparator']} but printed {text!r}")
                if _bool(seed["is_cumulative"]) != bracketed:
                    problems.append(f"{where}: is_cumulative {seed['is_cumulative']} but printed {text!r}")
    return problems


def test_zl1_matches_document(seeds):
    assert zl1_mismatches(seeds) == []


@pytest.mark.parametrize("row_no, field, new_value", [
    (9, "actual_value", "14.29"),
    (11, "target_text", ">70"),
    (7, "completion_text", "100%"),
])
def test_zl1_check_catches_a_single_changed_value(seeds, row_no, field, new_value):
    mutated = copy.deepcopy(seeds)
    next(r for r in mutated["plan_zl1_results"] if int(r["row_no"]) == row_no)[field] = new_value
    problems = zl1_mismatches(mutated)
    assert problems and all(f"专栏1 row {row_no}" in p for p in problems), problems


# ---------------------------------------------------------------------------------------------- registry
def test_registry_covers_every_table_row(seeds):
    registry = {r["indicator_code"]: r for r in seeds["plan_indicators"]}
    rows = seeds["plan_table_rows"]
    assert sum(r["source_table"] == "专栏2" for r in rows) == 17
    assert sum(r["source_table"] == "专栏1" for r in rows) == 14
    for row in rows:
        indicator = registry[row["indicator_code"]]
        assert indicator["unit_multiplier"] == str(_multiplier(indicator["unit"])), indicator
    # the registry's name and attribute are the latest plan's
    for row in (r for r in rows if r["source_table"] == "专栏2"):
        indicator = registry[row["indicator_code"]]
        assert (indicator["name_zh"], indicator["attribute"], indicator["unit"]) == (
            row["name_printed"], row["attribute"], row["unit_printed"])
    for code, indicator in registry.items():
        if indicator["value_type"] != "count":
            assert indicator["is_additive"] == "false", f"{code}: rates and ratios never add up"


# ---------------------------------------------------------------------------------------------- text
def phrase_mismatches(rows, *, code, value_text, value, unit, base_value) -> list[str]:
    text = doc.normalized_text()
    problems = []
    for row in rows:
        where = row[code]
        phrase = row["source_phrase"]
        count = text.count(phrase)
        if count != 1:
            problems.append(f"{where}: phrase found {count} times in the document: {phrase!r}")
        if not row[value_text]:
            continue  # a milestone: a deadline with no count
        if not re.search(rf"(?<![\d.]){re.escape(row[value_text])}(?![\d.])\s*{re.escape(row[unit])}(?!次)", phrase):
            problems.append(f"{where}: {row[value_text]} {row[unit]} is not in its phrase {phrase!r}")
        if float(row[value]) != float(row[value_text]):
            problems.append(f"{where}: value {row[value]} != printed {row[value_text]}")
        multiplier = _multiplier(row[unit])
        if int(row["unit_multiplier"]) != multiplier:
            problems.append(f"{where}: multiplier {row['unit_multiplier']} for unit {row[unit]}")
        if abs(float(row[base_value]) - float(row[value_text]) * multiplier) > 1e-6:
            problems.append(f"{where}: {base_value} {row[base_value]} != {row[value_text]} × {multiplier}")
        if row.get("comparator_text") and row["comparator_text"].split("/")[0] not in phrase:
            problems.append(f"{where}: qualifier {row['comparator_text']!r} is not in its phrase")
    return problems


def text_target_mismatches(seeds) -> list[str]:
    return phrase_mismatches(seeds["plan_text_targets"], code="target_code", value_text="quantity_text",
                             value="quantity", unit="unit", base_value="quantity_in_base_unit")


def test_text_targets_are_in_the_document(seeds):
    assert len(seeds["plan_text_targets"]) >= 50
    assert text_target_mismatches(seeds) == []


def test_achievements_are_in_the_document(seeds):
    problems = phrase_mismatches(seeds["plan_achievements"], code="achievement_code", value_text="value_text",
                                 value="value", unit="unit", base_value="value_in_base_unit")
    assert problems == []


@pytest.mark.parametrize("field, new_value", [("quantity_text", "6000"), ("quantity", "2600"),
                                             ("unit", "人")])
def test_text_target_check_catches_a_single_changed_value(seeds, field, new_value):
    mutated = copy.deepcopy(seeds)
    target = next(t for t in mutated["plan_text_targets"] if t["quantity_text"] == "2500")
    target[field] = new_value
    problems = text_target_mismatches(mutated)
    assert problems and all(p.startswith(target["target_code"]) for p in problems), problems


# Numbers in the target-setting part of the plan (chapter 2 §3 to the end, 专栏2 aside) that are not
# targets, each with the reason. Anything else must be covered by a seeded target's phrase.
NOT_TARGETS = [
    (r"〔\d{4}〕\d+\s*号", "document reference number"),
    (r"专栏\s*\d+", "box number"),
    (r"(?<![\d.])\d{1,2}\.(?=\D)", "item number inside a box"),
    (r"“1\+5”|“1\+1\+N”", "name of a model, not a quantity"),
    (r"3D 打", "3D printing, a specialty name"),
    (r"IPv6", "protocol name"),
    (r"等 8 个试点专业的基础上", "existing pilot specialties: the base the target starts from, not a target"),
]


def test_every_number_in_the_target_chapters_is_seeded_or_explained(seeds):
    text = doc.normalized_text()
    start = text.index("第三节 主要目标")
    table_start, table_end = text.index("专栏 2 江门市人社"), text.index("注：[ ]内为累计数。")
    covered = []
    for row in seeds["plan_text_targets"]:
        i = text.index(row["source_phrase"])
        covered.append((i, i + len(row["source_phrase"])))
    for pattern, _reason in NOT_TARGETS:
        covered += [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    uncovered = []
    for m in re.finditer(r"\d+(?:\.\d+)?", text):
        if m.start() < start or table_start <= m.start() < table_end:
            continue
        if not any(a <= m.start() and m.end() <= b for a, b in covered):
            uncovered.append(text[max(0, m.start() - 20): m.end() + 10])
    assert uncovered == []
