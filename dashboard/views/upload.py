"""报送数据: a statistician sends a file for one of their regions — a preview of what will load, the load, the rows
that go back with their reasons and the 错误清单 — and answers the queries on their regions' submissions."""

import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.auth import current_account, require
from dashboard.banner import local_time
from dashboard.common import SUBMISSION_HEADERS, english, pack_labels
from dashboard.display import headed
from dashboard.i18n import t
from planwatch.ingest import Sender, load_files
from planwatch.ingest.loader import preview_file
from planwatch.ingest.templates import write_prefilled_template
from planwatch.ingest.rules import REASONS
from planwatch.plan_pack import regions_in_plans, seed_rows
from planwatch.release.queries import answer, queries
from planwatch.release.releases import submissions_since
from planwatch.settings import get_settings

ROWS_BACK = [("文件", "File"), ("工作表", "Sheet"), ("行", "Row"), ("列", "Column"), ("数值", "Value"),
             ("处理", "Action"), ("原因", "Reason")]

en = english()
st.title(t("upload", en))
settings = get_settings()
# the plan pack's regions (the seeds): a statistician may send before anything is published
regions = pd.DataFrame([r for r in seed_rows(settings.seeds, "regions") if r["region_code"] in regions_in_plans(settings.seeds)])
account = current_account()
if account is None:  # signed out: the message, and nothing else of the page
    require("upload", english=en)
mine = regions if account.role != "statistician" else regions[regions.region_code.isin(account.regions)]
if mine.empty:
    require("upload", "-", english=en)
labels = dict(zip(mine.region_code, mine.name_en if en else mine.name_zh))
names = pack_labels("plan_indicators", "indicator_code")
region = st.selectbox(t("region", en), list(labels), format_func=labels.get, key="upload_region")
require("upload", region, english=en)

with st.expander(t("template", en)):
    year = st.number_input(t("year", en), min_value=2016, max_value=2035, value=datetime.now().year - 1, step=1,
                           key="template_year")
    with tempfile.TemporaryDirectory(prefix="planwatch_template_") as folder:
        template = write_prefilled_template(settings.seeds, region, int(year),
                                            Path(folder) / f"planwatch_{region}_{int(year)}.xlsx")
        st.download_button(t("download_template", en), template.read_bytes(), file_name=template.name,
                           key="download_template",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

uploaded = st.file_uploader(t("choose_file", en), type=["csv", "xlsx", "xlsm"], key="upload_file")
if uploaded is not None:
    work = Path(tempfile.mkdtemp(prefix="planwatch_upload_"))
    staged = work / Path(uploaded.name).name
    staged.write_bytes(uploaded.getvalue())
    preview = preview_file(settings, staged, uploaded.name)
    st.subheader(t("preview", en))
    if preview.error_zh:
        st.error(preview.error_en if en else preview.error_zh)
    else:
        columns = st.columns(3)
        columns[0].metric(t("rows", en), preview.rows)
        columns[1].metric(t("valid_rows", en), preview.valid)
        columns[2].metric(t("rejected_rows", en), sum(preview.quarantined.values()))
        if preview.quarantined:
            st.table(pd.DataFrame([(REASONS[c][2] if en else REASONS[c][1], n) for c, n in preview.quarantined.items()],
                                  columns=[t("reason", en), t("rows", en)]))
        st.markdown(f"**{t('recognised', en)}**：{'、'.join(preview.indicators)}；"
                    f"{'、'.join(map(str, preview.years))}；{'、'.join(preview.units)}")
        for note in preview.notes:
            st.caption(note)
        if st.button(t("load_now", en), key="load_now"):
            require("upload", region, english=en)  # again, right before acting
            folder = settings.landing / labels[region]
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / staged.name
            if target.exists():
                target = folder / f"{staged.stem}_{pd.Timestamp.now():%Y%m%d%H%M%S}{staged.suffix}"
            target.write_bytes(staged.read_bytes())
            summary = load_files(settings, [target], Sender(region=region, person=account.name))
            st.subheader(t("load_summary", en))
            for result in summary.files:
                if result.error_zh:
                    st.error(result.error_en if en else result.error_zh)
                if result.status == "already_loaded":
                    st.info(t("already_loaded", en))
                figures = st.columns(4)
                for column, (label, count) in zip(figures, (
                        (t("rows_read", en), result.rows_read), (t("rows_loaded", en), result.rows_loaded),
                        (t("rows_duplicate", en), result.rows_duplicate),
                        (t("rows_quarantined", en), result.rows_quarantined))):
                    column.metric(label, count)
                if result.is_returned:
                    st.warning(t("returned_whole", en))
                if result.held:
                    st.warning(t("values_held", en).format(result.held))
                if result.rows_back:
                    st.subheader(t("rows_back", en))
                    # the reason in the reader's language (the list keeps both)
                    back = headed([r[:5] + (r[5].split(" ")[-1 if en else 0], r[7] if en else r[6])
                                   for r in result.rows_back], ROWS_BACK, en)
                    st.dataframe(back, hide_index=True, width="stretch")
                error_list = summary.error_lists.get(result.name)
                if error_list:
                    st.download_button(t("download_error_list", en), Path(error_list).read_bytes(),
                                       file_name="错误清单.xlsx", key=f"error_list_{result.load_id}",
                                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(t("my_submissions", en))
if settings.warehouse.exists():
    rows = [r for r in submissions_since(settings, None) if r[2] in labels]
    st.dataframe(headed([(r[0], r[1], labels.get(r[2], r[2]), r[3], local_time(r[5], settings), r[6] if en else r[8] or r[6]) for r in rows],
                        SUBMISSION_HEADERS, en, codes=(1,)), hide_index=True, width="stretch")
    st.subheader(t("open_queries", en))
    if not any(q[6] in labels for q in queries(settings)):
        st.markdown(t("no_open_queries", en))
    for qid, kind, holds, _load, file_name, indicator, qregion, year, zh, en_text, _at, status, *_ in queries(settings):
        if qregion not in labels:
            continue
        with st.expander(f"{file_name or ''} · {names.get(indicator, indicator or '')} · {year or ''}"):
            st.markdown(en_text if en else zh)
            note = st.text_input(t("answer_note", en), key=f"note_{qid}")
            if st.button(t("answer", en), key=f"answer_{qid}") and note.strip():
                require("answer", qregion, english=en)
                answer(settings, qid, account.name, note.strip(), "answered")
                st.success(t("answered", en))
