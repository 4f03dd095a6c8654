"""Signing in to the dashboard, and the server-side check before every action (planwatch.access.accounts).

Streamlit runs each page's code on the server, so a check here is a server-side check: a page that acts calls
`require(action, region)` right before it acts, and a person without the role sees a message, never the action —
whether they came through the menu, a deep link or a replayed request (each rerun runs the checks again). The
signed-in name is kept in the server's session state; the account is read again on every rerun, so a removed
account or a changed role takes effect at once.
"""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import t
from planwatch.access.accounts import (AccessProblem, Account, allowed, list_accounts, oidc_account, oidc_config_path,
                                       sign_in)
from planwatch.settings import get_settings


def oidc_configured() -> bool:
    return oidc_config_path(get_settings()).exists()


def oidc_identity() -> str | None:
    """Who the identity provider signed in (its email claim, else its subject), kept by Streamlit in a signed
    cookie — so such a sign-in survives a reload."""
    if not oidc_configured() or not st.user.is_logged_in:
        return None
    return st.user.get("email") or st.user.get("sub")


def current_account() -> Account | None:
    name = st.session_state.get("account_name")
    if not name:
        return oidc_account(get_settings(), oidc_identity())
    for account in list_accounts(get_settings()):
        if account.name == name:
            return account
    st.session_state.pop("account_name", None)  # removed meanwhile
    return None


def sidebar(english: bool) -> Account | None:
    account = current_account()
    if account is not None:
        st.sidebar.markdown(f"{t('signed_in_as', english)} **{account.name}**（{t('role_' + account.role, english)}）")
        if st.sidebar.button(t("sign_out", english), key="sign_out"):
            st.session_state.pop("account_name", None)
            if account.oidc:
                st.logout()
            st.rerun()
        return account
    identity = oidc_identity()
    if identity is not None:  # signed in at the provider, but the office gave this person no account
        st.sidebar.warning(t("no_account_for", english).format(identity))
        if st.sidebar.button(t("sign_out", english), key="sign_out_oidc"):
            st.logout()
    elif oidc_configured():
        st.sidebar.button(t("sign_in_oidc", english), key="sign_in_oidc", on_click=st.login)
    with st.sidebar.form("sign_in", clear_on_submit=True):
        st.markdown(f"**{t('sign_in', english)}**")
        name = st.text_input(t("user_name", english), key="sign_in_name")
        password = st.text_input(t("password", english), type="password", key="sign_in_password")
        if st.form_submit_button(t("sign_in", english)):
            try:
                st.session_state["account_name"] = sign_in(get_settings(), name.strip(), password).name
                st.rerun()
            except AccessProblem as problem:
                st.error(problem.en if english else problem.zh)
    return None


def require(action: str, region_code: str | None = None, english: bool = False) -> Account:
    """Stop the page unless the signed-in account may do `action` (for `region_code`)."""
    account = current_account()
    if not allowed(account, action, region_code) or account is None:
        st.error(t("not_allowed", english) if account is not None else t("sign_in_first", english))
        st.stop()
    return account
