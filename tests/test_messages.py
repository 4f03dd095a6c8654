"""Expected situations end in one bilingual message and a non-zero exit, never a traceback; `planwatch run`
shows one line per stage and keeps everything else in its log."""

from __future__ import annotations

import re
import shutil

import duckdb

from conftest import planwatch_cli


def no_traceback(result) -> str:
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out[-3000:]
    return out


def test_run_prints_a_short_progress_view_and_logs_everything(built_home):
    out = (built_home / "run_stdout.txt").read_text(encoding="utf-8")
    assert len(out.splitlines()) < 60, out  # one line per stage, the gate's findings, the summary
    for stage in ("landing loads", "quality gate, raw loads", "dbt build and tests", "quality gate, staging and marts",
                  "publish", "exports"):
        assert re.search(rf"✓ .* / {re.escape(stage)}", out), stage
    assert "No sqlalchemy dialect found" not in out and "START sql" not in out
    log = re.search(r"Run log: (\S+)", out).group(1)
    logged = open(log, encoding="utf-8").read()
    assert "OK created sql incremental model marts.fct_plan_progress" in logged  # dbt's own lines, in the log
    assert "STEP_SUCCESS" in logged  # and Dagster's step events


def test_publish_before_any_run_says_what_to_do(tmp_path):
    result = planwatch_cli("publish", home=tmp_path / "home", check=False)
    out = no_traceback(result)
    assert result.returncode == 1
    assert "run `planwatch run` first" in out and "请先运行 planwatch run" in out


def test_a_bad_setting_is_named(tmp_path):
    for variable, value in (("PLANWATCH_SENSOR_INTERVAL", "soon"), ("PLANWATCH_NIGHTLY_CRON", "every night"),
                            ("PLANWATCH_TIMEZONE", "Beijing")):
        result = planwatch_cli("run", home=tmp_path, check=False, env_extra={variable: value})
        out = no_traceback(result)
        assert result.returncode == 2 and variable in out and "设置有误" in out, out


def test_a_locked_warehouse_is_named_not_a_traceback(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    holder = duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"))  # another process's write lock
    try:
        for command in (("load",), ("publish",)):
            result = planwatch_cli(*command, home=home, check=False)
            out = no_traceback(result)
            assert result.returncode == 1, out
            assert "in use by another process" in out and "正被另一个进程使用" in out, out
            assert "errors.log" in out  # the details are kept for whoever investigates
    finally:
        holder.close()
    assert "Could not set lock" in (home / "logs" / "errors.log").read_text(encoding="utf-8")


def test_a_damaged_warehouse_is_named(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    (home / "warehouse" / "planwatch.duckdb").write_bytes(b"this is not a database" * 100)
    result = planwatch_cli("load", home=home, check=False)
    out = no_traceback(result)
    assert result.returncode == 1 and ("damaged" in out or "not a DuckDB" in out), out
