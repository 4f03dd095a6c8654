"""指标详情: the actual series against the target path, cumulative progress, pace, counties side by side.
Preliminary values are open markers, synthetic ones are labelled 示例数据; the change's colour follows the
indicator's direction."""

import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.common import english, indicator_picker, name_column, published_or_stop, region_picker, synthetic_note
from dashboard.display import marks, unit_text, value_with_unit
from dashboard.i18n import status_label, t

en = english()
st.title(t("detail", en))
published_or_stop()
indicator = indicator_picker()
region = region_picker()
series = data.progress_series(indicator, region)
about = data.plan_indicators().set_index("indicator_code").loc[indicator]
unit, direction = about.unit, about.direction
synthetic_note()
cumulative = bool(series.is_cumulative.any())
measure = series.cumulative_actual if cumulative else series.actual_value
hover = [f"{y}: {value_with_unit(v, unit, en)} {marks(s, bool(syn), en)}"
         for y, v, s, syn in zip(series.year, measure, series.actual_status, series.actual_is_synthetic.fillna(False))]
figure = go.Figure()
figure.add_trace(go.Scatter(x=series.year, y=series.target_value, name=t("target_path", en), mode="lines+markers",
                            line={"dash": "dash"},
                            hovertext=[f"{y}: {value_with_unit(v, unit, en)}" for y, v in
                                       zip(series.year, series.target_value)], hoverinfo="text"))
figure.add_trace(go.Scatter(
    x=series.year, y=measure, mode="lines+markers+text", name=t("cumulative", en) if cumulative else t("actual", en),
    marker={"size": 10, "symbol": ["circle-open" if s == "preliminary" else "circle" for s in series.actual_status]},
    text=["⚠" if syn else ("ᴾ" if s == "preliminary" else "") for s, syn in
          zip(series.actual_status, series.actual_is_synthetic.fillna(False))],
    textposition="top center", hovertext=hover, hoverinfo="text"))
figure.update_layout(height=380, margin={"t": 30}, xaxis={"dtick": 1, "title": t("year", en)},
                     yaxis={"title": unit_text(unit, en)})
st.plotly_chart(figure, width="stretch")
st.caption("○ / ᴾ preliminary (to be revised) · ⚠ synthetic demo data" if en else "○ / ᴾ 初步数（待修订）· ⚠ 示例数据")
latest = series.dropna(subset=["actual_value"]).tail(2)
if not latest.empty:
    row = latest.iloc[-1]
    cols = st.columns(4)
    shown = row.cumulative_actual if cumulative else row.actual_value
    change = None
    if len(latest) == 2 and not cumulative:
        change = row.actual_value - latest.iloc[0].actual_value
    cols[0].metric(f"{t('cumulative', en) if cumulative else t('latest', en)} · {int(row.year)}",
                   value_with_unit(shown, unit, en),
                   None if change is None else value_with_unit(change, unit, en),
                   delta_color="inverse" if direction == "lower_is_better" else
                   ("normal" if direction == "higher_is_better" else "off"))
    cols[1].metric(t("status", en), status_label(row.progress_status, en), row.completion_text, delta_color="off")
    cols[2].metric(t("pace", en), value_with_unit(row.required_yearly_pace, unit, en))
    cols[3].metric(t("projection", en), value_with_unit(row.projected_final_value, unit, en),
                   f"{t('target', en)} {value_with_unit(row.final_target_value, unit, en)}"
                   if row.final_target_value == row.final_target_value else None, delta_color="off")
    st.subheader(t("counties", en))
    counties = data.county_comparison(indicator, int(row.year), data.plan_region())
    bars = go.Figure(go.Bar(x=counties[name_column()], y=counties.measure_value,
                            text=[marks(s, bool(syn), en) for s, syn in
                                  zip(counties.actual_status, counties.actual_is_synthetic.fillna(False))],
                            hovertext=[value_with_unit(v, unit, en) for v in counties.measure_value],
                            hoverinfo="text+x"))
    bars.update_layout(height=320, margin={"t": 20}, yaxis={"title": unit_text(unit, en)})
    st.plotly_chart(bars, width="stretch")
