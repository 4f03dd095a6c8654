"""数据质量: the last validation (failures and warnings first), its history, and the Data Docs."""

import plotly.express as px
import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, table_download
from dashboard.i18n import t
from planwatch.settings import get_settings

en = english()
st.title(t("quality", en))
published_or_stop()
results = data.quality_results()
last_run = results.run_id.iloc[0]
last = results[results.run_id == last_run].sort_values(["success", "severity"])
st.subheader(t("failures_first", en))
st.dataframe(last[["success", "severity", "table_name", "check_name", "title_zh", "observed"]], hide_index=True,
             width="stretch")
table_download(last[["success", "severity", "table_name", "check_name", "title_zh", "observed"]], t("quality", en),
               "download_quality")
st.subheader(t("history", en))
history = results.groupby(["validated_at", "severity"]).success.apply(lambda s: int((~s).sum())).reset_index()
st.plotly_chart(px.bar(history, x="validated_at", y="success", color="severity", labels={"success": "failed"}),
                width="stretch")
docs = get_settings().home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
st.markdown(f"{t('data_docs', en)}: [{docs.name}]({docs.as_uri()}) · `{docs}`")
