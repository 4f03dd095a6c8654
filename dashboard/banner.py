"""The line above every page: which release the numbers come from, when it was signed and by whom, and whether
something newer is waiting (a candidate for a steward's sign-off) or was stopped (the latest run's quality gate
failed, so the numbers shown are the last good ones)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import streamlit as st

from dashboard import data
from planwatch.publish.published_copy import candidate_path
from planwatch.settings import Settings, get_settings


def local_time(moment: datetime, settings: Settings) -> str:
    """A stored moment (naive UTC, as planwatch writes them) in the office's time zone (PLANWATCH_TIMEZONE)."""
    return f"{moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(settings.timezone)):%Y-%m-%d %H:%M}"


def latest_gate(settings: Settings) -> tuple[datetime, int] | None:
    """When the latest quality gate ran and how many error-level checks failed (its last_run.json; read here as
    JSON rather than through expectations.gate.last_run, which would import Great Expectations into every page)."""
    path = settings.quality_dir / "last_run.json"
    if not path.exists():
        return None
    gate = json.loads(path.read_text(encoding="utf-8"))
    failed = sum(1 for r in gate["results"] if not r["success"] and r["severity"] == "error")
    return datetime.fromisoformat(gate["validated_at"]).replace(tzinfo=None), failed


def show_banner(english: bool) -> None:
    settings = get_settings()
    release = data.current_release()
    if release is None:
        st.warning("尚未发布任何版本。" if not english else "Nothing has been released yet.")
    else:
        number, at, by = release
        st.info(f"Release {number} · signed {local_time(at, settings)} by {by}" if english else
                f"第 {number} 号发布版本 · {local_time(at, settings)} 由 {by} 签发", icon=":material/verified:")
        at_release = at
    candidate = candidate_path(settings)
    if candidate.exists():
        waiting = datetime.fromtimestamp(candidate.stat().st_mtime, timezone.utc).replace(tzinfo=None)
        shown = (("the numbers below are the release above" if english else "以下数字仍为上述发布版本")
                 if release else ("nothing is shown until it is signed" if english else "签发前不显示其数字"))
        st.warning(f"A newer run ({local_time(waiting, settings)}) waits for a steward's sign-off; {shown}."
                   if english else f"有更新的运行结果（{local_time(waiting, settings)}）等待审核签发；{shown}。",
                   icon=":material/hourglass_top:")
    gate = latest_gate(settings)
    if gate and gate[1] and (release is None or gate[0] > at_release):
        st.error(f"The latest run ({local_time(gate[0], settings)}) was blocked by the quality gate ({gate[1]} "
                 "error-level checks failed): nothing from it is shown." if english else
                 f"最近一次运行（{local_time(gate[0], settings)}）未通过数据质量检查（{gate[1]} 项错误），未发布"
                 + ("；以下数字仍为上述发布版本。" if release else "。"), icon=":material/block:")


STATUS_LABELS = {"current": ("现行", "in force"), "evaluating": ("评估中", "being evaluated"),
                 "history": ("历史", "history")}


def plan_switcher(english: bool) -> None:
    """The sidebar's plan switcher: every monitored plan (the 15th plan beside the 14th while the 14th's final
    evaluation is written), opening on dim_plan.is_default_view or on a shared link's `?plan=`; every page reads
    the choice through data.shown_plan(). An example plan (示例) says so above every page."""
    import duckdb

    try:
        known = data.plans()
    except (data.NoPublishedData, duckdb.Error):  # nothing published yet, or a copy from before plans had a status
        return
    if known.empty:
        return
    codes = list(known.plan_code)
    if st.session_state.get("plan_code") not in codes:
        wanted = st.query_params.get("plan")
        st.session_state["plan_code"] = wanted if wanted in codes else codes[0]

    def label(code: str) -> str:
        row = known[known.plan_code == code].iloc[0]
        status = STATUS_LABELS.get(row.status, (row.status, row.status))[1 if english else 0]
        name = row.name_en if english and row.name_en else row.name_zh
        return f"{name} · {row.start_year}–{row.end_year} · {status}"

    st.sidebar.selectbox("Plan" if english else "规划", codes, format_func=label, key="plan_code")
    shown = known[known.plan_code == st.session_state["plan_code"]].iloc[0]
    if shown.is_example:
        st.warning("示例规划（Example plan）：不是政府发布的规划，其指标和目标均为示例数字。" if not english else
                   "Example plan (示例): not a plan any government issued; its indicators and targets are examples.",
                   icon=":material/science:")
