"""The workbench in a real browser (Debian chromium via Playwright) against `planwatch dashboard`, under the approve
policy: a viewer cannot reach upload or approval (by the menu or a deep link), a wrong password is refused alike and
five lock the account; a steward signs the candidate; a statistician uploads a file with one bad row, sees the row
and downloads the 错误清单. Screenshots of each page are kept under the home (screenshots/)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import PLANWATCH, free_port, launch_chromium, planwatch_cli, start_dashboard

APPROVE = {"PLANWATCH_RELEASE_POLICY": "approve"}
ACCOUNTS = {"viewer1": ("viewer", "viewer password", []), "steward1": ("steward", "steward password", []),
            "stat1": ("statistician", "statistician pw", ["台山市"])}


@pytest.fixture(scope="module")
def workbench(tmp_path_factory):
    home = tmp_path_factory.mktemp("workbench_home")
    planwatch_cli("run", home=home, env_extra=APPROVE)  # a candidate waits for a steward; nothing published yet
    env = {**os.environ, "PLANWATCH_HOME": str(home), **APPROVE}
    for name, (role, password, regions) in ACCOUNTS.items():
        subprocess.run([str(PLANWATCH), "users", "add", name, "--role", role, "--password-stdin",
                        *[a for r in regions for a in ("--region", r)]], input=password + "\n", env=env, check=True,
                       capture_output=True, text=True)
    port = free_port()
    server = start_dashboard(env, port)
    yield home, f"http://127.0.0.1:{port}"
    os.killpg(server.pid, 15)
    server.wait(timeout=30)


def sign_in(page, base: str, name: str, password: str, path: str = "overview") -> None:
    page.goto(f"{base}/{path}")
    # the page's script has run (its title or its refusal is drawn) before the form is filled: a form filled while
    # the first run still draws is drawn again, empty
    page.locator('[data-testid="stMainBlockContainer"] h1, [data-testid="stAlert"]').first.wait_for(timeout=60000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def shot(page, home: Path, name: str) -> None:
    (home / "screenshots").mkdir(exist_ok=True)
    page.screenshot(path=str(home / "screenshots" / f"{name}.png"), full_page=True)


def test_the_year_of_work_in_the_browser(workbench, tmp_path):
    from playwright.sync_api import sync_playwright

    home, base = workbench
    bad = tmp_path / "taishan_2026.csv"
    bad.write_text("指标,地区,年份,数值,单位,状态,来源,备注\n城镇新增就业人数,台山市,2026,0.52,万人,初步,,\n"
                   "城镇新增就业人数,火星,2026,0.1,万人,初步,,\n", encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p)
        # a signed-in viewer reaches neither page through the menu; a deep link opens a new session, signed out
        viewer = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(viewer, base, "viewer1", "viewer password")
        viewer.get_by_text("已登录：").first.wait_for(timeout=60000)
        for menu in ("报送数据", "审核签发"):
            viewer.get_by_role("link", name=menu).click()
            viewer.get_by_text("当前账户没有此操作的权限。").first.wait_for(timeout=60000)
            assert viewer.locator('input[type="file"]').count() == 0
            assert viewer.get_by_role("button", name="签发").count() == 0
        shot(viewer, home, "viewer_refused")
        for path in ("upload", "review"):
            viewer.goto(f"{base}/{path}")
            viewer.get_by_text("请先登录（左侧）。").first.wait_for(timeout=60000)
            assert viewer.locator('input[type="file"]').count() == 0
        # a wrong password: refused in the same words as an unknown name, and five lock the account
        stranger = browser.new_page()
        for _ in range(5):
            sign_in(stranger, base, "steward1", "not the password")
            stranger.get_by_text("用户名或密码错误").first.wait_for(timeout=60000)
        sign_in(stranger, base, "steward1", "steward password")
        stranger.get_by_text("账户已锁定").first.wait_for(timeout=60000)
        shot(stranger, home, "locked")
        subprocess.run([str(PLANWATCH), "users", "passwd", "steward1", "--password-stdin"], input="steward password\n",
                       env={**os.environ, "PLANWATCH_HOME": str(home)}, check=True, capture_output=True, text=True)
        # the steward signs the candidate
        steward = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(steward, base, "steward1", "steward password", "review")
        steward.get_by_role("heading", name="等待签发的候选版本").wait_for(timeout=60000)
        steward.get_by_label("说明").first.fill("2021–2025 年数据审核通过")
        steward.get_by_role("button", name="签发").click()
        steward.get_by_text("已签发第 1 号版本。").wait_for(timeout=120000)
        shot(steward, home, "review_signed")
        # the statistician sends a file with one bad row for 台山市
        stat = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(stat, base, "stat1", "statistician pw", "upload")
        stat.locator('input[type="file"]').set_input_files(str(bad))
        stat.get_by_text("加载前预览").wait_for(timeout=60000)
        stat.get_by_role("button", name="加载").click()
        stat.get_by_text("加载结果").wait_for(timeout=120000)
        stat.get_by_text("火星").first.wait_for(state="attached", timeout=60000)
        with stat.expect_download(timeout=60000) as download:
            stat.get_by_role("button", name="下载错误清单（Excel）").click()
        error_list = tmp_path / "错误清单.xlsx"
        download.value.save_as(error_list)
        shot(stat, home, "upload_done")
        browser.close()
    from openpyxl import load_workbook

    rows = list(load_workbook(error_list)["错误清单"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][2] == 3 and rows[0][4] == "火星"
    released = planwatch_cli("release", "list", home=home, env_extra=APPROVE).stdout
    assert "steward1" in released and "2021–2025 年数据审核通过" in released
    with open(home / "access" / "users.json", encoding="utf-8") as f:
        assert "statistician pw" not in f.read()
    assert sorted(p.name for p in (home / "screenshots").glob("*.png")) == [
        "locked.png", "review_signed.png", "upload_done.png", "viewer_refused.png"]
