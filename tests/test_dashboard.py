"""The dashboard: every page through Streamlit's AppTest, a real browser (Debian chromium via Playwright),
20 concurrent readers during a publish, hostile filter values, and a SQLAlchemy BI connection."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time

import pytest

from conftest import PLANWATCH, REPO_ROOT, free_port, keep_screenshots, launch_chromium, start_dashboard

APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = ["views/detail.py", "views/counties.py", "views/evaluation14.py", "views/review13.py", "views/text_targets.py",
         "views/quality.py", "views/provenance.py", "views/dictionary.py"]


@pytest.fixture()
def dashboard_home(built_home, monkeypatch):
    monkeypatch.setenv("PLANWATCH_HOME", str(built_home))
    return built_home


def scorecard_rows(at) -> list[list[str]]:
    """The overview's table as drawn (an HTML table that shows and prints every row): cells as text."""
    body = at.get("html")[0].proto.body
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)]


def test_the_plan_switcher_shows_the_15th_plan_beside_the_14th(dashboard_home):
    """The sidebar's switcher: the pages open on the 14th plan (being evaluated; the example 15th has no value yet);
    switched to the 15th, every page shows its table, labelled 示例 above the page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    switcher = at.selectbox(key="plan_code")
    assert switcher.value == "JM_HRSS_14" and switcher.options[0].startswith("江门市人力资源和社会保障事业发展“十四五”规划")
    assert not [w for w in at.warning if "示例规划" in w.value]
    switcher.set_value("JM_HRSS_15_EXAMPLE").run()
    assert not at.exception
    rows = scorecard_rows(at)
    assert len(rows) == 13 and "城镇调查失业率" in {r[1] for r in rows}
    assert {r[4] for r in rows} == {"2026"}  # its first year, no value yet
    assert [w for w in at.warning if "示例规划" in w.value]
    at.switch_page("views/evaluation14.py")
    at.run()
    assert not at.exception and "十五五" in at.subheader[0].value and "示例" in at.subheader[0].value


def test_every_page_renders_in_chinese_with_demo_data_marked(dashboard_home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "总览"
    rows = scorecard_rows(at)
    assert len(rows) == 17 and [int(r[0]) for r in rows] == sorted(int(r[0]) for r in rows)  # every row, in order
    assert "城镇新增就业人数" in {r[1] for r in rows}
    assert any("⚠ 示例数据" in r[3] for r in rows)
    assert "数据截至：2025年 · 第 1 号发布版本" in at.get("html")[0].proto.body
    assert "制表单位：江门市人力资源和社会保障局" in at.get("html")[0].proto.body
    assert any("示例数据" in c.value for c in at.caption)
    assert at.info[0].value.startswith("第 1 号发布版本")  # the banner, on every page
    titles = {"views/detail.py": "指标详情", "views/evaluation14.py": "规划评估", "views/review13.py": "十三五回顾",
              "views/text_targets.py": "文本目标", "views/quality.py": "数据质量", "views/provenance.py": "数据来源",
              "views/counties.py": "各县对比", "views/dictionary.py": "数据字典"}
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value == titles[page]
        assert at.info[0].value.startswith("第 1 号发布版本"), page
        if page != "views/detail.py":  # every table downloads as .xlsx
            assert at.get("download_button"), page
    at.switch_page("views/review13.py")
    at.run()
    review = at.dataframe[0].value
    assert len(review) == 14 and "105.61%" in set(review["规划所印完成情况"])
    assert list(review["出处"][:3]) == ["专栏1 第1行", "专栏1 第2行", "专栏1 第3行"]  # 第10行 after 第9行
    at.switch_page("views/dictionary.py")
    at.run()
    dictionary = at.dataframe[0].value
    assert len(dictionary) > 3 and "—" not in set(dictionary["说明"])  # every column of the first table described


CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")  # a column name or a code: actual_value, on_track, plan_printed
RAW = {"True", "False", "None", "nan", "NaN", "NaT", "<NA>"}


def raw_texts(at) -> list[str]:
    """What a page shows that only a developer would understand: column names and codes, booleans and missing
    values as Python writes them — in its tables (headers and cells) and in its HTML tables."""
    found = []
    for frame in at.dataframe:
        table = frame.value
        found += [str(c) for c in table.columns if CODE.match(str(c)) or str(c) in RAW]
        for column in table.columns:
            found += [str(v) for v in table[column] if str(v) in RAW or CODE.match(str(v))]
    for html in at.get("html"):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html.proto.body, re.S)]
        found += [c for c in cells if c in RAW or CODE.match(c)]
    return found


@pytest.mark.parametrize("english", [False, True])
def test_no_page_shows_a_column_name_a_code_or_none(dashboard_home, english):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if english:
        at.toggle[0].set_value(True).run()
    assert raw_texts(at) == []
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, page
        if page != "views/dictionary.py":  # the data dictionary's job is to name the columns a BI tool sees
            assert raw_texts(at) == [], page


def test_values_are_formatted_by_unit_and_coloured_by_direction(dashboard_home):
    """People as integers with separators, 万人 with two decimals, rates with two decimals and %; the arrow of a
    rate that should fall is green when it fell — both read against the published numbers, not written here."""
    import duckdb
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    rows = {r[1]: r for r in scorecard_rows(at)}
    assert re.match(r"^\d{1,3}(,\d{3})+ 人（2021—2025年累计）", rows["新增专业技术人才人数"][3])
    assert re.match(r"^\d+\.\d{2} 万人 ", rows["失业保险参保人数"][3])
    assert re.match(r"^\d+\.\d{2}% ", rows["城镇登记失业率"][3])
    body = at.get("html")[0].proto.body
    with duckdb.connect(str(dashboard_home / "published" / "planwatch.duckdb"), read_only=True) as con:
        for name in ("城镇登记失业率", "基本养老保险参保率"):
            direction, now, before = con.execute("""
                select i.direction, max(g.actual_value) filter (where g.year = 2025),
                       max(g.actual_value) filter (where g.year = 2024)
                from marts.fct_plan_progress g join marts.dim_indicator i using (indicator_code)
                where i.name_zh = ? and g.region_code = '440700' group by i.direction""", [name]).fetchone()
            better = now < before if direction == "lower_is_better" else now > before
            arrow = "↓" if now < before else "↑"
            row = re.search(rf"<tr><td>\d+</td><td>{name}</td>.*?</tr>", body).group(0)
            assert f"color:{'#2e7d32' if better else '#c62828'};font-weight:bold;font-size:1.2rem;text-align:center'>{arrow}" in row


def test_the_evaluation_page_shows_the_report_table_for_the_city_and_a_county(dashboard_home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("views/evaluation14.py")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 17 and "2020年基数" in table.columns
    assert "2023年中期评估报告" in at.subheader[0].value
    at.radio(key="evaluation_kind").set_value("final").run()
    assert "2025年总结评估报告" in at.subheader[0].value
    at.selectbox(key="evaluation_region_zh").set_value("440781").run()
    assert not at.exception
    county = at.dataframe[0].value
    assert all(v.endswith("（参考）") or v.startswith("不评价") for v in county["评价"])
    assert "台山市（参考）" in at.subheader[0].value


@pytest.mark.parametrize("hostile", ["' OR 1=1 --", "440700'; drop table marts.dim_region; --", "%", "\\' or ''='"])
def test_filter_values_are_plain_values(dashboard_home, hostile):
    from dashboard import data

    assert data.scorecard(hostile).empty
    assert data.progress_series(hostile, hostile).empty
    assert data.provenance(hostile, "440700", 2024).empty
    assert len(data.regions()) == 8  # nothing was dropped


def test_twenty_readers_during_a_publish(built_home, tmp_path, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    from dashboard import data

    published = home / "published" / "planwatch.duckdb"
    before = published.stat().st_ino
    errors: list[BaseException] = []
    counts = [0] * 20
    stop = threading.Event()

    def reader(i: int) -> None:
        while not stop.is_set():
            try:
                assert len(data.scorecard("440700")) == 17
                assert not data.progress_series("URBAN_NEW_JOBS", "440703").empty
                counts[i] += 1
            except BaseException as exc:  # noqa: BLE001 - every error counts
                errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    env = {**os.environ, "PLANWATCH_HOME": str(home)}
    # a publication that replaces the file: a rollback to release 1 is a new release (an unchanged `planwatch
    # publish` makes none), served by the same rename as every release
    result = subprocess.run([str(PLANWATCH), "release", "rollback", "1", "--by", "test", "--note", "readers"],
                            env=env, capture_output=True, text=True, timeout=300, start_new_session=True)
    time.sleep(1)
    stop.set()
    for thread in threads:
        thread.join()
    assert result.returncode == 0, result.stdout + result.stderr
    assert errors == [] and min(counts) > 0
    assert published.stat().st_ino != before  # a new file was published under the readers
    assert len(data.scorecard("440700")) == 17  # and the next query reads it


def test_bi_tools_connect_read_only_through_sqlalchemy(built_home):
    import sqlalchemy

    url = f"duckdb:///{built_home / 'published' / 'planwatch.duckdb'}"  # the README's connection string
    engine = sqlalchemy.create_engine(url, connect_args={"read_only": True})
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("select count(*) from marts.dim_indicator")).scalar()
        assert rows == 29  # 27 in the 14th plan's folder, 2 new in the example 15th's
        with pytest.raises(Exception):
            connection.execute(sqlalchemy.text("create table marts.x as select 1"))
    engine.dispose()


PAGE_TITLES = {"overview": ("总览", "Overview"), "detail": ("指标详情", "Indicator detail"),
               "counties": ("各县对比", "Counties compared"), "evaluation14": ("规划评估", "Plan evaluation"),
               "review13": ("十三五回顾", "13th plan review"), "text_targets": ("文本目标", "Text targets"),
               "quality": ("数据质量", "Data quality"), "provenance": ("数据来源", "Provenance"),
               "dictionary": ("数据字典", "Data dictionary")}


def test_dashboard_in_a_real_browser(built_home, tmp_path):
    """Every page by its address (deep links), in Chinese and in English, screenshotted; the scorecard printed to
    PDF by chromium holds all 17 rows with its title, 数据截至 and 制表单位, and none of the sidebar."""
    import subprocess

    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_dashboard({**os.environ, "PLANWATCH_HOME": str(built_home)}, port)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for path, (zh, _en) in PAGE_TITLES.items():
                page.goto(f"http://127.0.0.1:{port}/{path}")
                page.get_by_role("heading", name=zh).first.wait_for(timeout=60000)
                page.get_by_text("第 1 号发布版本").first.wait_for(timeout=60000)
                if path in ("detail", "counties"):
                    page.locator(".js-plotly-plot").first.wait_for(timeout=60000)
                page.wait_for_timeout(1500)  # the tables' and charts' last frames
                assert page.locator('[data-testid="stException"]').count() == 0, path
                page.screenshot(path=str(shots / f"{path}.png"), full_page=True)
            page.goto(f"http://127.0.0.1:{port}/overview")
            page.get_by_text("城镇新增就业人数").first.wait_for(timeout=60000)
            assert page.get_by_text("示例数据").count() >= 1
            page.emulate_media(media="print")
            page.pdf(path=str(tmp_path / "scorecard.pdf"), format="A4", landscape=True)
            page.emulate_media(media="screen")
            page.get_by_text("English").click()
            page.get_by_role("heading", name="Overview").wait_for(timeout=60000)
            for path, (_zh, en) in PAGE_TITLES.items():
                page.get_by_role("link", name=en).click()
                page.get_by_role("heading", name=en).first.wait_for(timeout=60000)
                page.get_by_text("Release 1 · signed").first.wait_for(timeout=60000)
                page.wait_for_timeout(1500)
                page.screenshot(path=str(shots / f"{path}_en.png"), full_page=True)
            page.goto(f"http://127.0.0.1:{port}/detail")
            page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60000)  # the series and the counties
            # the evaluation page: the workbook downloads, and it holds the published numbers
            page.goto(f"http://127.0.0.1:{port}/evaluation14")
            page.get_by_role("heading", name="规划评估").first.wait_for(timeout=60000)
            with page.expect_download(timeout=60000) as download:
                page.get_by_role("button", name="下载表格（Excel）").click()
            workbook = tmp_path / download.value.suggested_filename
            download.value.save_as(workbook)
            with page.expect_download(timeout=60000) as report:
                page.get_by_role("button", name="下载报告（Word）").click()
            assert report.value.suggested_filename.endswith("_mid_term_2023_440700.docx")
            # a shared link to the example 15th plan: its table, and the 示例 warning above it
            page.goto(f"http://127.0.0.1:{port}/overview?plan=JM_HRSS_15_EXAMPLE")
            page.get_by_text("城镇调查失业率").first.wait_for(timeout=60000)
            assert page.get_by_text("示例规划（Example plan）").count() == 1
            page.screenshot(path=str(shots / "overview_15th_example.png"), full_page=True)
            browser.close()
        from openpyxl import load_workbook

        import duckdb

        sheet = load_workbook(workbook)["指标完成情况"]
        with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
            # the names as the plan shown prints them (the page opens on dim_plan.is_default_view: the 14th plan)
            measures = dict(con.execute("select i.name_printed, p.measure_value from marts.fct_plan_progress p "
                                        "join marts.dim_plan_indicator i using (plan_code, indicator_code) "
                                        "where p.region_code = '440700' and p.year = 2023").fetchall())
            names = [r[0] for r in con.execute("select p.name_printed from marts.dim_plan_indicator p "
                                               "join marts.dim_plan d on d.plan_code = p.plan_code "
                                               "where d.is_default_view").fetchall()]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 17 and all(str(measures[r[1]]).rstrip("0").rstrip(".") ==
                                       f"{r[7]}".rstrip("0").rstrip(".") for r in rows if r[7] is not None)
        printed = subprocess.run(["pdftotext", str(tmp_path / "scorecard.pdf"), "-"], capture_output=True,
                                 text=True, check=True).stdout
        flat = re.sub(r"\s+", "", printed)
        missing = [n for n in names if re.sub(r"\s+", "", n) not in flat]
        assert len(names) == 17 and missing == [], missing
        assert "数据截至" in flat and "制表单位：江门市人力资源和社会保障局" in flat and "用户名" not in flat
        assert all((shots / f"{path}{suffix}.png").stat().st_size > 10_000 for path in PAGE_TITLES
                   for suffix in ("", "_en"))
        keep_screenshots(shots, "dashboard")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
