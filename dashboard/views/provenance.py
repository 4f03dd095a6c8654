"""数据来源: for any value, every vintage with its file, sheet, row and status."""

import streamlit as st

from dashboard import data
from dashboard.common import english, indicator_picker, published_or_stop, region_picker, table_download
from dashboard.i18n import t

en = english()
st.title(t("provenance", en))
published_or_stop()
indicator = indicator_picker("provenance_indicator")
region = region_picker("provenance_region")
year = st.number_input(t("year", en), min_value=2016, max_value=2030, value=2024, step=1)
table = data.provenance(indicator, region, int(year))
table["status"] = [f"{s} · 示例数据" if syn else s for s, syn in zip(table.status, table.is_synthetic)]
st.subheader(t("vintages", en))
st.dataframe(table.drop(columns=["is_synthetic"]), hide_index=True, width="stretch")
table_download(table.drop(columns=["is_synthetic"]), t("provenance", en), "download_provenance")
