"""总览: every current-plan indicator for the city or a county — latest value, change, target, completion, status —
as one table that shows and prints all its rows, headed like the office's table (title, 数据截至, 制表单位)."""

from html import escape

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.common import english, name_column, published_or_stop, region_picker, synthetic_note, table_download
from dashboard.display import marks, trend, unit_text, value_with_unit, value_label
from dashboard.i18n import status_colour, status_label, t
from planwatch.settings import get_settings

en = english()
st.title(t("overview", en))
published_or_stop()
region = region_picker()
region_name = data.regions().set_index("region_code")[name_column()][region]
card = data.scorecard(region)
release = data.current_release()
synthetic_note()


def latest_cell(r) -> str:
    value = value_with_unit(r.measure_value, r.unit, en)
    if r.is_cumulative and value != "—":  # the measure of a cumulative indicator is the running total: say so
        value += (f" (total {r.start_year}–{r.year})" if en else f"（{r.start_year}—{r.year}年累计）")
    mark = marks(r.actual_status, bool(r.is_synthetic), en)
    return value + (f" {mark}" if mark else "")


rows = []
for r in card.itertuples():
    # the change of the year's own figure (a cumulative indicator's running total always rises)
    arrow, colour = trend(r.actual_value - r.previous_actual
                          if pd.notna(r.actual_value) and pd.notna(r.previous_actual) else None, r.direction)
    rows.append({
        "row": int(r.row_no), "name": getattr(r, name_column()), "unit": unit_text(r.unit, en),
        "latest": latest_cell(r), "year": int(r.year), "arrow": arrow, "arrow_colour": colour,
        "target": value_label(r.target_text, en) if r.target_text else "—",
        "completion": value_label(r.completion_text, en) if r.completion_text else "—", "status": status_label(r.progress_status, en),
        "status_colour": status_colour(r.progress_status), "binding": "★" if r.is_binding else "",
    })
headers = (["No.", "Indicator", "Unit", "Latest value", "Year", "Change", "Target", "Completion", "Status", "Binding"]
           if en else ["序号", "指标", "单位", "最新值", "年份", "较上年", "目标", "完成情况", "状态", "约束性"])
title = f"{t('title', en)} · {region_name}"
as_of = max((r["year"] for r in rows), default=None)
released = (f"第 {release[0]} 号发布版本" if not en else f"release {release[0]}") if release else "—"
body = "".join(
    "<tr>" + f"<td>{r['row']}</td><td>{escape(r['name'])}</td><td>{escape(r['unit'])}</td>"
    f"<td>{escape(r['latest'])}</td><td>{r['year']}</td>"
    f"<td style='color:{r['arrow_colour']};font-weight:bold;font-size:1.2rem;text-align:center'>{r['arrow']}</td>"
    f"<td>{escape(str(r['target']))}</td><td>{escape(r['completion'])}</td>"
    f"<td style='background:{r['status_colour']};color:white'>{escape(r['status'])}</td>"
    f"<td style='text-align:center'>{r['binding']}</td></tr>" for r in rows)
st.html(f"""
<style>
  .scorecard {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
  .scorecard th, .scorecard td {{ border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; }}
  .scorecard th {{ background: #ddebf7; }}
  .scorecard-head p {{ margin: 0.1rem 0; }}
  @media print {{
    section[data-testid="stSidebar"], header, [data-testid="stToolbar"], .stDownloadButton,
    [data-testid="stAlert"] {{ display: none !important; }}
    .scorecard {{ font-size: 9pt; }}
  }}
</style>
<div class="scorecard-head">
  <p style="font-size:1.1rem;font-weight:bold">{escape(title)}</p>
  <p>{'Data up to' if en else '数据截至'}：{as_of or '—'}{'' if en else '年'} · {escape(released)}</p>
  <p>{'Issued by' if en else '制表单位'}：{escape(get_settings().office)}</p>
</div>
<table class="scorecard"><thead><tr>{''.join(f'<th>{escape(h)}</th>' for h in headers)}</tr></thead>
<tbody>{body}</tbody></table>
<p style="font-size:0.8rem">{'ᴾ preliminary (to be revised) · ⚠ synthetic demo data · ★ binding target · arrows are green where the change is the way the plan wants' if en else 'ᴾ 初步数（待修订）· ⚠ 示例数据（合成演示数据）· ★ 约束性指标 · 箭头绿色表示变化方向符合规划要求'}</p>
""")
frame = pd.DataFrame([[r["row"], r["name"], r["unit"], r["latest"], r["year"], r["arrow"], r["target"],
                       r["completion"], r["status"], r["binding"]] for r in rows], columns=headers)
table_download(frame, t("overview", en), "download_overview")
