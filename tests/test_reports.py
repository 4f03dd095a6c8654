"""The documents the office hands in, read back with real readers: python-docx and openpyxl cell by cell against the
published marts, LibreOffice's PDF through pdftotext (every indicator name and value, no missing glyphs) and a page
rendered by pdftoppm. Started as a user starts it: `planwatch report`."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import planwatch_cli


def published(home: Path):
    return duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True)


def mart_rows(home: Path, region: str, year: int) -> dict[str, tuple]:
    with published(home) as con:
        return {r[0]: r[1:] for r in con.execute("""
            select p.indicator_code, t.name_printed, i.unit, p.measure_value, p.final_target_value, p.completion_rate,
                   a.category_zh, a.baseline_value
            from marts.fct_plan_progress p join marts.dim_indicator i using (indicator_code)
            -- the names as the plan reported on prints them (the 15th plan renames one)
            join marts.dim_plan_indicator t on t.plan_code = p.plan_code and t.indicator_code = p.indicator_code
            join marts.fct_progress_assessment a using (indicator_code, region_code, year)
            where p.region_code = ? and p.year = ? and a.method = 'time_elapsed'""", [region, year]).fetchall()}


def rounded(value, unit: str) -> str:
    places = 0 if unit in ("人", "人次") else 2
    text = f"{Decimal(value):.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@pytest.fixture(scope="module")
def final_report(built_home):
    done = planwatch_cli("report", "--kind", "final", "--year", "2025", home=built_home)
    files = {Path(line.split("written: ", 1)[1].strip()) for line in done.stdout.splitlines() if "written: " in line}
    assert {p.suffix for p in files} == {".docx", ".pdf", ".xlsx"}, done.stdout
    return {p.suffix: p for p in files}


def test_the_word_table_holds_the_published_numbers(built_home, final_report):
    from docx import Document

    rows = mart_rows(built_home, "440700", 2025)
    document = Document(str(final_report[".docx"]))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["类别", "指标", "单位", "属性", "2020年基数", "目标", "完成情况",
                                                     "完成率/进度", "评价"]
    by_name = {r[0]: r for r in rows.values()}
    assert len(table.rows) - 1 == len(rows) == 17
    for row in table.rows[1:]:
        cells = [c.text for c in row.cells]
        name, unit, measure, final, rate, category, baseline = by_name[cells[1]]
        assert cells[2] == unit and cells[8] == category
        assert cells[6].split("\n")[0] == rounded(measure, unit), cells
        if baseline is not None:
            assert cells[4] == rounded(baseline, unit)
        if rate is not None:
            assert cells[7].startswith(f"{rate:.2f}%"), cells
    body = "\n".join(p.text for p in document.paragraphs)
    assert "一、总体情况" in body and "六、数据说明" in body and "数据截至" in body and "示例数据" in body
    assert len(document.inline_shapes) >= 17  # a chart per indicator with data, and the county charts


def test_the_workbook_holds_the_published_numbers_as_numbers(built_home, final_report):
    from openpyxl import load_workbook

    rows = mart_rows(built_home, "440700", 2025)
    by_name = {r[0]: r for r in rows.values()}
    book = load_workbook(final_report[".xlsx"])
    assert book.sheetnames == ["指标完成情况", "县（市、区）情况", "预警", "说明"]
    sheet = book["指标完成情况"]
    assert sheet.freeze_panes == "A2" and sheet["B1"].value == "指标"
    for line in sheet.iter_rows(min_row=2, values_only=False):
        name = line[1].value
        _, unit, measure, final, rate, category, baseline = by_name[name]
        assert Decimal(str(line[7].value)) == measure and Decimal(str(line[6].value)) == final
        assert line[7].number_format == ("0" if unit in ("人", "人次") else "0.00")
        assert (line[8].value is None and rate is None) or Decimal(str(line[8].value)) == rate
        assert line[11].value == category
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert notes["制表单位"] == "planwatch" and notes["数据截至"].startswith("第 ")
    with published(built_home) as con:
        counties = dict(con.execute("select region_code, measure_value from marts.fct_plan_progress "
                                    "where indicator_code = 'URBAN_NEW_JOBS' and year = 2025 and is_county").fetchall())
    county_sheet = book["县（市、区）情况"]
    header = [c.value for c in county_sheet[1]]
    jobs = next(r for r in county_sheet.iter_rows(min_row=2, values_only=True) if r[0] == "城镇新增就业人数")
    with published(built_home) as con:
        names = dict(con.execute("select name_zh, region_code from marts.dim_region").fetchall())
    for name, value in zip(header[2:], jobs[2:]):
        assert Decimal(str(value)) == counties[names[name]]


def test_the_pdf_has_every_name_and_value_and_a_page_shows_the_table(built_home, final_report, tmp_path):
    pdf = final_report[".pdf"]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for name, unit, measure, *_ in mart_rows(built_home, "440700", 2025).values():
        assert re.sub(r"\s+", "", name) in flat, name
        assert rounded(measure, unit) in flat, (name, measure)
    assert "\ufffd" not in text and "□" not in text  # no missing glyphs
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "Noto" in fonts, fonts
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    page = Image.open(sorted(tmp_path.glob("page*.png"))[-1]).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > 0.01 * page.width * page.height  # the table's lines and text are drawn


def test_a_county_report_is_a_reference_and_the_mid_term_judges_2023(built_home):
    done = planwatch_cli("report", "--kind", "mid_term", "--region", "台山市", "--format", "docx,xlsx", home=built_home)
    docx = next(Path(line.split("written: ", 1)[1].strip()) for line in done.stdout.splitlines()
                if "written: " in line and line.endswith(".docx"))
    from docx import Document

    document = Document(str(docx))
    assert "2023年中期评估报告·台山市（参考）" in document.paragraphs[0].text
    assert all(c.text.endswith("（参考）") or c.text.startswith("不评价")
               for c in (row.cells[8] for row in document.tables[0].rows[1:]))
    rows = mart_rows(built_home, "440781", 2023)
    cells = {row.cells[1].text: row.cells[6].text for row in document.tables[0].rows[1:]}
    for name, unit, measure, *_ in rows.values():
        assert cells[name].split("\n")[0] == (rounded(measure, unit) if measure is not None else "—")


def test_a_wrong_region_or_year_is_one_message(built_home):
    wrong = planwatch_cli("report", "--region", "火星", home=built_home, check=False)
    assert wrong.returncode == 2 and "不是本规划的地区" in wrong.stderr and "Traceback" not in wrong.stderr
    early = planwatch_cli("report", "--year", "2019", home=built_home, check=False)
    assert early.returncode == 2 and "outside the plan period" in early.stderr


def test_the_run_writes_the_report_as_a_dagster_asset(built_home):
    stdout = (built_home / "run_stdout.txt").read_text(encoding="utf-8")
    # one report per monitored plan: the 14th plan's final evaluation, the example 15th plan's first year
    assert "✓ 报告 / reports：JM_HRSS_14 final 2025, JM_HRSS_15_EXAMPLE annual 2026: 6 个文件 files" in stdout, \
        stdout[-2000:]
    assert "✓ 预警 / early warnings" in stdout
    written = sorted(p.name for p in (built_home / "published" / "reports").glob("JM_HRSS_14_final_2025_440700.*"))
    assert written == ["JM_HRSS_14_final_2025_440700.docx", "JM_HRSS_14_final_2025_440700.pdf",
                       "JM_HRSS_14_final_2025_440700.xlsx"]


def test_a_chart_is_drawn_once_for_what_it_draws(tmp_path):
    """The report's charts are cached by everything they draw: the same values give the cached image, a changed
    value a new one, and what no report used for 30 days is pruned."""
    import os
    import time

    from planwatch.reports.report_charts import county_chart, prune_chart_cache

    cache = tmp_path / "cache"
    values = [("蓬江区", 1.5), ("江海区", None)]
    first = county_chart("城镇新增就业", "万人", values, tmp_path / "first.png", cache)
    cached = list(cache.glob("*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.read_bytes()
    again = county_chart("城镇新增就业", "万人", list(values), tmp_path / "again.png", cache)
    assert again.read_bytes() == first.read_bytes() and len(list(cache.glob("*.png"))) == 1
    changed = county_chart("城镇新增就业", "万人", [("蓬江区", 1.6), ("江海区", None)], tmp_path / "changed.png", cache)
    assert len(list(cache.glob("*.png"))) == 2 and changed.read_bytes() != first.read_bytes()
    month_ago = time.time() - 31 * 86400
    os.utime(cached[0], (month_ago, month_ago))
    assert prune_chart_cache(cache) == 1
    assert len(list(cache.glob("*.png"))) == 1
