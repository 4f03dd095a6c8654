"""审核签发: the steward's review queue — the candidate release and what it changes, the submissions since the last
release, the open queries — and approve / return / roll back with a note; the release history."""

import pandas as pd
import streamlit as st

from dashboard.auth import require
from dashboard.common import english
from dashboard.i18n import t
from planwatch.release.actions import UnknownSubmission, return_submission
from planwatch.release.queries import queries
from planwatch.release.releases import (approve_candidate, candidate_changes, releases, rollback_and_export,
                                        submissions_since)
from planwatch.settings import get_settings

en = english()
st.title(t("review", en))
account = require("review", english=en)
settings = get_settings()
if not settings.warehouse.exists():
    st.info(t("no_candidate", en))
    st.stop()
history = releases(settings)
current = history[-1] if history else None
st.metric(t("current_release", en), f"{current[0]} · {current[4]:%Y-%m-%d %H:%M}" if current else "—")

st.subheader(t("candidate", en))
changes = candidate_changes(settings)
if changes is None:
    st.info(t("no_candidate", en))
else:
    st.dataframe(pd.DataFrame([(c, i, r, y, b, a, s) for c, i, r, _s, y, b, a, _pv, _v, s in changes],
                              columns=["变化", "指标", "地区", "年份", "原值", "新值", "来源文件"]),
                 hide_index=True, width="stretch")
    with st.form("approve"):
        note = st.text_input(t("note", en), key="approve_note")
        if st.form_submit_button(t("approve", en)):
            require("approve", english=en)  # again, right before acting
            release = approve_candidate(settings, account.name, note or None)
            if release is not None:
                st.success(t("approved", en).format(release.number))

st.subheader(t("return_submission", en))
submissions = submissions_since(settings, current[4] if current else None)
st.dataframe(pd.DataFrame([(r[0], r[1], r[2], r[3], f"{r[5]:%Y-%m-%d %H:%M}", r[6]) for r in submissions],
                          columns=["文件", "状态", "地区", "报送人", "时间", "说明"]), hide_index=True, width="stretch")
with st.form("return"):
    choices = {r[7]: f"{r[0]} ({r[7]})" for r in submissions if r[1] != "returned"}
    chosen = st.selectbox(t("return_submission", en), list(choices), format_func=choices.get, key="return_load")
    note = st.text_input(t("note", en), key="return_note")
    if st.form_submit_button(t("return_submission", en)) and chosen and note.strip():
        require("return", english=en)
        try:
            return_submission(settings, chosen, account.name, note.strip())
            st.success(t("returned_done", en))
        except UnknownSubmission:
            st.error(chosen)

st.subheader(t("open_queries", en))
st.dataframe(pd.DataFrame([(q[1], q[4], q[5], q[6], q[7], q[9] if en else q[8]) for q in queries(settings)],
                          columns=["类型", "文件", "指标", "地区", "年份", "说明"]), hide_index=True, width="stretch")

st.subheader(t("release_history", en))
st.dataframe(pd.DataFrame([(n, k, by, f"{at:%Y-%m-%d %H:%M}", new, rev, wd, note) for n, k, _r, by, at, new, rev, wd,
                           note, _f in history], columns=["版本", "类型", "签发人", "时间", "新增", "修订", "撤回", "说明"]),
             hide_index=True, width="stretch")
if history:
    with st.form("rollback"):
        number = st.selectbox(t("rollback", en), [h[0] for h in history[:-1]] or [history[0][0]], key="rollback_to")
        note = st.text_input(t("note", en), key="rollback_note")
        if st.form_submit_button(t("rollback", en)) and note.strip():
            require("rollback", english=en)
            release = rollback_and_export(settings, int(number), account.name, note.strip())
            st.success(t("rolled_back", en).format(release.number))
