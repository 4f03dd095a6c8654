"""Apache Superset over the published warehouse, started as a user starts it (`planwatch superset`, after `make
superset` made its environment): signed in through its API, every chart of the provisioned dashboard answers the
marts' own numbers, every published column is described, the warehouse refuses writes, and chromium draws the
dashboard. The first two tests need no Superset: the bundle's metrics against `planwatch metrics query`."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import duckdb
import pytest

from conftest import PLANWATCH, REPO_ROOT, free_port, keep_screenshots, launch_chromium, planwatch_cli

PASSWORD = "Superset-test-7f3a"
YEAR_2025 = "{{ TimeDimension('metric_time', 'year') }} = '2025-01-01'"


def published(home: Path):
    return duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True)


def bundle_of(home: Path, monkeypatch):
    from planwatch.bi.superset_bundle import build_bundle
    from planwatch.settings import get_settings

    monkeypatch.setenv("PLANWATCH_HOME", str(home))
    return build_bundle(get_settings())


def test_the_bundle_s_metrics_are_the_semantic_layer_s(built_home, monkeypatch):
    """Each Superset metric, evaluated on the progress dataset's SQL, gives what MetricFlow gives by name."""
    from planwatch.bi.superset_bundle import PROGRESS_DATASET

    dataset = bundle_of(built_home, monkeypatch).files[f"datasets/planwatch/{PROGRESS_DATASET}.yaml"]
    metrics = {m["metric_name"]: m["expression"] for m in dataset["metrics"]}
    assert {"indicator_value", "indicator_target", "completion_rate", "cumulative_actual", "county_share",
            "indicators_count", "indicators_on_track", "share_on_track"} <= metrics.keys()
    out = planwatch_cli("metrics", "query", "--metrics", ",".join(metrics), "--group-by", "region__name_zh",
                        "--where", YEAR_2025, "--csv", home=built_home).stdout
    by_name = {r["region__name_zh"]: r for r in csv.DictReader(io.StringIO(out))}
    with published(built_home) as con:
        select = ", ".join(f"{expression} as {name}" for name, expression in metrics.items())
        cursor = con.execute(f"select region__name_zh, {select} from ({dataset['sql']}) where year = 2025 group by 1")
        names = [d[0] for d in cursor.description]
        in_superset = {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}
    assert len(by_name) == 8 and in_superset.keys() == by_name.keys()
    for region, row in in_superset.items():
        for name in metrics:
            expected = by_name[region][name]
            assert (row[name] is None) == (expected == ""), (region, name)
            if expected:
                assert abs(float(row[name]) - float(expected)) < 1e-6, (region, name, row[name], expected)


def test_every_published_column_is_described_in_the_bundle(built_home, monkeypatch):
    bundle = bundle_of(built_home, monkeypatch)
    with published(built_home) as con:
        tables = {(s, t) for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ('marts', 'quality') union "
            "select schema_name, view_name from duckdb_views() where schema_name in ('marts', 'quality') "
            "and not internal").fetchall()}
    datasets = {(f["schema"], f["table_name"]): f for n, f in bundle.files.items()
                if n.startswith("datasets/") and f["sql"] is None}
    assert datasets.keys() == tables
    undescribed = [(s, t, c["column_name"]) for (s, t), f in datasets.items() for c in f["columns"]
                   if not c["description"]]
    assert undescribed == []
    assert bundle.files["databases/planwatch.yaml"]["extra"]["engine_params"]["connect_args"] == {"read_only": True}


# ------------------------------------------------------------------------------------------------- the real server


class Superset:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.token = None

    def call(self, path: str, data=None):
        request = urllib.request.Request(self.base + path, data=None if data is None else json.dumps(data).encode())
        if data is not None:  # a body-less request with a JSON content type is refused (400) by Flask
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def sign_in(self, password: str):
        self.token = self.call("/api/v1/security/login", {"username": "admin", "password": password,
                                                          "provider": "db", "refresh": False})["access_token"]


@pytest.fixture(scope="module")
def superset(built_home):
    venv = Path(os.environ.get("PLANWATCH_SUPERSET_VENV", REPO_ROOT / ".venv-superset"))
    if not (venv / "bin" / "superset").exists():
        pytest.fail(f"{venv} is missing: run `make superset-env` (make test-superset does)")
    port = free_port()
    env = {**os.environ, "PLANWATCH_HOME": str(built_home), "PLANWATCH_SUPERSET_PASSWORD": PASSWORD}
    log = open(built_home / "superset_stdout.txt", "w", encoding="utf-8")
    process = subprocess.Popen([str(PLANWATCH), "superset", "--port", str(port)], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Superset(port)
    deadline = time.monotonic() + 300
    while True:
        try:
            with urllib.request.urlopen(f"{server.base}/health", timeout=2) as response:
                if response.read() == b"OK":
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Superset did not start: {(built_home / 'superset_stdout.txt').read_text()[-3000:]}")
        time.sleep(2)
    yield server
    # Ctrl-C, as a user stops it: planwatch stops gunicorn's whole process group
    os.kill(process.pid, signal.SIGINT)
    assert process.wait(timeout=60) == 0
    log.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{server.base}/health", timeout=2)


def chart_rows(superset: Superset) -> dict[str, list[dict]]:
    from planwatch.bi.superset_bundle import DASHBOARD_SLUG

    charts = superset.call(f"/api/v1/dashboard/{DASHBOARD_SLUG}/charts")["result"]
    rows = {}
    for chart in charts:
        (result,) = superset.call(f"/api/v1/chart/{chart['id']}/data/")["result"]
        assert result["status"] == "success" and not result.get("error"), result
        rows[chart["slice_name"]] = result["data"]
    return rows


def close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) < 1e-6)


@pytest.mark.superset
def test_signed_in_through_the_api_every_chart_answers_the_marts_numbers(built_home, superset):
    with pytest.raises(urllib.error.HTTPError):  # the API refuses a wrong password
        Superset(int(superset.base.rsplit(":", 1)[1])).sign_in("wrong")
    superset.sign_in(PASSWORD)
    rows = chart_rows(superset)
    assert len(rows) == 3
    scorecard = next(v for k, v in rows.items() if k.startswith("计分卡"))
    series = next(v for k, v in rows.items() if k.startswith("指标走势"))
    counties = next(v for k, v in rows.items() if k.startswith("各县"))
    with published(built_home) as con:
        expected = {name: (status, value, cumulative, target, rate) for name, status, value, cumulative, target, rate
                    in con.execute(
            "select i.name_zh, g.progress_status, g.actual_value, g.cumulative_actual, g.target_value, "
            "g.completion_rate from marts.fct_plan_progress g join marts.dim_indicator i using (indicator_code) "
            "where g.region_code = '440700' and g.year = 2025").fetchall()}
        path = con.execute(
            # the series of the plan the dashboard opens on (dim_plan.is_default_view: the 14th)
            "select year, cumulative_actual, target_value from marts.fct_plan_progress where region_code = '440700' "
            "and indicator_code = 'URBAN_NEW_JOBS' and plan_code = 'JM_HRSS_14' order by year").fetchall()
        # a county's share of the city total, from the values themselves (not from the mart's share column)
        shares = {name: (share, rate) for name, share, rate in con.execute(
            "select r.name_zh, round(c.actual_value / p.actual_value * 100, 2), c.completion_rate "
            "from marts.fct_plan_progress c join marts.fct_plan_progress p on p.indicator_code = c.indicator_code "
            "and p.year = c.year and p.region_code = '440700' join marts.dim_region r "
            "on r.region_code = c.region_code where c.indicator_code = 'URBAN_NEW_JOBS' and c.year = 2025 "
            "and c.is_county").fetchall()}
    assert {r["indicator__name_zh"] for r in scorecard} == expected.keys() and len(expected) == 17
    for r in scorecard:
        status, value, cumulative, target, rate = expected[r["indicator__name_zh"]]
        assert r["progress__progress_status"] == status
        assert close(r["indicator_value"], value) and close(r["cumulative_actual"], cumulative)
        assert close(r["indicator_target"], target) and close(r["completion_rate"], rate)
    assert [(r["year"], r["cumulative_actual"], r["indicator_target"]) for r in series] == [
        (y, float(c), float(t)) for y, c, t in path]
    assert len(counties) == 7
    for r in counties:
        share, rate = shares[r["region__name_zh"]]
        assert close(r["county_share"], share) and close(r["completion_rate"], rate)


@pytest.mark.superset
def test_every_column_is_described_and_the_warehouse_refuses_writes(built_home, superset):
    superset.sign_in(PASSWORD)
    datasets = superset.call("/api/v1/dataset/?q=(page_size:100)")["result"]
    fct = next(d for d in datasets if d["table_name"] == "fct_plan_progress")
    columns = superset.call(f"/api/v1/dataset/{fct['id']}")["result"]["columns"]
    with published(built_home) as con:
        n_columns = con.execute("select count(*) from duckdb_columns() where schema_name = 'marts' "
                                "and table_name = 'fct_plan_progress'").fetchone()[0]
        regions = con.execute("select count(*) from marts.dim_region").fetchone()[0]
    assert len(columns) == n_columns and all(c["description"] for c in columns)
    (database,) = superset.call("/api/v1/database/")["result"]
    for sql in ("create table marts.written_by_superset as select 1 as x", "delete from marts.dim_region"):
        try:
            answer = superset.call("/api/v1/sqllab/execute/", {"database_id": database["id"], "sql": sql,
                                                               "schema": "marts", "runAsync": False})
        except urllib.error.HTTPError as refused:
            answer = {"status": "refused", "code": refused.code}
        assert answer.get("status") != "success", answer
    with published(built_home) as con:
        assert con.execute("select count(*) from marts.dim_region").fetchone()[0] == regions
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'written_by_superset'"
                           ).fetchone()[0] == 0


@pytest.mark.superset
def test_chromium_draws_the_dashboard(built_home, superset, tmp_path):
    from playwright.sync_api import sync_playwright

    from planwatch.bi.superset_bundle import DASHBOARD_SLUG

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1600, "height": 1200})
        page.goto(f"{superset.base}/login/")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
        page.goto(f"{superset.base}/superset/dashboard/{DASHBOARD_SLUG}/")
        page.get_by_text("城镇新增就业人数", exact=True).first.wait_for(timeout=120_000)  # a scorecard row
        # the two ECharts charts draw on canvases
        page.wait_for_function("document.querySelectorAll('.dashboard-chart canvas, .chart-container canvas')"
                               ".length >= 2", timeout=120_000)
        page.wait_for_timeout(2000)  # the charts' entry animation
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        text = page.inner_text("body")
        browser.close()
    for title in ("计分卡 Scorecard", "指标走势 Series", "各县（市、区）对比 Counties", "完成率 Completion rate (%)"):
        assert title in text
    assert "Unexpected error" not in text and "error" not in text.lower().replace("errors", "")
    assert (tmp_path / "dashboard.png").stat().st_size > 50_000
    keep_screenshots(tmp_path, "superset")
