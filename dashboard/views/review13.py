"""十三五回顾: 专栏1 as the warehouse computes it, beside what the plan printed, in the plan's row order."""

import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, table_download
from dashboard.display import labelled
from dashboard.i18n import t

en = english()
st.title(t("review13", en))
published_or_stop()
table = data.evaluation("JM_HRSS_13")
shown = labelled(table[["source_ref", "name_zh", "unit", "target_text", "actual_value", "completion_text",
                        "printed_completion_text", "is_met", "attribute"]], en,
                 keep_codes=("source_ref", "name_zh", "target_text", "completion_text",
                             "printed_completion_text"), units={"actual_value": "unit"})
st.dataframe(shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)
table_download(shown, t("review13", en), "download_review13")
