"""The Dagster code location: definitions, schedules, the landing sensor, the failure alert and the UI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context, build_sensor_context, job, op

from conftest import PLANWATCH, free_port, planwatch_cli
from orchestration.definitions import MAIN_JOB, build_definitions
from planwatch.settings import get_settings


@pytest.fixture()
def defs_with_landing(built_home, tmp_path, monkeypatch):
    """The real Definitions over the built home, with a landing folder of the test's own."""
    monkeypatch.setenv("PLANWATCH_ALERT_WEBHOOK", "")
    settings = get_settings(home=built_home, landing=tmp_path / "landing")
    settings.landing.mkdir()
    return build_definitions(settings), settings


def test_definitions_load_with_every_stage(defs_with_landing):
    defs, _ = defs_with_landing
    job_def = defs.resolve_job_def(MAIN_JOB)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/observation", "seeds/jm_hrss_14__plan_zl2_cells", "seeds/jm_hrss_15_example__plan_zl2_cells", "marts/fct_plan_progress", "published_warehouse",
            "exports"} <= keys
    checks = {k.name for k in graph.asset_check_keys}
    assert {"marts_counts_non_negative", "raw_observation_key_unique", "marts_plan_text_agrees_with_tables"} <= checks
    assert any(name.startswith("not_null") for name in checks)  # dbt tests surface as asset checks
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"landing", "plan_seeds", "staging", "intermediate", "marts", "publish"} <= groups
    assert job_def.name == MAIN_JOB


def test_schedules_evaluate_to_the_documented_times(defs_with_landing):
    from dagster._utils.schedules import cron_string_iterator

    defs, settings = defs_with_landing
    start = datetime(2026, 11, 27, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    expected = {"yearly_after_bulletin": [datetime(2027, 4, 1, 6, 0), datetime(2028, 4, 1, 6, 0)],
                "nightly_landing_scan": [datetime(2026, 11, 28, 2, 30), datetime(2026, 11, 29, 2, 30)],
                "weekly_full_audit": [datetime(2026, 11, 29, 4, 0), datetime(2026, 12, 6, 4, 0)]}
    for name, times in expected.items():
        schedule = defs.get_schedule_def(name)
        assert schedule.execution_timezone == "Asia/Shanghai"
        ticks = cron_string_iterator(start, schedule.cron_schedule, schedule.execution_timezone)
        assert [next(ticks).replace(tzinfo=None) for _ in times] == times


def test_a_dropped_file_yields_exactly_one_run_request(defs_with_landing):
    defs, settings = defs_with_landing
    sensor = defs.get_sensor_def("landing_folder")
    with DagsterInstance.ephemeral() as instance:
        empty = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=None))
        assert empty.run_requests == [] and empty.skip_message
        (settings.landing / "2025_蓬江区.csv").write_text("指标,地区,年份,数值\n城镇登记失业率,蓬江区,2025,2.4\n",
                                                        encoding="utf-8")
        first = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=empty.cursor))
        assert len(first.run_requests) == 1 and first.run_requests[0].job_name in (None, MAIN_JOB)
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=first.cursor))
        assert again.run_requests == []  # never twice for the same file
        dropped = settings.landing / "2025_蓬江区.csv"
        os.utime(dropped, ns=(dropped.stat().st_atime_ns, dropped.stat().st_mtime_ns + 10**9))
        touched = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=again.cursor))
        assert touched.run_requests == []  # same content, newer mtime: still the same file
        again = touched if touched.cursor else again
        (settings.landing / "2025_蓬江区.csv").write_text("指标,地区,年份,数值\n城镇登记失业率,蓬江区,2025,2.5\n",
                                                        encoding="utf-8")
        changed = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=again.cursor))
        assert len(changed.run_requests) == 1
        assert changed.run_requests[0].run_key != first.run_requests[0].run_key


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_failed_run_is_recorded_and_alerted(built_home, tmp_path, monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PLANWATCH_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/alert")
    settings = get_settings(home=built_home, landing=tmp_path / "landing")
    settings = type(settings)(**{**settings.__dict__, "log_dir": tmp_path / "logs"})
    defs = build_definitions(settings)

    @op
    def fails():
        raise RuntimeError("a step that fails")

    @job
    def failing_job():
        fails()

    with DagsterInstance.ephemeral() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        run = instance.get_run_by_id(result.run_id)
        failure = instance.all_logs(result.run_id, of_type=DagsterEventType.RUN_FAILURE)[0].dagster_event
        context = build_run_status_sensor_context(sensor_name="alert_on_failure", dagster_instance=instance,
                                                  dagster_run=run, dagster_event=failure).for_run_failure()
        defs.get_sensor_def("alert_on_failure")(context)
    server.shutdown()
    record = json.loads((tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").splitlines()[-1])
    assert record["run_id"] == result.run_id and "运行失败" in record["zh"]
    assert _Hook.received and _Hook.received[-1]["run_id"] == result.run_id


def test_ui_starts_on_localhost_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "PLANWATCH_HOME": str(tmp_path / "home")}
    process = subprocess.Popen([str(PLANWATCH), "ui", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not answer on 127.0.0.1")
        os.kill(process.pid, signal.SIGINT)  # Ctrl-C
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0 and "Dagster UI stopped" in out
        with pytest.raises(OSError):  # the webserver went with it
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_an_unknown_warehouse_target_is_named_before_any_work(tmp_path):
    result = planwatch_cli("run", home=tmp_path, check=False, env_extra={"PLANWATCH_DBT_TARGET": "oracle"})
    assert result.returncode == 2
    assert "PLANWATCH_DBT_TARGET must be one of duckdb, postgres, spark, not 'oracle'" in result.stderr
    assert not (tmp_path / "warehouse").exists()  # nothing was loaded


READ_MATERIALIZATIONS = """\
import sys
from dagster import DagsterEventType, DagsterInstance, EventRecordsFilter

materialized = DagsterEventType.ASSET_MATERIALIZATION
with DagsterInstance.get() as instance:
    print(len(instance.all_logs(sys.argv[1], of_type=materialized)),
          len(instance.get_event_records(EventRecordsFilter(event_type=materialized))))
"""


def test_the_event_log_keeps_its_connections_and_another_process_reads_every_event(built_home, tmp_path,
                                                                                     monkeypatch):
    """The instance planwatch configures stores events through orchestration/event_log_storage.py: the real run of
    `built_home` is in it whole, a second process (the UI, the daemon) reads what this one wrote while this one
    keeps its connections open, no fsync per event, and at most KEEP database files open."""
    from dagster import AssetMaterialization

    from orchestration.event_log_storage import KEEP, PooledSqliteEventLogStorage
    from planwatch.settings import export_env

    # the home `planwatch run` built: its instance, and every dbt test's and gate check's evaluation in its run
    monkeypatch.setenv("DAGSTER_HOME", str(built_home / "dagster"))
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        (run,) = instance.get_runs(limit=1)
        planned = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
        evaluated = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        assert len(planned) == len(evaluated) > 150

    settings = get_settings(home=tmp_path / "home")
    export_env(settings)
    marks = 40

    @op
    def many_marks(context):
        for number in range(marks):
            context.log_event(AssetMaterialization(asset_key=f"mark_{number}"))

    @job
    def marking():
        many_marks()

    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        run_ids = [marking.execute_in_process(instance=instance).run_id for _ in range(KEEP + 2)]
        assert len(storage._engines) <= KEEP  # the oldest runs' files were closed
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL, not FULL (2)
        # the run's own file, and the cross-run index the UI's asset pages read
        reader = subprocess.run([str(PLANWATCH.with_name("python")), "-c", READ_MATERIALIZATIONS, run_ids[-1]],
                                env={**os.environ}, capture_output=True, text=True, timeout=120)
        assert reader.returncode == 0, reader.stderr
        in_run, in_index = map(int, reader.stdout.split())
        assert in_run == marks and in_index == marks * len(run_ids)
    assert not storage._engines  # closed with the instance
