"""The dashboard: every page through Streamlit's AppTest, a real browser (Debian chromium via Playwright),
20 concurrent readers during a publish, hostile filter values, and a SQLAlchemy BI connection."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest

from conftest import PLANWATCH, REPO_ROOT, free_port, launch_chromium, start_dashboard

APP = str(REPO_ROOT / "dashboard" / "app.py")
PAGES = ["views/detail.py", "views/evaluation14.py", "views/review13.py", "views/text_targets.py", "views/quality.py", "views/provenance.py"]


@pytest.fixture()
def dashboard_home(built_home, monkeypatch):
    monkeypatch.setenv("PLANWATCH_HOME", str(built_home))
    return built_home


def test_every_page_renders_in_chinese_with_demo_data_marked(dashboard_home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    assert at.title[0].value == "总览"
    overview = at.dataframe[0].value
    assert "城镇新增就业人数" in set(overview["指标"])
    assert overview["最新值"].str.contains("示例数据").any()
    assert any("示例数据" in c.value for c in at.caption)
    titles = {"views/detail.py": "指标详情", "views/evaluation14.py": "十四五评估", "views/review13.py": "十三五回顾", "views/text_targets.py": "文本目标",
              "views/quality.py": "数据质量", "views/provenance.py": "数据来源"}
    for page in PAGES:
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value == titles[page]
        if page != "views/detail.py":  # every table downloads as .xlsx
            assert at.get("download_button"), page
    at.switch_page("views/review13.py")
    at.run()
    review = at.dataframe[0].value
    assert len(review) == 14 and "105.61%" in set(review["printed_completion_text"])


def test_english_switch(dashboard_home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.toggle[0].set_value(True).run()
    assert at.title[0].value == "Overview"
    assert "New urban jobs" in set(at.dataframe[0].value["Indicator"])


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
    at.selectbox(key="evaluation_region").set_value("440781").run()
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
        assert rows == 27
        with pytest.raises(Exception):
            connection.execute(sqlalchemy.text("create table marts.x as select 1"))
    engine.dispose()


def test_dashboard_in_a_real_browser(built_home, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_dashboard({**os.environ, "PLANWATCH_HOME": str(built_home)}, port)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/overview")
            page.get_by_role("heading", name="总览").first.wait_for(timeout=60000)
            page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60000)
            # the grid draws on a canvas; its accessible cells carry the text
            page.get_by_text("城镇新增就业人数").first.wait_for(state="attached", timeout=60000)
            assert page.get_by_text("示例数据").count() >= 1
            page.screenshot(path=str(shots / "overview.png"), full_page=True)
            page.goto(f"http://127.0.0.1:{port}/detail")
            page.locator(".js-plotly-plot").first.wait_for(timeout=60000)
            assert page.locator(".js-plotly-plot").count() >= 2  # the series and the counties
            page.screenshot(path=str(shots / "detail.png"), full_page=True)
            # the evaluation page: the workbook downloads, and it holds the published numbers
            page.goto(f"http://127.0.0.1:{port}/evaluation14")
            page.get_by_role("heading", name="十四五评估").first.wait_for(timeout=60000)
            with page.expect_download(timeout=60000) as download:
                page.get_by_role("button", name="下载表格（Excel）").click()
            workbook = tmp_path / download.value.suggested_filename
            download.value.save_as(workbook)
            with page.expect_download(timeout=60000) as report:
                page.get_by_role("button", name="下载报告（Word）").click()
            assert report.value.suggested_filename.endswith("_mid_term_2023_440700.docx")
            page.screenshot(path=str(shots / "evaluation14.png"), full_page=True)
            browser.close()
        from openpyxl import load_workbook

        import duckdb

        sheet = load_workbook(workbook)["指标完成情况"]
        with duckdb.connect(str(built_home / "published" / "planwatch.duckdb"), read_only=True) as con:
            measures = dict(con.execute("select i.name_zh, p.measure_value from marts.fct_plan_progress p "
                                        "join marts.dim_indicator i using (indicator_code) "
                                        "where p.region_code = '440700' and p.year = 2023").fetchall())
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 17 and all(str(measures[r[1]]).rstrip("0").rstrip(".") ==
                                       f"{r[7]}".rstrip("0").rstrip(".") for r in rows if r[7] is not None)
        assert (shots / "overview.png").stat().st_size > 10_000 and (shots / "detail.png").stat().st_size > 10_000
        keep = os.environ.get("PLANWATCH_SCREENSHOTS")
        if keep:
            shutil.copytree(shots, keep, dirs_exist_ok=True)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
