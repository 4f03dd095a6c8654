"""The job as Dagster starts it by itself: a real `dagster dev` (webserver, daemon, code server on 127.0.0.1, a
temporary DAGSTER_HOME under PLANWATCH_HOME), each run in a run worker of its own through the default run
launcher. A launch through GraphQL (what the UI's Launch button sends), a run the landing sensor requests for a
dropped county file, a schedule tick, and a failing run that writes the alert."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from conftest import PLANWATCH, free_port

pytestmark = pytest.mark.slow

LOCATION, REPOSITORY, JOB = "orchestration.definitions", "__repository__", "planwatch_main"
RUNS = """query($filter: RunsFilter) { runsOrError(filter: $filter) {
  ... on Runs { results { runId status tags { key value } } } } }"""
LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.loads(response.read())
    assert "errors" not in payload, payload
    return payload["data"]


def runs(port: int, key: str | None = None, value: str | None = None) -> list[dict]:
    flt = {"tags": [{"key": key, "value": value}]} if key else {}
    return graphql(port, RUNS, {"filter": flt})["runsOrError"]["results"]


def wait_for(what: str, probe, timeout: float, process: subprocess.Popen):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster dev ended (exit {process.returncode}) while waiting for {what}")
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def finished(port: int, run_id: str) -> str | None:
    status = next(r["status"] for r in runs(port) if r["runId"] == run_id)
    return status if status in ("SUCCESS", "FAILURE", "CANCELED") else None


def published_value(home: Path, source_file: str):
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as con:
        return con.execute("select value, is_latest from marts.fct_indicator_observation where source_file = ?",
                           [source_file]).fetchall()


def test_dagster_daemon_runs_the_job_from_the_ui_the_sensor_and_a_schedule(tmp_path):
    home, port = tmp_path / "home", free_port()
    # the weekly full audit set to fire once, two minutes from now (a minute's resolution: 1–2 minutes); runs
    # wait in the queue for each other, so the order of the first three does not matter. (Not the nightly scan: with
    # nothing new since the last complete run it skips its tick, as it should, and whether the sensor's run has
    # completed by then is a race.)
    fire = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(minutes=2)
    env = {**os.environ, "PLANWATCH_HOME": str(home), "PLANWATCH_SENSOR_INTERVAL": "5",
           "PLANWATCH_AUDIT_CRON": f"{fire.minute} {fire.hour} * * *", "PLANWATCH_ALERT_WEBHOOK": ""}
    for var in ("PLANWATCH_WAREHOUSE", "PLANWATCH_LANDING", "DAGSTER_HOME"):
        env.pop(var, None)
    log = open(tmp_path / "dagster_dev.log", "w", encoding="utf-8")
    ui = subprocess.Popen([str(PLANWATCH), "ui", "--port", str(port)], env=env, stdout=log,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for("the code location", lambda: any(
            JOB in [j["name"] for j in n["jobs"]] for n in graphql(port, "{ repositoriesOrError { ... on "
                                                                         "RepositoryConnection { nodes { jobs { name } } } } }")
            ["repositoriesOrError"]["nodes"]), 240, ui)

        # 1. the UI's Launch button: GraphQL launchRun → queued → a run worker → success, published
        launched = graphql(port, LAUNCH, {"p": {"selector": {"repositoryLocationName": LOCATION,
                                                             "repositoryName": REPOSITORY, "jobName": JOB},
                                                "runConfigData": {}}})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        assert wait_for("the launched run", lambda: finished(port, run_id), 300, ui) == "SUCCESS"
        assert (home / "published" / "planwatch.duckdb").exists()

        # 2. a county file dropped into the landing folder: the sensor requests exactly one run, which publishes it
        (home / "landing" / "2025_蓬江区.csv").write_text("指标,地区,年份,数值\n城镇登记失业率,蓬江区,2025,2.37\n",
                                                        encoding="utf-8")
        sensed = wait_for("the landing sensor's run", lambda: [
            r for r in runs(port, "planwatch/trigger", "landing_folder") if r["status"] in ("SUCCESS", "FAILURE")],
            300, ui)
        assert [r["status"] for r in sensed] == ["SUCCESS"]
        assert {"key": "planwatch/files", "value": "2025_蓬江区.csv"} in sensed[0]["tags"]
        assert [(float(v), latest) for v, latest in published_value(home, "2025_蓬江区.csv")] == [(2.37, True)]

        # 3. the schedule's tick: the daemon launches the whole job as a full audit, which succeeds (nothing new: it
        # publishes the same)
        scheduled = wait_for("the schedule's run", lambda: [
            r for r in runs(port, "dagster/schedule_name", "weekly_full_audit")
            if r["status"] in ("SUCCESS", "FAILURE")], 420, ui)
        assert [r["status"] for r in scheduled] == ["SUCCESS"]
        assert {"key": "planwatch/audit", "value": "full"} in scheduled[0]["tags"]

        # 4. a run that fails — the working warehouse is held by another process while a file arrives — ends
        # FAILURE, publishes nothing, and its failure is in the alert log
        holder = duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"))
        try:
            (home / "landing" / "2024_蓬江区_late.csv").write_text(
                "指标,地区,年份,数值\n城镇登记失业率,蓬江区,2024,2.41\n", encoding="utf-8")
            failed = wait_for("the failing run", lambda: [
                r for r in runs(port, "planwatch/trigger", "landing_folder") if r["status"] == "FAILURE"], 300, ui)
        finally:
            holder.close()
        alerts = home / "logs" / "alerts.log"
        record = wait_for("the alert", lambda: alerts.exists() and [
            json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()
            if json.loads(line)["run_id"] == failed[0]["runId"]], 120, ui)
        assert "运行失败" in record[0]["zh"]
        assert published_value(home, "2024_蓬江区_late.csv") == []
        # one run per dropped file, never two
        assert len(runs(port, "planwatch/trigger", "landing_folder")) == 2
    finally:
        os.kill(ui.pid, signal.SIGINT)  # Ctrl-C: planwatch ui stops dagster dev by its process group
        try:
            ui.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
        log.close()
        (home / "logs").mkdir(parents=True, exist_ok=True)
        (home / "logs" / "dagster_dev.log").write_text((tmp_path / "dagster_dev.log").read_text(encoding="utf-8"),
                                                      encoding="utf-8")
