"""总览: every 14th-plan indicator for the city or a county — latest value, target, completion, status."""

import streamlit as st

from dashboard import data
from dashboard.common import english, mark, name_column, published_or_stop, region_picker, synthetic_note, table_download
from dashboard.i18n import status_colour, status_label, t

en = english()
st.title(t("overview", en))
published_or_stop()
region = region_picker()
card = data.scorecard(region)
synthetic_note()
rows = []
for r in card.itertuples():
    value = "—" if r.measure_value is None or r.measure_value != r.measure_value else f"{r.measure_value:,.2f}"
    rows.append({
        t("indicator", en): getattr(r, name_column()),
        t("latest", en): mark(f"{value} {r.unit}", bool(r.is_synthetic)),
        t("year", en): int(r.year),
        t("target", en): f"{r.target_text} {r.unit}",
        t("completion", en): r.completion_text,
        t("status", en): status_label(r.progress_status, en),
        t("binding", en): "★" if r.is_binding else "",
        "_colour": status_colour(r.progress_status),
    })
import pandas as pd  # noqa: E402

frame = pd.DataFrame(rows)
colours = frame.pop("_colour")
status_col = t("status", en)
st.dataframe(frame.style.apply(lambda _: [f"background-color: {c}; color: white" for c in colours],
                               subset=[status_col]), hide_index=True, width="stretch")
table_download(frame, t("overview", en), "download_overview")
