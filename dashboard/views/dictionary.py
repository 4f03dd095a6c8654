"""数据字典: every published table and column with its description, read from the published copy's own catalog
(the comments planwatch/publish/descriptions.py writes) — what a BI user connecting to the file sees — and the
dbt docs site (`planwatch docs`) to download."""

import streamlit as st

from dashboard import data
from dashboard.common import english, published_or_stop, table_download
from dashboard.i18n import t
from planwatch.settings import get_settings

en = english()
st.title(t("dictionary", en))
published_or_stop()
st.markdown(t("dictionary_intro", en))
tables = data.catalog_tables()
labels = {f"{r.schema_name}.{r.table_name}": f"{r.schema_name}.{r.table_name} — {r.comment or '—'}"
          for r in tables.itertuples()}
chosen = st.selectbox(t("table", en), list(labels), format_func=labels.get, key="dictionary_table")
schema, table = chosen.split(".", 1)
columns = data.catalog_columns(schema, table)
shown = columns.rename(columns={"column_name": t("column", en), "data_type": t("data_type", en),
                                "comment": t("description", en)})
shown[t("description", en)] = shown[t("description", en)].fillna("—")
st.dataframe(shown, hide_index=True, width="stretch", height=35 * (len(shown) + 1) + 3)
table_download(shown, table, "download_dictionary")
site = get_settings().dbt_target_path / "static_index.html"
if site.exists():
    st.download_button(t("download_docs", en), site.read_bytes(), file_name="planwatch_dbt_docs.html",
                       mime="text/html", key="download_docs")
else:
    st.caption(t("docs_not_generated", en))
