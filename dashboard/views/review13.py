"""十三五回顾: 专栏1 as the warehouse computes it, beside what the plan printed."""

import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, table_download
from dashboard.i18n import t

en = english()
st.title(t("review13", en))
published_or_stop()
table = data.evaluation("JM_HRSS_13")
st.dataframe(table[["source_ref", "name_zh", "unit", "target_text", "actual_value", "completion_text",
                    "printed_completion_text", "is_met", "attribute"]], hide_index=True, width="stretch")
table_download(table[["source_ref", "name_zh", "unit", "target_text", "actual_value", "completion_text",
                      "printed_completion_text", "is_met", "attribute"]], t("review13", en), "download_review13")
