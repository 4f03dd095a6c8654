"""The workbench in a real browser (Debian chromium via Playwright) against `planwatch dashboard`, under the approve
policy: a viewer cannot reach upload or approval (by the menu or a deep link), a wrong password is refused alike and
five lock the account; a steward signs the candidate; a statistician uploads a file with one bad row, sees the row
and downloads the 错误清单. Screenshots of each page are kept under the home (screenshots/)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import (PLANWATCH, free_port, keep_screenshots, launch_chromium, planwatch_cli, start_dashboard,
                      wait_until_drawn)

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
    # the page's first run has finished before the form is filled (its script state is "initial" until it
    # starts): a form filled while it still draws is drawn again, empty, and an empty form is sent
    wait_until_drawn(page)
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
        # the steward sees the open query and the candidate; before they sign, a viewer replays the steward's
        # own "签发" request (the websocket frame the click sends, held back from the server) in the viewer's
        # session: the server runs the page's checks again and refuses, and no release is made
        from planwatch.release.queries import queries
        from planwatch.settings import get_settings

        query_zh = queries(get_settings(home=home))[0][8]
        held: dict = {}

        def hold_the_approval(route) -> None:
            server_side = route.connect_to_server()

            def to_server(message) -> None:
                if held.get("armed") and "frame" not in held:
                    held["frame"] = message  # swallowed: the steward's approval never reaches the server
                else:
                    server_side.send(message)
            route.on_message(to_server)
            server_side.on_message(lambda message: route.send(message))

        def keep_the_socket(route) -> None:
            server_side = route.connect_to_server()
            held["viewer_socket"] = server_side
            route.on_message(lambda message: server_side.send(message))
            server_side.on_message(lambda message: route.send(message))

        steward = browser.new_page(viewport={"width": 1400, "height": 1000})
        steward.route_web_socket(lambda url: "/_stcore/stream" in url, hold_the_approval)
        sign_in(steward, base, "steward1", "steward password", "review")
        steward.get_by_role("heading", name="等待签发的候选版本").wait_for(timeout=60000)
        steward.get_by_text(query_zh[:20]).first.wait_for(state="attached", timeout=60000)
        shot(steward, home, "review_queue")
        steward.get_by_label("说明").first.fill("2021–2025 年数据审核通过")
        steward.wait_for_timeout(1000)  # the note's own message has gone
        held["armed"] = True
        steward.get_by_role("button", name="签发").click()
        steward.wait_for_timeout(2000)
        assert "frame" in held
        replayer = browser.new_page(viewport={"width": 1400, "height": 1000})
        replayer.route_web_socket(lambda url: "/_stcore/stream" in url, keep_the_socket)
        sign_in(replayer, base, "viewer1", "viewer password", "review")
        replayer.get_by_text("当前账户没有此操作的权限。").first.wait_for(timeout=60000)
        held["viewer_socket"].send(held["frame"])
        replayer.wait_for_timeout(5000)
        replayer.get_by_text("当前账户没有此操作的权限。").first.wait_for(timeout=60000)
        assert replayer.get_by_text("已签发第").count() == 0
        assert "no release yet" in planwatch_cli("release", "list", home=home, env_extra=APPROVE).stdout
        assert (home / "published" / "candidate" / "planwatch.duckdb").exists()  # still waiting
        # the steward signs it for real (the held click went nowhere: click again)
        held["armed"] = False
        steward.get_by_label("说明").first.fill("2021–2025 年数据审核通过")
        steward.get_by_role("button", name="签发").click()
        steward.get_by_text("已签发第 1 号版本。").wait_for(timeout=120000)
        shot(steward, home, "review_signed")
        # and a reader sees the new release on every page
        viewer.goto(f"{base}/overview")
        viewer.get_by_text("第 1 号发布版本").first.wait_for(timeout=60000)
        assert viewer.get_by_text("由 steward1 签发").count() >= 1
        shot(viewer, home, "viewer_release_1")
        # the statistician sends a file with one bad row for 台山市
        stat = browser.new_page(viewport={"width": 1400, "height": 1000})
        sign_in(stat, base, "stat1", "statistician pw", "upload")
        stat.locator('input[type="file"]').set_input_files(str(bad))
        stat.get_by_text("加载前预览").wait_for(timeout=60000)
        shot(stat, home, "upload_preview")
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
        "locked.png", "review_queue.png", "review_signed.png", "upload_done.png", "upload_preview.png",
        "viewer_refused.png", "viewer_release_1.png"]
    keep_screenshots(home / "screenshots", "workbench")


def test_sign_in_through_an_identity_provider(built_home, tmp_path):
    """OIDC (Streamlit's st.login) against a real OpenID provider on 127.0.0.1 (oidc-provider-mock): configured by
    `planwatch users oidc`, a steward the office added with `--oidc` signs in at the provider, reaches the review
    page, and stays signed in after a reload (Streamlit's signed cookie); a person the provider knows but the
    office gave no account is signed in at the provider and still may do nothing."""
    import json
    import shutil
    import time
    import urllib.request

    from playwright.sync_api import sync_playwright

    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    env = {**os.environ, "PLANWATCH_HOME": str(home)}
    provider_port, port = free_port(), free_port()
    claims = [{"sub": "s-1", "email": "steward@office.example", "name": "审核人"},
              {"sub": "s-2", "email": "stranger@office.example", "name": "外人"}]
    provider = subprocess.Popen([str(PLANWATCH.parent / "oidc-provider-mock"), "--port", str(provider_port),
                                 *[a for c in claims for a in ("--user-claims", json.dumps(c))]],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    issuer = f"http://127.0.0.1:{provider_port}"
    server = None
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2).close()
                break
            except OSError:
                assert time.time() < deadline, "the OpenID provider did not start"
                time.sleep(0.3)
        subprocess.run([str(PLANWATCH), "users", "oidc", "--metadata-url", f"{issuer}/.well-known/openid-configuration",
                        "--client-id", "planwatch", "--client-secret-stdin", "--redirect-uri",
                        f"http://127.0.0.1:{port}/oauth2callback"], input="a client secret\n", env=env, check=True,
                       capture_output=True, text=True)
        subprocess.run([str(PLANWATCH), "users", "add", "steward@office.example", "--role", "steward", "--oidc"],
                       env=env, check=True, capture_output=True, text=True)
        assert oct((home / "access" / "oidc.toml").stat().st_mode & 0o777) == "0o600"
        server = start_dashboard(env, port)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            for sub, email, may_review in (("s-1", "steward@office.example", True),
                                           ("s-2", "stranger@office.example", False)):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
                page.goto(f"http://127.0.0.1:{port}/review")
                page.get_by_role("button", name="统一身份认证登录").click()
                page.get_by_placeholder("sub").fill(sub)  # the provider's own sign-in form
                page.get_by_role("button", name="Authorize").click()
                page.wait_for_url(f"http://127.0.0.1:{port}/**", timeout=60000)
                if may_review:
                    page.get_by_text(f"已登录： **{email}**".replace("**", "")).first.wait_for(timeout=60000)
                    page.goto(f"http://127.0.0.1:{port}/review")  # a reload: a new session, the cookie remains
                    page.get_by_role("heading", name="等待签发的候选版本").wait_for(timeout=60000)
                    page.get_by_role("heading", name="发布历史").wait_for(timeout=60000)
                    assert page.get_by_text("请先登录（左侧）。").count() == 0
                    shot(page, home, "oidc_steward_review")
                else:
                    page.get_by_text("已通过统一身份认证，但没有本系统账户").first.wait_for(timeout=60000)
                    page.goto(f"http://127.0.0.1:{port}/review")
                    page.get_by_text("请先登录（左侧）。").first.wait_for(timeout=60000)
                    assert page.get_by_role("button", name="签发").count() == 0
                    shot(page, home, "oidc_no_account")
            browser.close()
    finally:
        if server is not None:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
        os.killpg(provider.pid, 15)
        provider.wait(timeout=30)
    keep_screenshots(home / "screenshots", "oidc")
