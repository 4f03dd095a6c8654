"""十四五评估: the mid-term and final evaluation (or the annual monitoring) for the city or a county — the same
summary and table as the report the office hands in, with the report and its workbook to download."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, region_picker, table_download
from dashboard.i18n import t
from planwatch.reports import report_text
from planwatch.reports.report_data import read_report_data
from planwatch.reports.report_word import write_docx
from planwatch.reports.report_workbook import write_xlsx

en = english()
lang = "en" if en else "zh"
st.title(t("evaluation14", en))
published_or_stop()
kinds = {"mid_term": t("kind_mid_term", en), "final": t("kind_final", en), "annual": t("kind_annual", en)}
left, right = st.columns(2)
with left:
    kind = st.radio(t("report_kind", en), list(kinds), format_func=kinds.get, horizontal=True, key="evaluation_kind")
with right:
    region = region_picker("evaluation_region")
report = read_report_data(data.published_file(), kind, None, region, data.shown_plan())

st.subheader(report_text.title(report, lang))
for line in report_text.summary(report, lang):
    st.markdown(line)
headers = list(report_text.HEADERS[lang])
headers[4] = f"{report.start_year - 1}年基数" if not en else f"Baseline {report.start_year - 1}"
table = pd.DataFrame([[c.replace("\n", " ") for c in report_text.table_cells(r, lang)] for r in report.rows],
                     columns=headers)
st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)

with tempfile.TemporaryDirectory(prefix="planwatch_dashboard_report_") as work:
    work_dir = Path(work)
    stem = f"{report.plan_code}_{report.kind}_{report.year}_{report.region_code}"
    docx = write_docx(report, work_dir / f"{stem}.docx", work_dir, lang).read_bytes()
    xlsx = write_xlsx(report, work_dir / f"{stem}.xlsx").read_bytes()
buttons = st.columns(3)
buttons[0].download_button(t("download_docx", en), docx, file_name=f"{stem}.docx", key="download_docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
buttons[1].download_button(t("download_xlsx", en), xlsx, file_name=f"{stem}.xlsx", key="download_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
published_pdf = data.published_file().parent / "reports" / f"{stem}.pdf"
if published_pdf.exists():  # written by the run (planwatch report / the reports asset): LibreOffice is not run here
    buttons[2].download_button(t("download_pdf", en), published_pdf.read_bytes(), file_name=published_pdf.name,
                               key="download_pdf", mime="application/pdf")

st.subheader(t("early_warnings", en))
if report.warnings:
    for zh, en_text in report.warnings:
        st.markdown(f"- {en_text if en else zh}")
else:
    st.markdown("—")
st.subheader(t("data_notes", en))
for note in report_text.data_notes(report, lang):
    st.markdown(f"- {note}")
table_download(table, f"{stem}_table", "download_table")
