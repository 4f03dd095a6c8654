"""文本目标: the targets of the text and 专栏3–16, with what is known of each."""

import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, synthetic_note, table_download
from dashboard.display import labelled
from dashboard.i18n import t

en = english()
st.title(t("text_targets", en))
published_or_stop()
synthetic_note()
table = data.evaluation(data.shown_plan(), "text_target")
shown = labelled(table[["name_zh", "target_text", "evaluation_year", "actual_value", "completion_text",
                        "is_met", "data_basis", "source_ref"]], en,
                 keep_codes=("name_zh", "target_text", "source_ref"))
st.dataframe(shown, hide_index=True, width="stretch")
table_download(shown, t("text_targets", en), "download_text_targets")
