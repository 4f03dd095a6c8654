"""`planwatch` command line. Every sub-command reads its settings from the environment (planwatch.settings)."""

from __future__ import annotations

import argparse
import atexit
import os
import re
import sys
from datetime import datetime
from pathlib import Path

from planwatch.messages import bilingual, explain, fail, say
from planwatch.settings import get_settings, seed_path_for_dbt

DESCRIPTION = bilingual(
    "planwatch：五年规划指标监测数据仓库（种子 → DuckDB → dbt → 数据质量 → 看板）。",
    "planwatch: plan-monitoring data warehouse (seeds → DuckDB → dbt → quality gate → dashboard).",
)


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.main_job import run_main_job

    status = run_main_job(get_settings(), verbose=args.verbose, force=args.force or args.full_audit,
                          full_audit=args.full_audit)
    # The run is over and has said so: its instance, warehouse connections and logs are closed. Tearing down the
    # thousands of modules and objects Dagster, dbt and GE leave behind would keep the person waiting another 1.3 s
    # (measured, issue 21), so the command ends its process here, after the exit handlers a normal exit runs (1 ms:
    # logging's flush, multiprocessing's clean-up of the lock tqdm made, which its resource tracker would otherwise
    # report as leaked). Code that runs the job in a process it keeps calls run_main_job.
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def cmd_load(args: argparse.Namespace) -> int:
    from planwatch.ingest import Sender, load_files
    from planwatch.ingest.readers import FileProblem

    settings = get_settings()
    if not args.paths:
        say(f"加载落地文件夹中的新文件：{settings.landing}", f"Loading new files from the landing folder {settings.landing}")
    try:
        summary = load_files(settings, args.paths or None, Sender(region=args.region, person=args.by))
    except FileProblem as problem:
        fail(problem.zh, problem.en)
        return 2
    print(summary.render())
    if not summary.files:
        say("没有找到要加载的文件。", "No files to load.")
    if summary.needs_sender:
        # a scheduler or script notices: something goes back to a sender
        print(summary.render_rows_back(), file=sys.stderr)
        fail(f"{len(summary.needs_sender)} 个文件有需要报送单位处理的内容（未加载 {len(summary.errors)} 个，退回 "
             f"{len(summary.returned)} 个，待说明 {len(summary.held)} 个），见上",
             f"{len(summary.needs_sender)} file(s) have something for their sender to correct or explain "
             f"({len(summary.errors)} not loaded, {len(summary.returned)} returned, {len(summary.held)} held by a "
             f"query); see above")
        return 1
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from planwatch.targets import sync_raw

    settings = get_settings()
    copied = sync_raw(settings)
    say(f"已复制 {len(copied)} 个批次到 {settings.target} 的 raw 模式",
        f"Copied {len(copied)} load(s) into raw on the {settings.target} target")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """The gate and the publish step on the working warehouse as it is (no load, no build): the same functions
    the Dagster job runs, for a steward who re-publishes after a fix, and for the fault tests."""
    from planwatch.settings import export_env
    from planwatch.warehouse_access import holding

    settings = get_settings()
    if settings.target == "duckdb" and not settings.warehouse.exists():
        fail(f"还没有工作库 {settings.warehouse}：请先运行 planwatch run（加载、构建、检验后发布）",
             f"there is no working warehouse at {settings.warehouse} yet: run `planwatch run` first (it loads, "
             f"builds, validates and publishes)")
        return 1
    export_env(settings)
    with holding(settings, write=True, task="planwatch publish"):  # gate to release: one writer throughout
        return _gate_and_publish(settings)


def _gate_and_publish(settings) -> int:
    from expectations.gate import run_gate
    from planwatch.publish.published_copy import published_path
    from planwatch.publish.publisher import publication_blocked, publish, publish_exports
    from planwatch.release.queries import open_mart_queries
    from planwatch.release.releases import release_candidate

    gate = run_gate(settings)
    print(gate.render())
    if not gate.passed:
        fail(*publication_blocked(settings, len(gate.failed_errors)))
        return 1
    candidate = publish(settings)
    open_mart_queries(settings, candidate)
    if settings.release_policy == "approve":
        say(f"候选版本已生成，等待审核签发：{candidate}（planwatch review / planwatch approve）",
            f"candidate release written, waiting for a steward: {candidate} (planwatch review / planwatch approve)")
        return 0
    release = release_candidate(settings, gate_run_id=gate.run_id)
    if release is None:
        say("数据没有变化，未产生新的发布版本", "nothing changed: no new release")
        return 0
    publish_exports(settings)
    say(f"已发布第 {release.number} 号版本：{published_path(settings)}",
        f"Published as release {release.number}: {published_path(settings)}")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """The candidate release: what it changes against the published one, and the submissions since."""
    from planwatch.release.releases import candidate_changes, releases

    settings = get_settings()
    history = releases(settings)
    say(f"当前发布版本：{history[-1][0] if history else '无'}", f"Current release: {history[-1][0] if history else 'none'}")
    changes = candidate_changes(settings)
    if changes is None:
        say("没有等待审核的候选版本", "no candidate release is waiting")
    else:
        print(render_changes(changes))
        say("签发：planwatch approve --by 姓名 --note 说明", "to sign it: planwatch approve --by NAME --note TEXT")
    print(render_submissions(settings, since=history[-1][4] if history else None))
    return 0


def render_changes(changes: list[tuple], shown: int = 30) -> str:
    counts = {c: sum(1 for row in changes if row[0] == c) for c in ("new", "revised", "withdrawn")}
    lines = [bilingual(f"候选版本变化：新增 {counts['new']}，修订 {counts['revised']}，撤回 {counts['withdrawn']}",
                       f"Candidate changes: {counts['new']} new, {counts['revised']} revised, "
                       f"{counts['withdrawn']} withdrawn")]
    for change, indicator, region, _start, year, before, after, _pv, _v, source in changes[:shown]:
        lines.append(f"  {change:9} {indicator} {region} {year}: {before} → {after}  ({source})")
    if len(changes) > shown:
        lines.append(f"  … {len(changes) - shown} more")
    return "\n".join(lines)


def render_submissions(settings, since) -> str:
    from planwatch.release.releases import submissions_since

    rows = submissions_since(settings, since)
    lines = [bilingual(f"上次发布以来的报送：{len(rows)} 条决定", f"Submissions since the last release: {len(rows)} decision(s)")]
    for name, status, region, sender, actor, at, note, _load, _note_zh in rows:
        lines.append(f"  {status:8} {name} ({region or '?'}, {sender}; by {actor}, {at:%Y-%m-%d %H:%M}) {note or ''}")
    return "\n".join(lines)


def cmd_query(args: argparse.Namespace) -> int:
    from planwatch.release.queries import queries

    rows = queries(get_settings(), everything=args.all)
    say(f"{'全部' if args.all else '未答复的'}查询：{len(rows)} 条", f"{'All' if args.all else 'Open'} queries: {len(rows)}")
    for qid, kind, holds, _load, file_name, indicator, region, year, zh, en, _at, status, by, note, _when in rows:
        print(f"  {qid[:8]}  {status:8} {kind:16} {'holds' if holds else '     '} {indicator or ''} {region or ''} "
              f"{year or ''} {file_name or ''}")
        print(f"      {zh}\n      {en}" + (f"\n      → {by}: {note}" if by else ""))
    if rows and not args.all:
        say("答复：planwatch answer 编号 --by 姓名 --note 说明；审核接受：planwatch accept 编号 --by 姓名 --note 说明",
            "answer: planwatch answer ID --by NAME --note TEXT; a steward accepts: planwatch accept ID --by NAME --note TEXT")
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    from planwatch.release.queries import UnknownQuery, answer

    decision = "answered" if args.command == "answer" else "accepted"
    try:
        _qid, kind, _detail = answer(get_settings(), args.query, args.by, args.note, decision)
    except UnknownQuery:
        fail(f"找不到查询 {args.query}（planwatch query list 列出编号）", f"no single query {args.query!r} (planwatch "
             f"query list shows their ids)")
        return 1
    say(f"已记录{'答复' if decision == 'answered' else '接受'}；下次运行时其数值发布",
        f"{decision} recorded; a value it held is released by the next run" if kind == "year_on_year"
        else f"{decision} recorded")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from planwatch.publish.published_copy import candidate_path
    from planwatch.release.releases import approve_candidate

    settings = get_settings()
    if not candidate_path(settings).exists():
        fail("没有等待审核的候选版本（先运行 planwatch run）", "no candidate release is waiting (run planwatch run first)")
        return 1
    release = approve_candidate(settings, args.by, args.note)
    if release is None:
        say("候选版本与已发布版本相同，未产生新版本", "the candidate equals the published release: no new release")
        return 0
    say(f"{args.by} 已签发第 {release.number} 号版本", f"release {release.number} signed by {args.by} and published")
    return 0


def cmd_return(args: argparse.Namespace) -> int:
    from planwatch.release.actions import UnknownSubmission, return_submission

    settings = get_settings()
    try:
        load_id, file_name, status = return_submission(settings, args.submission, args.by, args.note)
    except UnknownSubmission:
        fail(f"找不到报送 {args.submission}（批次号或文件名）", f"no submission {args.submission!r} (a load id or a file name)")
        return 1
    say(f"已退回 {file_name}（批次 {load_id}，原状态 {status}）；下次运行 planwatch run 时其数据不再发布",
        f"returned {file_name} (load {load_id}, was {status}); from the next planwatch run none of its values is "
        f"released")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from planwatch.release.releases import release_changes, releases, rollback_and_export

    settings = get_settings()
    history = releases(settings)
    if args.release_command == "list":
        if not history:
            say("还没有发布版本", "no release yet")
        for number, kind, restores, by, at, new, revised, withdrawn, note, _file in history:
            what = f"rollback to {restores}" if kind == "rollback" else f"+{new} new, {revised} revised, {withdrawn} withdrawn"
            print(f"{number:4}  {at:%Y-%m-%d %H:%M}  {by:20}  {what}  {note or ''}")
        return 0
    if args.number not in {row[0] for row in history}:
        fail(f"没有第 {args.number} 号发布版本", f"there is no release {args.number}")
        return 1
    if args.release_command == "show":
        row = next(r for r in history if r[0] == args.number)
        print(f"release {row[0]} · {row[1]} · approved by {row[3]} at {row[4]:%Y-%m-%d %H:%M} UTC · {row[8] or ''}")
        print(render_changes([(c, i, r, None, y, b, a, None, None, s) for c, i, r, y, b, a, s in
                              release_changes(settings, args.number)]))
        return 0
    release = rollback_and_export(settings, args.number, args.by, args.note)
    say(f"已回滚：第 {release.number} 号版本恢复第 {args.number} 号版本的数据",
        f"rolled back: release {release.number} restores release {args.number}'s data")
    return 0


def cmd_quality(args: argparse.Namespace) -> int:
    from expectations.gate import last_run, run_gate

    settings = get_settings()
    if args.full:
        if not settings.warehouse.exists():
            say("还没有数据仓库（先运行 planwatch run）。", "No warehouse yet (run planwatch run first).")
            return 1
        gate = run_gate(settings)  # every rule over every row; recorded like a run's gate
    else:
        gate = last_run(settings)
    if gate is None:
        say("还没有运行过数据质量检查（先运行 planwatch run）。", "No quality run yet (run planwatch run first).")
        return 1
    print(f"运行 run {gate.run_id} · {gate.validated_at} UTC")
    print(gate.render())
    if args.all:
        for r in gate.results:
            if r.success:
                print(f"  通过 PASSED {r.table_name} · {r.check_name}：{r.title_zh}")
    return 0 if gate.passed else 1


def cmd_templates(args: argparse.Namespace) -> int:
    from planwatch.ingest.templates import write_prefilled_template, write_templates
    from planwatch.plan_pack import seed_rows

    if args.region is None:
        for path in write_templates(args.folder):
            say(f"已写入 {path}", f"written {path}")
        return 0
    seeds = get_settings().seeds
    codes = {key: r["region_code"] for r in seed_rows(seeds, "regions") for key in (r["region_code"], r["name_zh"])}
    if args.region not in codes:
        fail(f"地区“{args.region}”不在规划包的地区表中", f"the region {args.region!r} is not in the plan pack's regions")
        return 2
    path = write_prefilled_template(seeds, codes[args.region], args.year,
                                    args.folder / f"planwatch_{codes[args.region]}_{args.year}.xlsx")
    say(f"已写入 {path}", f"written {path}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    import signal
    import subprocess

    from planwatch.dbt_project import prepared_dbt_project
    from planwatch.settings import REPO_ROOT, export_env

    settings = get_settings()
    export_env(settings)
    prepared_dbt_project(settings)  # the code location reads the dbt manifest when it loads
    command = [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "orchestration.definitions",
               "-h", args.host, "-p", str(args.port)]
    # dagster dev started from a script ignores SIGINT unless it is reset to the default before exec; its own
    # session lets us stop the webserver and the daemon together
    process = subprocess.Popen(command, cwd=REPO_ROOT, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    say(f"Dagster 界面：http://{args.host}:{args.port}（按 Ctrl-C 停止）",
        f"Dagster UI: http://{args.host}:{args.port} (Ctrl-C stops it); home {settings.dagster_home}")
    code = _wait_then_stop_group(process)
    say("Dagster 界面已停止。", "Dagster UI stopped.")
    return code


def _wait_then_stop_group(process) -> int:
    """Wait for a server started in its own session; on Ctrl-C or SIGTERM stop its whole process group (SIGINT,
    then SIGTERM, then SIGKILL), so no worker is left holding a port or the warehouse."""
    import os
    import signal
    import subprocess

    def stop(*_):
        raise KeyboardInterrupt

    # explicit handlers: a shell that starts us in the background hands us SIGINT *ignored*, and Python then
    # never raises KeyboardInterrupt (seen when CI ran under `nohup … &`)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        return process.wait()
    except KeyboardInterrupt:
        for sig, grace in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    import subprocess

    from planwatch.settings import REPO_ROOT, export_env

    settings = get_settings()
    export_env(settings)
    command = [str(Path(sys.executable).parent / "streamlit"), "run", str(REPO_ROOT / "dashboard" / "app.py"),
               "--server.address", args.host, "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal",
               "--client.showErrorDetails", "none"]
    from planwatch.access.accounts import oidc_config_path

    if oidc_config_path(settings).exists():  # st.login's settings (planwatch users oidc)
        command += ["--secrets.files", str(oidc_config_path(settings))]
    say(f"看板：http://{args.host}:{args.port}（读取已发布的数据；按 Ctrl-C 停止）",
        f"Dashboard: http://{args.host}:{args.port} (reads the published warehouse; Ctrl-C stops it)")
    process = subprocess.Popen(command, cwd=REPO_ROOT)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        process.wait(timeout=20)
        return 0


def cmd_superset(args: argparse.Namespace) -> int:
    """Apache Superset on the published warehouse (planwatch/bi/superset_server.py), in its own environment."""
    import subprocess

    from planwatch.bi.superset_server import SupersetProblem, dashboard_url, prepare_superset

    settings = get_settings()
    say("正在设置 Superset（元数据、账户、仪表板）……", "setting Superset up (metadata, account, dashboard) …")
    try:
        home = prepare_superset(settings)
    except SupersetProblem as problem:
        fail(problem.zh, problem.en)
        return 2
    where = (f"密码见 {home.password_file}" if home.password_file else "密码为 PLANWATCH_SUPERSET_PASSWORD",
             f"password in {home.password_file}" if home.password_file else "password: PLANWATCH_SUPERSET_PASSWORD")
    if args.setup_only:
        say(f"Superset 已设置：账户 admin，{where[0]}", f"Superset is set up: account admin, {where[1]}")
        return 0
    process = subprocess.Popen(home.serve_command(args.host, args.port), env=home.env, cwd=home.folder,
                               start_new_session=True)
    say(f"Superset：{dashboard_url(args.host, args.port)}（账户 admin，{where[0]}；按 Ctrl-C 停止）",
        f"Superset: {dashboard_url(args.host, args.port)} (account admin, {where[1]}; Ctrl-C stops it)")
    code = _wait_then_stop_group(process)
    say("Superset 已停止。", "Superset stopped.")
    return code


def cmd_dbt(args: argparse.Namespace) -> int:
    from planwatch.dbt_project import run_dbt

    return run_dbt(get_settings(), args.dbt_args)


def cmd_metrics(args: argparse.Namespace) -> int:
    """The semantic layer's metrics by name, on the published copy (planwatch/metric_queries.py)."""
    from planwatch.metric_queries import MetricProblem, list_metrics, query_metrics

    settings = get_settings()
    try:
        if args.action == "list":
            for name, description, dimensions in list_metrics(settings):
                print(f"{name}\t{description}")
                if args.dimensions:
                    for dimension in dimensions:
                        print(f"    {dimension}")
            return 0
        if not args.metrics:
            raise MetricProblem("请用 --metrics 指定指标（planwatch metrics list 列出全部）",
                                "name the metrics with --metrics (planwatch metrics list lists them)")
        result = query_metrics(settings, _csv(args.metrics), _csv(args.group_by), args.where or [],
                               _csv(args.order_by), args.limit)
    except MetricProblem as problem:
        fail(problem.zh, problem.en)
        return 2
    if args.explain:
        print(result.sql)
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        widths = [max(len(str(c)), *(len(_cell(r[i])) for r in result.rows)) for i, c in enumerate(result.columns)]
        print("  ".join(str(c).ljust(w) for c, w in zip(result.columns, widths)))
        for row in result.rows:
            print("  ".join(_cell(v).ljust(w) for v, w in zip(row, widths)))
    return 0


def _csv(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def cmd_docs(args: argparse.Namespace) -> int:
    from planwatch.dbt_project import run_dbt

    settings = get_settings()
    # --static: one self-contained HTML file (manifest and catalog inside) that opens from disk; the plain
    # index.html fetches manifest.json, which a browser refuses from a file:// page ("not currently documented")
    code = run_dbt(settings, ["docs", "generate", "--static"])
    if code == 0:
        site = settings.dbt_target_path / "static_index.html"
        say(f"文档已生成（直接用浏览器打开，看板“数据字典”页也可下载）：{site}",
            f"dbt docs written (open it in a browser; the dashboard's data dictionary page offers it too): {site}")
    return code


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from planwatch.access.accounts import (AccessProblem, add_account, list_accounts, remove_account,
                                           set_password, write_oidc_config)

    settings = get_settings()

    def password() -> str:
        if args.password_stdin or args.client_secret_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("密码 / password: ")
        if getpass.getpass("再输入一次 / again: ") != first:
            raise AccessProblem("两次输入的密码不一致", "the two passwords differ")
        return first

    try:
        if args.action == "add":
            regions = [_region_code(settings, r) for r in args.region or []]
            account = add_account(settings, args.name, args.role, None if args.oidc else password(), regions,
                                  oidc=args.oidc)
            say(f"已添加用户 {account.name}（{account.role}{'，统一身份认证登录' if account.oidc else ''}）",
                f"added user {account.name} ({account.role}{', signs in through the identity provider' if account.oidc else ''})")
        elif args.action == "oidc":
            if not (args.metadata_url and args.client_id):
                raise AccessProblem("需要 --metadata-url 和 --client-id（客户端密钥从标准输入读取：--client-secret-stdin）",
                                    "--metadata-url and --client-id are needed (the client secret is read from stdin "
                                    "with --client-secret-stdin)")
            path = write_oidc_config(settings, args.metadata_url, args.client_id, password(), args.redirect_uri)
            say(f"已写入统一身份认证设置：{path}（重启 planwatch dashboard 后生效）",
                f"identity provider settings written: {path} (restart planwatch dashboard)")
        elif args.action == "remove":
            remove_account(settings, args.name)
            say(f"已删除用户 {args.name}", f"removed user {args.name}")
        elif args.action == "passwd":
            set_password(settings, args.name, password())
            say(f"已修改 {args.name} 的密码", f"changed the password of {args.name}")
        else:
            for account in list_accounts(settings):
                print(f"{account.name}\t{account.role}\t{','.join(account.regions) or '-'}"
                      f"{chr(9) + 'oidc' if account.oidc else ''}")
    except AccessProblem as problem:
        fail(problem.zh, problem.en)
        return 2
    return 0


def _region_code(settings, name: str) -> str:
    """A region's code from its name or code, as the plan pack lists it."""
    from planwatch.access.accounts import AccessProblem
    from planwatch.plan_pack import seed_rows

    for row in seed_rows(settings.seeds, "regions"):
        if name in (row["region_code"], row["name_zh"], row["name_en"]):
            return row["region_code"]
    raise AccessProblem(f"地区“{name}”不在地区表中", f"region {name!r} is not in the regions table")


def cmd_report(args: argparse.Namespace) -> int:
    from planwatch.reports import ReportProblem, write_report

    settings = get_settings()
    formats = tuple(f.strip().lower() for f in args.format.split(",") if f.strip())
    try:
        written = write_report(settings, args.kind, args.year, args.region, formats, args.lang, made_by=args.by,
                               plan=args.plan)
    except ReportProblem as problem:
        fail(problem.zh, problem.en)
        return 2
    for path in written:
        say(f"已写出：{path}", f"written: {path}")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    from planwatch.recovery import recover

    settings = get_settings()
    outcome = recover(settings, force=args.force)
    if outcome is None:
        say("数据仓库工作文件完好，无需恢复（如仍要重建，请加 --force）。",
            "The working warehouse file is sound: nothing to recover (add --force to rebuild it anyway).")
        return 0
    if outcome.damaged_kept_as:
        say(f"损坏的工作文件已保留为 {outcome.damaged_kept_as}", f"The damaged working file is kept as "
            f"{outcome.damaged_kept_as}")
    if outcome.restored_release:
        say(f"已从第 {outcome.restored_release} 次发布时的副本恢复", f"Restored the copy taken at release "
            f"{outcome.restored_release}")
    else:
        say("没有发布时的副本：从空的数据仓库开始", "No copy from a release: starting from an empty warehouse")
    say(f"重新加载 {len(outcome.loads_replayed)} 个批次（原批次号不变），重做 {outcome.actions_replayed} 项审核操作",
        f"Loaded again {len(outcome.loads_replayed)} load(s) under their own load ids; replayed "
        f"{outcome.actions_replayed} review action(s)")
    for line in outcome.not_replayed:
        print(f"  ! {line}")
    say("请运行 planwatch run 重建数据集市。", "Run planwatch run to rebuild the marts.")
    return 1 if outcome.not_replayed else 0


def cmd_plan_draft(args: argparse.Namespace) -> int:
    from planwatch.messages import Problem
    from planwatch.plan_draft import Registry, draft_document, write_pack

    settings = get_settings()
    code = args.code.strip().upper()
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", code):
        fail(f"规划代码 {args.code!r} 只能用字母、数字和下划线", f"plan code {args.code!r} must be letters, digits and _")
        return 2
    out = Path(args.out) if args.out else settings.seeds / "plans" / code.lower()
    if out.exists() and any(out.iterdir()) and not args.replace:
        fail(f"{out} 已存在：审核过的计划包不会被覆盖（要重新起草请加 --replace，或用 --out 写到别处）",
             f"{out} exists: a reviewed pack is never overwritten (add --replace to draft again, or --out elsewhere)")
        return 2
    try:
        draft = draft_document(Path(args.document), plan_code=code, registry=Registry.from_pack(settings.seeds, without=out.name),
                               region_code=args.region, previous_plan_code=args.previous, name_en=args.name_en or "",
                               is_example=args.example)
        counts = write_pack(draft, Path(args.document), out)
    except Problem as problem:
        fail(problem.zh, problem.en)
        return 2
    for kind, n in counts.items():
        print(f"  {out.name}__{kind}.csv  {n}")
    say(f"已写出计划包草稿 {out}：{sum(counts.values())} 行，{len(draft.review)} 项待审核（见 {out / 'REVIEW.md'}）。"
        "审核、更正后提交；之后每次构建都会读取它。",
        f"Wrote the draft plan pack {out}: {sum(counts.values())} rows, {len(draft.review)} items to review (see "
        f"{out / 'REVIEW.md'}). Review, correct and commit it; every build reads it from then on.")
    return 0


def cmd_plan_describe(args: argparse.Namespace) -> int:
    from planwatch.plan_pack import plan_folders, write_seed_properties

    for folder in plan_folders(get_settings().seeds):
        path = write_seed_properties(folder)  # once: the message names the file it wrote
        say(f"已写出：{path}", f"written: {path}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    settings = get_settings()
    for field in ("home", "warehouse", "landing", "dbt_target_path", "dagster_home", "log_dir", "target"):
        print(f"{field:16} {getattr(settings, field)}")
    if settings.target == "postgres":
        print(f"{'postgres':16} {settings.pg_user}@{settings.pg_host}:{settings.pg_port}/{settings.pg_database} "
              f"(BI role {settings.pg_bi_role})")
    if settings.target == "spark":
        print(f"{'spark_dir':16} {settings.spark_dir}")
        print(f"{'spark_master':16} {settings.spark_master} (executors {settings.spark_executor_cores} core(s), "
              f"{settings.spark_executor_memory}; driver at {settings.spark_driver_host})")
        metastore = (f"postgres {settings.pg_user}@{settings.pg_host}:{settings.pg_port}/"
                     f"{settings.spark_metastore_database}" if settings.spark_metastore == "postgres"
                     else f"derby {settings.spark_dir / 'metastore_db'}")
        print(f"{'spark_metastore':16} {metastore}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planwatch", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="运行主流程：加载、构建、检验、发布、导出 / run the main job: load, build, validate, publish, export")
    run.add_argument("--verbose", action="store_true",
                     help="显示 dbt、Dagster 和检查的全部输出（默认只显示各阶段进度，全部内容写入运行日志）/ show all of "
                          "dbt's, Dagster's and the checks' output (by default one line per stage; the run log "
                          "keeps everything)")
    run.add_argument("--force", action="store_true",
                     help="即使自上次完整运行以来没有任何变化也重新构建 / rebuild even when nothing changed since the last "
                          "complete run")
    run.add_argument("--full-audit", action="store_true",
                     help="数据质量全面检查：每条规则检查全部数据（平时只检查新报送及其涉及的指标×地区；隐含 --force）/ "
                          "validate every quality rule over every row (a run otherwise checks the new submissions "
                          "and the keys they touch; implies --force)")
    run.set_defaults(func=cmd_run)
    ui = sub.add_parser("ui", help="启动 Dagster 界面（仅本机 127.0.0.1）/ start the Dagster UI on 127.0.0.1")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
    dashboard = sub.add_parser("dashboard", help="启动看板（仅本机 127.0.0.1）/ start the dashboard on 127.0.0.1")
    dashboard.add_argument("--host", default="127.0.0.1")
    dashboard.add_argument("--port", type=int, default=8501)
    dashboard.set_defaults(func=cmd_dashboard)
    superset = sub.add_parser("superset", help="启动 Apache Superset（仅本机 127.0.0.1，只读已发布数据；先运行 make superset）"
                              "/ start Apache Superset on 127.0.0.1 over the published warehouse, read-only")
    superset.add_argument("--host", default="127.0.0.1")
    superset.add_argument("--port", type=int, default=8088)
    superset.add_argument("--setup-only", action="store_true",
                          help="只设置（元数据、账户、仪表板），不启动 / set up only, do not serve")
    superset.set_defaults(func=cmd_superset)
    load = sub.add_parser("load", help="加载统计数据文件（CSV/XLSX）到数据仓库 / load statistics files into the warehouse")
    load.add_argument("paths", nargs="*", type=Path,
                      help="要加载的文件；省略则加载落地文件夹中的所有新文件 / files to load; default: every new file "
                           "in the landing folder")
    load.add_argument("--region", help="报送地区（名称或代码，默认取落地子文件夹名或文件中唯一的地区）/ the sending "
                                        "region (name or code; default: the landing subfolder, or the one region "
                                        "the file names)")
    load.add_argument("--by", help="报送人（默认当前用户）/ the person sending (default: the current user)")
    load.set_defaults(func=cmd_load)
    publish = sub.add_parser("publish", help="检查工作库并在通过后发布（不重新加载、不重新构建）/ validate the working "
                                              "warehouse and publish it if every error-level check passes")
    publish.set_defaults(func=cmd_publish)
    quality = sub.add_parser("quality", help="显示最近一次数据质量检查结果 / show the last quality-gate results")
    quality.add_argument("--all", action="store_true", help="也列出通过的检查 / list passed checks too")
    quality.add_argument("--full", action="store_true",
                         help="现在全面检查工作库：每条规则检查全部数据 / audit the working warehouse now: every rule "
                              "over every row")
    quality.set_defaults(func=cmd_quality)
    templates = sub.add_parser("templates", help="写出填报模板和示例 / write the input templates and a filled example")
    templates.add_argument("folder", nargs="?", type=Path, default=Path("templates"))
    templates.add_argument("--region", help="一个地区（名称或代码）的预填模板 / a template pre-filled for one region "
                                            "(name or code)")
    templates.add_argument("--year", type=int, default=datetime.now().year - 1,
                           help="预填的年份（默认：上一年）/ the year it is for (default: last year)")
    templates.set_defaults(func=cmd_templates)
    dbt = sub.add_parser("dbt", help="以 planwatch 的设置运行 dbt / run dbt with planwatch's settings",
                         prefix_chars="\0")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)
    metrics = sub.add_parser("metrics", help="按名称查询语义层指标（已发布数据） / query the semantic layer's metrics by "
                                             "name (published copy)")
    metrics.add_argument("action", choices=("list", "query"))
    metrics.add_argument("--metrics", help="指标名，逗号分隔 / metric names, comma-separated (completion_rate,…)")
    metrics.add_argument("--group-by", help="维度，逗号分隔 / dimensions, comma-separated "
                                            "(region__name_zh,metric_time__year,…)")
    metrics.add_argument("--where", action="append", help="筛选条件 / a filter, e.g. "
                                                          "\"{{ TimeDimension('metric_time', 'year') }} = '2025-01-01'\"")
    metrics.add_argument("--order-by", help="排序，逗号分隔（-表示降序） / order, comma-separated (- for descending)")
    metrics.add_argument("--limit", type=int)
    metrics.add_argument("--dimensions", action="store_true", help="list：同时列出可用维度 / list: with dimensions")
    metrics.add_argument("--csv", action="store_true", help="以 CSV 输出 / print CSV")
    metrics.add_argument("--explain", action="store_true", help="同时输出生成的 SQL / print the SQL too")
    metrics.set_defaults(func=cmd_metrics)
    docs = sub.add_parser("docs", help="生成 dbt 文档 / generate the dbt docs site")
    docs.set_defaults(func=cmd_docs)
    review = sub.add_parser("review", help="审核：候选版本的变化和上次发布以来的报送 / the candidate release: what it "
                                           "changes, and the submissions since the last release")
    review.set_defaults(func=cmd_review)
    approve = sub.add_parser("approve", help="签发候选版本 / sign the candidate release and publish it")
    approve.add_argument("--by", required=True, help="签发人 / the steward signing")
    approve.add_argument("--note", help="说明 / a note")
    approve.set_defaults(func=cmd_approve)
    send_back = sub.add_parser("return", help="退回一个报送 / return a submission to its sender")
    send_back.add_argument("submission", help="批次号或文件名 / its load id or file name")
    send_back.add_argument("--by", required=True, help="审核人 / the steward")
    send_back.add_argument("--note", required=True, help="退回原因 / why it goes back")
    send_back.set_defaults(func=cmd_return)
    query = sub.add_parser("query", help="查询：需要说明或审核判断的数值 / queries: values that need an explanation or "
                                         "the steward's judgement")
    query.add_argument("query_command", choices=["list"], nargs="?", default="list")
    query.add_argument("--all", action="store_true", help="也列出已答复的 / answered ones too")
    query.set_defaults(func=cmd_query)
    for name, helptext in (("answer", "报送单位答复查询 / the sender explains a queried value"),
                           ("accept", "审核人接受查询中的数值 / the steward accepts a queried value")):
        respond = sub.add_parser(name, help=helptext)
        respond.add_argument("query", help="查询编号（前 8 位即可）/ the query id (its first 8 characters will do)")
        respond.add_argument("--by", required=True, help="姓名 / who")
        respond.add_argument("--note", required=True, help="说明 / the explanation")
        respond.set_defaults(func=cmd_answer)
    release = sub.add_parser("release", help="发布版本：list / show N / rollback N / the releases")
    release_sub = release.add_subparsers(dest="release_command", required=True)
    release_sub.add_parser("list", help="所有发布版本 / every release")
    show_release = release_sub.add_parser("show", help="一个版本的变化 / what a release changed")
    show_release.add_argument("number", type=int)
    roll = release_sub.add_parser("rollback", help="回滚到某个版本（本身也是一个新版本）/ restore a release's data "
                                                  "(itself a new release)")
    roll.add_argument("number", type=int)
    roll.add_argument("--by", required=True, help="操作人 / the steward")
    roll.add_argument("--note", required=True, help="原因 / why")
    release.set_defaults(func=cmd_release, number=None)
    sync = sub.add_parser("sync", help="把尚未复制的加载批次复制到目标库（PostgreSQL / Spark）的 raw 模式 / copy the "
                                       "loads the PostgreSQL or Spark target does not have yet into its raw schema")
    sync.set_defaults(func=cmd_sync)
    users = sub.add_parser("users", help="管理账户（add / remove / passwd / list） / manage the accounts")
    users.add_argument("action", choices=("add", "remove", "passwd", "list", "oidc"))
    users.add_argument("name", nargs="?", default="", help="用户名 / user name")
    users.add_argument("--role", choices=("viewer", "statistician", "steward", "admin"), default="viewer",
                       help="角色 / role")
    users.add_argument("--region", action="append", help="统计人员负责的地区（可多次） / a statistician's region (repeatable)")
    users.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码 / read the password from stdin")
    users.add_argument("--oidc", action="store_true", help="add：经统一身份认证登录，无密码 / add: signs in through the "
                                                            "identity provider (no password)")
    users.add_argument("--metadata-url", help="oidc：身份提供方的 .well-known/openid-configuration 地址 / the "
                                              "provider's discovery URL")
    users.add_argument("--client-id", help="oidc：客户端 ID / the client id")
    users.add_argument("--client-secret-stdin", action="store_true", help="oidc：从标准输入读取客户端密钥 / read the "
                                                                          "client secret from stdin")
    users.add_argument("--redirect-uri", default="http://127.0.0.1:8501/oauth2callback",
                       help="oidc：看板的回调地址 / the dashboard's callback URL")
    users.set_defaults(func=cmd_users)
    report = sub.add_parser("report", help="从已发布数据生成报告（Word、PDF、Excel） / write a report (Word, PDF, Excel) "
                                           "from the published copy")
    report.add_argument("--kind", choices=("annual", "mid_term", "final"), default="annual",
                        help="annual 年度监测报告 / mid_term 中期评估 / final 总结评估")
    report.add_argument("--plan", help="规划代码（默认：看板默认显示的规划，dim_plan.is_default_view） / the plan's code "
                                       "(default: the plan pages open on)")
    report.add_argument("--year", type=int, help="年份（默认：年度为最新有数据的年份，中期为规划期中间一年，总结为最后一年） / "
                                                 "the year (default: the latest with data; the middle and the last "
                                                 "year of the plan for mid_term and final)")
    report.add_argument("--region", help="地区名称或代码（默认：全市） / a region's name or code (default: the city)")
    report.add_argument("--format", default="docx,pdf,xlsx", help="docx,pdf,xlsx 中的一种或几种 / one or more of them")
    report.add_argument("--lang", choices=("zh", "en"), default="zh", help="语言 / language")
    report.add_argument("--by", default="planwatch", help="制表单位 / the office that makes the tables")
    report.set_defaults(func=cmd_report)
    recover = sub.add_parser("recover", help="工作文件损坏时：从最近一次发布时的副本恢复，并重新加载此后的文件 / a damaged "
                                             "working file: restore the copy of the last release and load again "
                                             "what arrived since")
    recover.add_argument("--force", action="store_true", help="即使工作文件完好也重建 / rebuild even a sound file")
    recover.set_defaults(func=cmd_recover)
    plan = sub.add_parser("plan", help="规划：从规划文本起草计划包 / plans: draft a plan pack from a plan document")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    draft = plan_sub.add_parser("draft", help="从规划文本（PDF 提取的文字）起草计划包和审核清单 / draft a plan pack and its "
                                              "review list from a plan document's text (as extracted from the PDF)")
    draft.add_argument("document", help="规划文本文件（UTF-8） / the document's text file (UTF-8)")
    draft.add_argument("--code", required=True, help="规划代码，如 JM_HRSS_15 / the plan's code, e.g. JM_HRSS_15")
    draft.add_argument("--out", help="计划包文件夹（默认 seeds/plans/<代码小写>） / the pack folder (default "
                                     "seeds/plans/<code in lower case>)")
    draft.add_argument("--region", help="地区代码（默认：上一规划的地区） / the region code (default: the previous plan's)")
    draft.add_argument("--previous", help="上一规划代码（默认：计划包中紧接其前的规划） / the previous plan's code "
                                          "(default: the pack's plan that ends just before)")
    draft.add_argument("--name-en", help="英文名称 / the English title")
    draft.add_argument("--example", action="store_true", help="示例计划包：名称和数据都标为示例 / an example pack, "
                                                              "labelled 示例 in its name and data")
    draft.add_argument("--replace", action="store_true", help="覆盖已有的文件夹 / overwrite an existing folder")
    draft.set_defaults(func=cmd_plan_draft)
    describe = plan_sub.add_parser("describe", help="由暂存模型的 YAML 重写每个规划文件夹的种子说明 / write each plan "
                                                    "folder's seed descriptions from the staging models' YAML")
    describe.set_defaults(func=cmd_plan_describe)
    show = sub.add_parser("settings", help="显示当前设置 / show the settings in force")
    show.set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        settings = get_settings()  # a wrong setting is named before any work starts
        seed_path_for_dbt(settings.seeds)
    except ValueError as error:
        fail(f"设置有误：{error}", f"invalid setting: {error}")
        return 2
    from planwatch.warehouse_access import WarehouseBusy

    try:
        return args.func(args)
    except WarehouseBusy as busy:  # nothing went wrong: another task was writing; a scheduler retries later
        fail(busy.zh, busy.en)
        return 75  # EX_TEMPFAIL
    except KeyboardInterrupt:
        fail("已中断。", "interrupted.")
        return 130
    except Exception as error:  # noqa: BLE001 — a person reads one message; the traceback goes to the log
        log = record_traceback(settings, args.command)
        zh, en = explain(error)
        fail(f"{zh}（详情见 {log}）", f"{en} (details in {log})")
        return 1


def record_traceback(settings, command: str) -> Path:
    """Append the current exception's traceback to $PLANWATCH_HOME/logs/errors.log; returns its path."""
    import traceback
    from datetime import datetime, timezone

    path = settings.log_dir / "errors.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"--- {datetime.now(timezone.utc).isoformat()} planwatch {command}\n{traceback.format_exc()}\n")
    except OSError:  # a full disk or a read-only home: the message alone must do
        pass
    return path


if __name__ == "__main__":
    sys.exit(main())
