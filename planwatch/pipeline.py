"""The main job, run in process: the same Dagster job that schedules, sensors and the UI run."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import duckdb

from expectations.gate import last_run
from planwatch.publish.publisher import published_dir, published_path

from planwatch.messages import fail, say
from planwatch.settings import Settings, export_env


# Dagster's console logger at INFO: a statistician reads step results, not engine DEBUG events
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def say_publication_blocked(settings: Settings, gate) -> None:
    where = published_path(settings)
    if settings.target == "postgres":
        where = f"schema `published` on {settings.pg_host}:{settings.pg_port}/{settings.pg_database} and {where}"
    fail(f"数据质量检查有 {len(gate.failed_errors)} 项错误，未发布；已发布的数据保持不变：{where}",
         f"{len(gate.failed_errors)} error-level quality check(s) failed: nothing was published; the "
         f"published copy is unchanged: {where}")


def run_main_job(settings: Settings) -> int:
    from dagster import DagsterInstance

    from orchestration.pipeline import MAIN_JOB, build_definitions

    export_env(settings)
    where = settings.warehouse if settings.target == "duckdb" else f"{settings.target} (loads: {settings.warehouse})"
    say(f"运行主流程，数据仓库：{where}", f"Running the main job into {where}")
    defs = build_definitions(settings)
    job = defs.resolve_job_def(MAIN_JOB)
    started = time.time()
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET_LOGS)
    gate = last_run(settings)
    gate = gate if gate and datetime.fromisoformat(gate.validated_at).replace(tzinfo=timezone.utc).timestamp() >= started else None
    if gate:
        print(gate.render())
    if result.success and not result.is_node_success("published_warehouse"):
        # Dagster counts skipped steps as no failure: a build whose results it could not read ends "successful"
        # with nothing published — say so instead of summarising a publication that did not happen
        fail(f"主流程结束但未发布（运行 {result.run_id}：有步骤被跳过），详见 {settings.dbt_log_path}",
             f"the main job ended without publishing (run {result.run_id}: steps were skipped); see the logs in "
             f"{settings.dbt_log_path}")
        return 1
    if not result.success:
        if gate and not gate.passed:
            say_publication_blocked(settings, gate)
        else:
            fail(f"主流程失败（运行 {result.run_id}），详见 {settings.dbt_log_path}",
                 f"the main job failed (run {result.run_id}); see the logs in {settings.dbt_log_path}")
        return 1
    print_summary(settings)
    return 0


def print_summary(settings: Settings) -> None:
    # the marts as published (on every target a DuckDB file: the server's published schema is mirrored into it);
    # quarantine from the working file, where every target's loads run
    with duckdb.connect(str(published_path(settings)), read_only=True) as con:
        n_indicators = con.execute("select count(*) from marts.dim_indicator").fetchone()[0]
        n_targets = con.execute("select count(*) from marts.fct_plan_target").fetchone()[0]
        n_text = con.execute("select count(*) from marts.fct_plan_text_target").fetchone()[0]
        n_obs, n_latest, n_synthetic = con.execute(
            "select count(*), count(*) filter (where is_latest), count(*) filter (where is_latest and is_synthetic) "
            "from marts.fct_indicator_observation").fetchone()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        n_quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    say(f"完成：{n_indicators} 个指标，{n_targets} 个专栏目标值，{n_text} 个文本目标。",
        f"Done: {n_indicators} indicators, {n_targets} table targets, {n_text} text targets.")
    say(f"观测值 {n_obs} 条（现行 {n_latest} 条，其中示例数据 {n_synthetic} 条），隔离 {n_quarantined} 条。",
        f"Observations: {n_obs} ({n_latest} current, of which {n_synthetic} synthetic demo values); "
        f"{n_quarantined} quarantined.")
    say(f"工作库：{settings.warehouse}", f"Working warehouse: {settings.warehouse}")
    if settings.target == "postgres":
        say(f"PostgreSQL：{settings.pg_host}:{settings.pg_port}/{settings.pg_database}，已发布模式 published"
            f"（只读角色 {settings.pg_bi_role}）",
            f"PostgreSQL: {settings.pg_host}:{settings.pg_port}/{settings.pg_database}, schema `published` "
            f"(read-only role {settings.pg_bi_role})")
    say(f"已发布（看板和 BI 工具读取）：{published_path(settings)}",
        f"Published (what dashboards and BI tools read): {published_path(settings)}")
    say(f"导出文件（Parquet / CSV / SDMX-CSV）：{published_dir(settings) / 'exports'}",
        f"Exports (Parquet / CSV / SDMX-CSV): {published_dir(settings) / 'exports'}")


def validate_and_publish(settings: Settings) -> int:
    """The gate and the publish step on the working warehouse as it is (no load, no build): the same functions
    the Dagster job runs, for a steward who re-publishes after a fix, and for the fault tests."""
    from expectations.gate import run_gate
    from planwatch.publish.publisher import publish, publish_exports

    export_env(settings)
    gate = run_gate(settings)
    print(gate.render())
    if not gate.passed:
        say_publication_blocked(settings, gate)
        return 1
    publish(settings)
    publish_exports(settings)
    say(f"已发布：{published_path(settings)}", f"Published: {published_path(settings)}")
    return 0


def run_dbt(settings: Settings, args: list[str]) -> int:
    """Run dbt in process with planwatch's settings (warehouse path, target and log folders)."""
    from dbt.cli.main import dbtRunner

    export_env(settings)
    result = dbtRunner().invoke(list(args))
    return 0 if result.success else 1
