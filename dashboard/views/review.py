"""审核签发: the steward's review queue — the candidate release and what it changes, the submissions since the last
release, the open queries — and approve / return / roll back with a note; the release history."""

import streamlit as st

from dashboard.auth import require
from dashboard.banner import local_time
from dashboard.common import SUBMISSION_HEADERS, english, pack_labels
from dashboard.display import headed, value_with_unit
from dashboard.i18n import t
from planwatch.release.actions import UnknownSubmission, return_submission
from planwatch.release.queries import queries
from planwatch.release.releases import (approve_candidate, candidate_changes, releases, rollback_and_export,
                                        submissions_since)
from planwatch.settings import get_settings

CHANGES = [("变化", "Change"), ("指标", "Indicator"), ("地区", "Region"), ("年份", "Year"), ("原值", "Before"),
           ("新值", "After"), ("来源文件", "Source file")]
QUERIES = [("类型", "Kind"), ("文件", "File"), ("指标", "Indicator"), ("地区", "Region"), ("年份", "Year"),
           ("说明", "Explanation")]
HISTORY = [("版本", "Release"), ("类型", "Kind"), ("签发人", "Signed by"), ("时间", "Time"), ("新增", "New"),
           ("修订", "Revised"), ("撤回", "Withdrawn"), ("说明", "Note")]

en = english()
st.title(t("review", en))
account = require("review", english=en)
settings = get_settings()
if not settings.warehouse.exists():
    st.info(t("no_candidate", en))
    st.stop()
history = releases(settings)
# indicators and regions by name, not code (from the plan pack: the review happens before anything is published)
names = pack_labels("plan_indicators", "indicator_code")
units = pack_labels("plan_indicators", "indicator_code", "unit")
regions = pack_labels("regions", "region_code")
current = history[-1] if history else None
st.metric(t("current_release", en), f"{current[0]} · {local_time(current[4], settings)}" if current else "—")

st.subheader(t("candidate", en))
changes = candidate_changes(settings)
if changes is None:
    st.info(t("no_candidate", en))
else:
    counts = st.columns(3)
    for column, (code, label) in zip(counts, (("new", t("new_values", en)), ("revised", t("revisions", en)),
                                              ("withdrawn", t("withdrawals", en)))):
        column.metric(label, sum(1 for change in changes if change[0] == code))
    st.dataframe(headed([(c, names.get(i, i), regions.get(r, r), y, value_with_unit(b, units.get(i), en),
                          value_with_unit(a, units.get(i), en), s)
                         for c, i, r, _s, y, b, a, _pv, _v, s in changes], CHANGES, en, codes=(0,)),
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
st.dataframe(headed([(r[0], r[1], regions.get(r[2], r[2]), r[3], local_time(r[5], settings), r[6] if en else r[8] or r[6]) for r in submissions],
                    SUBMISSION_HEADERS, en, codes=(1,)), hide_index=True, width="stretch")
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
st.dataframe(headed([(q[1], q[4], names.get(q[5], q[5]), regions.get(q[6], q[6]), q[7], q[9] if en else q[8])
                     for q in queries(settings)], QUERIES, en, codes=(0,)), hide_index=True, width="stretch")

st.subheader(t("release_history", en))
st.dataframe(headed([(n, k, by, local_time(at, settings), new, rev, wd, note)
                     for n, k, _r, by, at, new, rev, wd, note, _f in history], HISTORY, en, codes=(1,)),
             hide_index=True, width="stretch")
if history:
    with st.form("rollback"):
        number = st.selectbox(t("rollback", en), [h[0] for h in history[:-1]] or [history[0][0]], key="rollback_to")
        note = st.text_input(t("note", en), key="rollback_note")
        if st.form_submit_button(t("rollback", en)) and note.strip():
            require("rollback", english=en)
            release = rollback_and_export(settings, int(number), account.name, note.strip())
            st.success(t("rolled_back", en).format(release.number))
