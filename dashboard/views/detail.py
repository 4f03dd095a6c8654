"""指标详情: the actual series against the target path, cumulative progress, pace, counties side by side."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.common import SYNTHETIC_MARK, english, indicator_picker, name_column, published_or_stop, region_picker, synthetic_note
from dashboard.i18n import status_label, t

en = english()
st.title(t("detail", en))
published_or_stop()
indicator = indicator_picker()
region = region_picker()
series = data.progress_series(indicator, region)
unit = data.plan_indicators().set_index("indicator_code").unit[indicator]
synthetic_note()
measure = series.cumulative_actual if bool(series.is_cumulative.any()) else series.actual_value
figure = go.Figure()
figure.add_trace(go.Scatter(x=series.year, y=series.target_value, name=t("target_path", en), mode="lines+markers",
                            line={"dash": "dash"}))
measure_name = t("cumulative", en) if bool(series.is_cumulative.any()) else t("actual", en)
if bool(series.actual_is_synthetic.fillna(False).any()):
    measure_name += f" · {SYNTHETIC_MARK}"
figure.add_trace(go.Scatter(x=series.year, y=measure, mode="lines+markers", name=measure_name))
figure.update_layout(height=380, margin={"t": 30}, xaxis={"dtick": 1}, yaxis={"title": unit})
st.plotly_chart(figure, width="stretch")
latest = series.dropna(subset=["actual_value"]).tail(1)
if not latest.empty:
    row = latest.iloc[0]
    cols = st.columns(3)
    cols[0].metric(t("status", en), status_label(row.progress_status, en), row.completion_text)
    pace = row.required_yearly_pace
    cols[1].metric(t("pace", en), "—" if pace is None or pace != pace else f"{pace:,.2f} {unit}")
    cols[2].metric(t("projection", en), f"{row.projected_final_value:,.2f} {unit}",
                   f"{t('target', en)} {row.final_target_value:,.2f} {unit}"
                   if row.final_target_value == row.final_target_value else None)
    st.subheader(t("counties", en))
    counties = data.county_comparison(indicator, int(row.year), data.plan_region())
    bars = go.Figure(go.Bar(x=counties[name_column()], y=counties.measure_value,
                            text=[SYNTHETIC_MARK if s else "" for s in counties.actual_is_synthetic.fillna(False)]))
    bars.update_layout(height=320, margin={"t": 20}, yaxis={"title": unit})
    st.plotly_chart(bars, width="stretch")
