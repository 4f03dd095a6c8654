"""planwatch dashboard: `planwatch dashboard` (or `streamlit run dashboard/app.py`), on 127.0.0.1."""

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` starts from this folder

import streamlit as st  # noqa: E402

from dashboard.auth import sidebar  # noqa: E402
from dashboard.banner import plan_switcher, show_banner  # noqa: E402
from dashboard.i18n import t  # noqa: E402
from planwatch.settings import get_settings  # noqa: E402

st.set_page_config(page_title="planwatch", layout="wide")
english = st.sidebar.toggle("English", key="english")
st.sidebar.markdown(f"**{t('title', english)}**")
account = sidebar(english)
if account is None and not get_settings().anonymous_read:  # PLANWATCH_ANONYMOUS_READ=false: nothing without an account
    st.info(t("sign_in_first", english))
    st.stop()
show_banner(english)
plan_switcher(english)
HERE = Path(__file__).resolve().parent
# every page is registered for everyone, so a deep link always resolves; a page that acts checks the role itself.
# The default page lives at "/" only, so /overview would be "Page not found": the default is a hidden page that
# switches to the overview, and the overview keeps its own address.
overview = st.Page(HERE / "views" / "overview.py", title=t("overview", english), url_path="overview")
pages = [
    st.Page(lambda: st.switch_page(overview), title=t("overview", english), url_path="start", default=True,
            visibility="hidden"),
    overview,
    st.Page(HERE / "views" / "detail.py", title=t("detail", english), url_path="detail"),
    st.Page(HERE / "views" / "counties.py", title=t("county_comparison", english), url_path="counties"),
    st.Page(HERE / "views" / "evaluation14.py", title=t("evaluation14", english), url_path="evaluation14"),
    st.Page(HERE / "views" / "review13.py", title=t("review13", english), url_path="review13"),
    st.Page(HERE / "views" / "text_targets.py", title=t("text_targets", english), url_path="text_targets"),
    st.Page(HERE / "views" / "quality.py", title=t("quality", english), url_path="quality"),
    st.Page(HERE / "views" / "provenance.py", title=t("provenance", english), url_path="provenance"),
    st.Page(HERE / "views" / "dictionary.py", title=t("dictionary", english), url_path="dictionary"),
    st.Page(HERE / "views" / "upload.py", title=t("upload", english), url_path="upload"),
    st.Page(HERE / "views" / "review.py", title=t("review", english), url_path="review"),
]
try:
    st.navigation(pages).run()
except Exception:  # a person sees a bilingual message, never a traceback; the server's log keeps the traceback
    # (st.stop and st.rerun are BaseExceptions of Streamlit's own and pass through)
    logging.getLogger("planwatch.dashboard").exception("page failed")
    st.error("页面出错，已记录在看板日志中；请稍后重试或联系管理员。\n\n"
             "This page failed; the error is in the dashboard's log. Try again later or tell the administrator.")
