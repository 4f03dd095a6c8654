"""各县对比: the counties side by side for one year — a county × indicator table coloured by status, the ranking
of the counties for one indicator (best first, by the indicator's direction), and for additive indicators each
county's share of the counties' sum (which is the city's figure when all seven reported)."""

from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data
from dashboard.common import english, indicator_picker, published_or_stop, synthetic_note, table_download
from dashboard.display import marks, number, unit_text, value_label, value_with_unit
from dashboard.i18n import status_colour, status_label, t

en = english()
st.title(t("county_comparison", en))
published_or_stop()
years = data.years_with_data()
year = st.selectbox(t("year", en), years[::-1], key="counties_year")
matrix = data.county_matrix(int(year))
synthetic_note()
name = "name_en" if en else "name_zh"
regions = matrix.drop_duplicates("region_code")[["region_code", name, "is_county"]]
indicators = matrix.drop_duplicates("indicator_code")

st.subheader(t("county_table", en))
cells = {(r.indicator_code, r.region_code): r for r in matrix.itertuples()}
head = "".join(f"<th>{escape(h)}</th>" for h in
               [t("indicator", en), t("unit_label", en)] + list(regions[name]))
body = []
for ind in indicators.itertuples():
    row = [f"<td>{ind.row_no}. {escape(ind.indicator_en if en else ind.indicator_zh)}</td>",
           f"<td>{escape(unit_text(ind.unit, en))}</td>"]
    for reg in regions.itertuples():
        cell = cells.get((ind.indicator_code, reg.region_code))
        if cell is None:
            row.append("<td>—</td>")
            continue
        mark = marks(cell.actual_status, bool(cell.is_synthetic), en, short=True)
        row.append(f"<td style='background:{status_colour(cell.progress_status)};color:white' "
                   f"title='{escape(status_label(cell.progress_status, en))}'>"
                   f"{escape(number(cell.measure_value, cell.unit))}"
                   f"{' ' + escape(mark) if mark else ''}</td>")
    body.append("<tr>" + "".join(row) + "</tr>")
legend = " ".join(f"<span style='background:{status_colour(c)};color:white;padding:1px 6px'>"
                  f"{escape(status_label(c, en))}</span>"
                  for c in ("on_track", "at_risk", "off_track", "no_data", "no_target"))
legend += " · " + ("⚠ synthetic demo · ᴾ preliminary · ʳ revised" if en else "⚠ 示例数据 · ᴾ 初步数 · ʳ 修订数")
st.html(f"""<style>.counties {{ border-collapse: collapse; font-size: 0.85rem; }}
.counties th, .counties td {{ border: 1px solid #bbb; padding: 3px 5px; text-align: right; }}
.counties td:first-child, .counties td:nth-child(2), .counties th:first-child, .counties th:nth-child(2)
  {{ text-align: left; }}
.counties th {{ background: #ddebf7; }}</style>
<table class="counties"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<p style="font-size:0.8rem">{legend}</p>""")
wide = pd.DataFrame([[f"{ind.row_no}. {ind.indicator_en if en else ind.indicator_zh}", unit_text(ind.unit, en)] +
                     [cells[(ind.indicator_code, reg.region_code)].measure_value
                      if (ind.indicator_code, reg.region_code) in cells else None for reg in regions.itertuples()]
                     for ind in indicators.itertuples()],
                    columns=[t("indicator", en), t("unit_label", en)] + list(regions[name]))
table_download(wide, f"{t('county_comparison', en)}_{year}", "download_counties")

st.subheader(t("county_ranking", en))
indicator = indicator_picker("counties_indicator")
chosen = matrix[(matrix.indicator_code == indicator) & matrix.is_county]
if chosen.empty or chosen.measure_value.isna().all():
    st.info(t("no_county_data", en))
else:
    direction = chosen.direction.iloc[0]
    unit = chosen.unit.iloc[0]
    ranked = chosen.sort_values("measure_value", ascending=direction == "lower_is_better", na_position="last")
    ranking = pd.DataFrame({
        t("rank", en): range(1, len(ranked) + 1),
        t("region", en): ranked[name].to_list(),
        t("latest", en): [value_with_unit(v, unit, en) + (f" {m}" if (m := marks(s, bool(syn), en)) else "")
                          for v, s, syn in zip(ranked.measure_value, ranked.actual_status, ranked.is_synthetic)],
        t("status", en): [status_label(s, en) for s in ranked.progress_status],
        t("completion", en): [value_label(c, en) for c in ranked.completion_text],
    })
    st.caption(t("ranking_lower_first", en) if direction == "lower_is_better" else t("ranking_higher_first", en))
    st.dataframe(ranking, hide_index=True, width="stretch")
    table_download(ranking, f"{t('county_ranking', en)}_{year}", "download_ranking")
    if bool(chosen.is_additive.iloc[0]):
        st.subheader(t("county_share", en))
        city = matrix[(matrix.indicator_code == indicator) & ~matrix.is_county]
        figure = go.Figure(go.Pie(labels=chosen[name], values=chosen.measure_value, sort=False, hole=0.4,
                                  texttemplate="%{label}<br>%{percent:.1%}",
                                  hovertext=[value_with_unit(v, unit, en) for v in chosen.measure_value],
                                  hoverinfo="text+label"))
        total = value_with_unit(chosen.measure_value.sum(), unit, en)
        city_value = value_with_unit(city.measure_value.iloc[0], unit, en) if not city.empty else "—"
        figure.update_layout(height=380, margin={"t": 30},
                             title=(f"Sum of the counties {total} · city figure {city_value}" if en else
                                    f"各县（市、区）合计 {total} · 全市 {city_value}"))
        st.plotly_chart(figure, width="stretch")
