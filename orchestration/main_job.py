"""`planwatch run`: the main job executed in this process — the same Dagster job that the schedules, the landing
sensor and the UI launch through the daemon — with a short progress view and a closing summary."""

from __future__ import annotations

import contextlib
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from planwatch.messages import fail, say
from planwatch.publish.published_copy import published_dir, published_path
from planwatch.run_inputs import nothing_changed
from planwatch.settings import Settings, export_env
from planwatch.warehouse_access import reads_warehouse

# Dagster's console logger at INFO: a statistician reads step results, not engine DEBUG events
VERBOSE_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
PROGRESS_LOGS = {"loggers": {"planwatch_progress": {}, "console": {"config": {"log_level": "DEBUG"}}}}


def run_log_path(settings: Settings) -> Path:
    folder = settings.log_dir / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}.log"


def run_main_job(settings: Settings, verbose: bool = False, force: bool = False, full_audit: bool = False) -> int:
    export_env(settings)
    where = settings.warehouse if settings.target == "duckdb" else f"{settings.target} (loads: {settings.warehouse})"
    unchanged = None if force else nothing_changed(settings)
    if unchanged is not None:
        return say_unchanged(unchanged)
    # Dagster, dagster-dbt and Great Expectations (about 4 s of imports) only for a run that has work to do
    from dagster import DagsterInstance

    from expectations.gate import last_run
    from orchestration.assets.quality_checks import AUDIT_TAG
    from orchestration.definitions import MAIN_JOB, build_definitions
    from planwatch.publish.publisher import publication_blocked

    say(f"运行主流程，数据仓库：{where}", f"Running the main job into {where}")
    log_path = run_log_path(settings)
    started = time.time()
    with open(log_path, "a", encoding="utf-8") as log, contextlib.ExitStack() as quiet:
        if not verbose:
            # dbt's event stream, Dagster's step logs and library warnings go to the run's log; the progress
            # logger writes one line per stage to the terminal
            quiet.enter_context(contextlib.redirect_stdout(log))
            quiet.enter_context(contextlib.redirect_stderr(log))
        defs = build_definitions(settings)
        job = defs.resolve_job_def(MAIN_JOB)
        with DagsterInstance.get() as instance:
            result = job.execute_in_process(instance=instance, raise_on_error=False,
                                            run_config=VERBOSE_LOGS if verbose else PROGRESS_LOGS,
                                            tags={AUDIT_TAG: "full"} if full_audit else None)
    gate = last_run(settings)
    gate = gate if gate and datetime.fromisoformat(gate.validated_at).replace(tzinfo=timezone.utc).timestamp() >= started else None
    if gate:
        print(gate.render())
    say(f"运行日志：{log_path}", f"Run log: {log_path}")
    if result.success and not result.is_node_success("published_warehouse"):
        # Dagster counts skipped steps as no failure: a build whose results it could not read ends "successful"
        # with nothing published — say so instead of summarising a publication that did not happen
        fail(f"主流程结束但未发布（运行 {result.run_id}：有步骤被跳过），详见 {log_path}",
             f"the main job ended without publishing (run {result.run_id}: steps were skipped); see {log_path}")
        return 1
    if not result.success:
        if gate and not gate.passed:
            fail(*publication_blocked(settings, len(gate.failed_errors)))
        else:
            fail(f"主流程失败（运行 {result.run_id}）：{first_failure(result)}。详见 {log_path}",
                 f"the main job failed (run {result.run_id}): {first_failure(result)}. See {log_path}")
        return 1
    print_summary(settings)
    published = node_metadata(result, "published_warehouse")
    say_release(published.get("release"))
    say_open_queries(published.get("open_queries"))
    back = node_metadata(result, "landing_loads").get("back_to_senders") or {}
    if back:
        # published without them; a scheduler or script notices all the same
        say_back_to_senders(back)
        fail(f"{len(back)} 个文件有退回或隔离的内容；其余数据已发布", f"{len(back)} file(s) had rows quarantined or were "
             f"returned to their senders; everything else was published")
        return 1
    return 0


def say_unchanged(record: dict) -> int:
    """A run with nothing to do: the last complete run's outcome, and the same exit status it had."""
    say(f"自上次完整运行（{record['run_id'][:8]}，{record['finished_at']}）以来没有新文件，代码、配置和数据仓库均未变化："
        f"不重新构建（planwatch run --force 可强制重建）",
        f"nothing changed since the last complete run ({record['run_id'][:8]}, {record['finished_at']}): no new "
        f"landing file, no changed code, setting or warehouse — nothing rebuilt (planwatch run --force rebuilds)")
    release = record.get("release")
    if release == "awaiting approval":
        say_release(release)
    elif isinstance(release, int):
        say(f"现行发布版本：第 {release} 号", f"current release: {release}")
    say_open_queries(record.get("open_queries"))
    back = record.get("back_to_senders") or {}
    if back:
        say_back_to_senders(back)
        fail(f"{len(back)} 个文件仍有退回或隔离的内容", f"{len(back)} file(s) still have rows quarantined or were "
             f"returned to their senders")
        return 1
    return 0


def say_open_queries(count) -> None:
    if count:
        say(f"未答复的查询 {count} 条（planwatch query list）",
            f"{count} open quer{'y' if count == 1 else 'ies'} (planwatch query list)")


def say_back_to_senders(back: dict) -> None:
    for name, error_list in back.items():
        say(f"需报送单位修改：{name}" + (f"（错误清单：{error_list}）" if error_list else ""),
            f"back to its sender: {name}" + (f" (error list: {error_list})" if error_list else ""))


def node_metadata(result, node: str) -> dict:
    """The metadata a step's (first) materialization carried, as plain values."""
    for materialization in result.asset_materializations_for_node(node):
        return {key: entry.value for key, entry in materialization.metadata.items()}
    return {}


def say_release(release) -> None:
    if release == "awaiting approval":
        say("候选版本等待审核签发：planwatch review 查看，planwatch approve --by 姓名 签发",
            "the candidate release waits for a steward: `planwatch review` shows it, `planwatch approve --by NAME` "
            "signs it")
    elif release == "unchanged":
        say("数据没有变化，未产生新的发布版本", "nothing changed: no new release")
    elif release is not None:
        say(f"已发布第 {release} 号版本（planwatch release show {release}）",
            f"published as release {release} (planwatch release show {release})")


def first_failure(result) -> str:
    """The first failed step and the first line of its error, for the one-line message."""
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            while error is not None and error.cause is not None:  # the root cause, not Dagster's wrapper
                error = error.cause
            text = " ".join((error.message if error else "").split())
            return f"{event.step_key}: {text[:300] or 'failed'}"
    return "see the log"


@reads_warehouse
def print_summary(settings: Settings) -> None:
    # the marts as published (on every target a DuckDB file: the server's published schema is mirrored into it);
    # quarantine from the working file, where every target's loads run
    if not published_path(settings).exists():  # the approve policy, before the first approval
        return
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
