"""数据来源: for any value, every vintage with its file, sheet, row and status."""

import streamlit as st

from dashboard import data
from dashboard.common import english, indicator_picker, published_or_stop, region_picker, table_download
from dashboard.display import labelled
from dashboard.i18n import t

en = english()
st.title(t("provenance", en))
published_or_stop()
indicator = indicator_picker("provenance_indicator")
region = region_picker("provenance_region")
years = data.years_with_data()
year = st.selectbox(t("year", en), years[::-1], key="provenance_year")
table = data.provenance(indicator, region, int(year))
shown = labelled(table, en, keep_codes=("value_as_given", "source_file", "source_sheet", "source_column",
                                        "source_text", "note", "load_id"), units={"value": "unit"})
st.subheader(t("vintages", en))
st.dataframe(shown, hide_index=True, width="stretch")
table_download(shown, t("provenance", en), "download_provenance")
