"""数据质量: the last validation (failures and warnings first), its history, and where the Data Docs are."""

import re

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import data
from dashboard.banner import local_time
from dashboard.common import english, published_or_stop, table_download
from dashboard.i18n import t
from planwatch.settings import get_settings

STAGES = {"raw_loads": ("原始加载", "raw loads"), "staging": ("清洗", "staging"), "marts": ("发布表", "marts")}


def found(observed, success: bool, english: bool) -> str:
    """What a failed check found, in short (the rows themselves are in the details below the table)."""
    if success:
        return "—"
    rows = re.match(r"^(\d+) rows?", observed or "")
    if rows:
        return f"{rows.group(1)} rows" if english else f"{rows.group(1)} 行"
    return "see the details below" if english else "见下方详细信息"


def check_title(title_zh: str, description: str, english: bool) -> str:
    # a check without an English sentence of its own carries the expectation's class name: Chinese then
    return description if english and not description.startswith("Expect") else title_zh
SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning")}

en = english()
settings = get_settings()
st.title(t("quality", en))
published_or_stop()
results = data.quality_results()
last_run = results.run_id.iloc[0]
last = results[results.run_id == last_run].sort_values(["success", "severity"])
st.subheader(t("failures_first", en))
st.caption(f"{t('validated_at', en)}：{local_time(last.validated_at.iloc[0].to_pydatetime(), settings)}")
shown = pd.DataFrame({
    t("check_result", en): [("passed" if s else "failed") if en else ("通过" if s else "未通过") for s in last.success],
    t("severity", en): [SEVERITY.get(s, (s, s))[1 if en else 0] for s in last.severity],
    t("stage", en): [STAGES.get(s, (s, s))[1 if en else 0] for s in last.suite],
    t("check", en): [check_title(z, d, en) for z, d in zip(last.title_zh, last.description)],
    t("observed", en): [found(o, bool(s), en) for o, s in zip(last.observed, last.success)],
})
st.dataframe(shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)
table_download(shown, t("quality", en), "download_quality")
failed = last[~last.success.astype(bool)]
if not failed.empty:
    with st.expander(t("failure_details", en)):
        for r in failed.itertuples():
            st.markdown(f"**{check_title(r.title_zh, r.description, en)}**")
            st.text(r.observed or "—")
st.subheader(t("history", en))
history = (results.assign(failed=~results.success.astype(bool))
           .groupby(["validated_at", "severity"]).failed.sum().reset_index())
history["severity"] = [SEVERITY.get(s, (s, s))[1 if en else 0] for s in history.severity]
st.plotly_chart(px.bar(history, x="validated_at", y="failed", color="severity",
                       labels={"failed": t("failed_checks", en), "validated_at": t("validated_at", en),
                               "severity": t("severity", en)}), width="stretch")
docs = settings.quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
st.markdown(f"{t('data_docs', en)}：{t('data_docs_where', en)} {docs}")
