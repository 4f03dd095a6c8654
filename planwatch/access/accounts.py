"""Who may do what: local accounts with roles, checked on the server for every action.

Roles, each including the ones before it:
  viewer        reads the published numbers (anonymous reading is a setting of the dashboard)
  statistician  also uploads files and answers queries — for the regions assigned to the account only
  steward       also reviews, approves, returns and rolls back, for every region
  admin         also manages the accounts

Accounts live in $PLANWATCH_HOME/access/users.json (folder 0700, file 0600), written whole and renamed into place
under a lock. Passwords are hashed with Argon2id by argon2-cffi (a maintained library: no home-made crypto); a hash
made with older parameters is upgraded at the next good sign-in. Five wrong passwords within 15 minutes lock the
account for 15 minutes — the count is kept in the same file, so it holds across processes and restarts.

An office with an identity provider (OpenID Connect) signs people in there instead: `planwatch users oidc` writes
Streamlit's st.login settings, and an account added with `--oidc` (named by the provider's email claim, no
password) gives that person a role. The provider proves who someone is; the role is still the office's.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from planwatch.messages import Problem
from planwatch.settings import Settings

ROLES = ("viewer", "statistician", "steward", "admin")
# action → the lowest role allowed; `regional` actions are limited to a statistician's own regions
ACTIONS = {"read": "viewer", "upload": "statistician", "answer": "statistician", "review": "steward",
           "approve": "steward", "return": "steward", "rollback": "steward", "accept": "steward", "users": "admin"}
REGIONAL = {"upload", "answer"}
MAX_FAILURES, WINDOW = 5, timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccessProblem(Problem):
    """A refused account operation or sign-in. Carries a bilingual message."""


@dataclass
class Account:
    name: str
    role: str
    regions: list[str] = field(default_factory=list)  # region codes (statisticians)
    password_hash: str = ""
    failures: list[str] = field(default_factory=list)  # ISO times of recent wrong passwords
    locked_until: str | None = None
    oidc: bool = False  # signs in through the office's identity provider (its email claim is the name), no password

    def public(self) -> dict:
        return {"name": self.name, "role": self.role, "regions": self.regions}


def accounts_path(settings: Settings) -> Path:
    return settings.home / "access" / "users.json"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def _store(settings: Settings, write: bool):
    """The accounts, under a lock (exclusive to change them); yields a dict name → Account."""
    path = accounts_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    with open(path.with_name("users.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
        accounts = {}
        if path.exists():
            accounts = {name: Account(**entry) for name, entry in json.loads(path.read_text("utf-8")).items()}
        yield accounts
        if write:
            staged = path.with_name(".users.json.partial")
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({n: asdict(a) for n, a in sorted(accounts.items())}, out, ensure_ascii=False, indent=1)
            os.replace(staged, path)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccessProblem(f"密码至少 {MIN_PASSWORD} 个字符", f"a password has at least {MIN_PASSWORD} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccessProblem(f"角色应为 {' / '.join(ROLES)}", f"the role must be one of {', '.join(ROLES)}")


def add_account(settings: Settings, name: str, role: str, password: str | None, regions: list[str] = (),
                oidc: bool = False) -> Account:
    """A local account with a password, or (`oidc`) one that signs in through the identity provider only."""
    _check_role(role)
    if not oidc:
        _check_password(password or "")
    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise AccessProblem("用户名不能为空或含空格", "a user name is not empty and has no spaces")
    if role == "statistician" and not regions:
        raise AccessProblem("统计人员账户需要指定负责的地区（--region）",
                            "a statistician's account names the regions it reports for (--region)")
    with _store(settings, write=True) as accounts:
        if name in accounts:
            raise AccessProblem(f"用户 {name} 已存在", f"user {name} exists already")
        accounts[name] = Account(name, role, list(regions), "" if oidc else _hasher.hash(password), oidc=oidc)
        return accounts[name]


def remove_account(settings: Settings, name: str) -> None:
    with _store(settings, write=True) as accounts:
        if accounts.pop(name, None) is None:
            raise AccessProblem(f"没有用户 {name}", f"no user {name}")


def set_password(settings: Settings, name: str, password: str) -> None:
    _check_password(password)
    with _store(settings, write=True) as accounts:
        if name not in accounts:
            raise AccessProblem(f"没有用户 {name}", f"no user {name}")
        accounts[name].password_hash = _hasher.hash(password)
        accounts[name].failures, accounts[name].locked_until = [], None


def list_accounts(settings: Settings) -> list[Account]:
    with _store(settings, write=False) as accounts:
        return sorted(accounts.values(), key=lambda a: a.name)


def sign_in(settings: Settings, name: str, password: str) -> Account:
    """The account when the password is right; AccessProblem otherwise (the same words for an unknown user and a
    wrong password, so names cannot be probed), and after MAX_FAILURES wrong ones within WINDOW, a lock. The
    failure is recorded before it is raised (the store writes when its block ends without an exception)."""
    problem = None
    with _store(settings, write=True) as accounts:
        account = accounts.get(name)
        now = _now()
        if account is None:
            _hasher.hash(password)  # the same work as a real check: no timing difference for unknown names
            problem = AccessProblem("用户名或密码错误", "wrong user name or password")
        elif account.locked_until and datetime.fromisoformat(account.locked_until) > now:
            problem = AccessProblem(
                f"密码错误次数过多，账户已锁定至 {account.locked_until[11:16]}（UTC）",
                f"too many wrong passwords: the account is locked until {account.locked_until[11:16]} UTC")
        else:
            try:
                _hasher.verify(account.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                account.failures = [f for f in account.failures if datetime.fromisoformat(f) > now - WINDOW]
                account.failures.append(now.isoformat())
                if len(account.failures) >= MAX_FAILURES:
                    account.locked_until, account.failures = (now + WINDOW).isoformat(), []
                problem = AccessProblem("用户名或密码错误", "wrong user name or password")
            else:
                account.failures, account.locked_until = [], None
                if _hasher.check_needs_rehash(account.password_hash):
                    account.password_hash = _hasher.hash(password)
    if problem is not None:
        raise problem
    return account


def oidc_account(settings: Settings, identity: str | None) -> Account | None:
    """The account of a person the identity provider signed in (None when the office gave them none: signing in
    at the provider grants no role by itself)."""
    if not identity:
        return None
    with _store(settings, write=False) as accounts:
        account = accounts.get(identity)
    return account if account is not None and account.oidc else None


def oidc_config_path(settings: Settings) -> Path:
    """Streamlit's [auth] settings for st.login, written by `planwatch users oidc` (`planwatch dashboard` hands it
    to Streamlit as a secrets file)."""
    return settings.home / "access" / "oidc.toml"


def write_oidc_config(settings: Settings, metadata_url: str, client_id: str, client_secret: str,
                      redirect_uri: str) -> Path:
    """The identity provider's settings, with a fresh random secret for Streamlit's signed session cookie
    (Python's `secrets`), in a file only the server's user can read."""
    import secrets

    def quoted(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string

    path = oidc_config_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    text = (f"[auth]\nredirect_uri = {quoted(redirect_uri)}\ncookie_secret = {quoted(secrets.token_urlsafe(32))}\n"
            f"client_id = {quoted(client_id)}\nclient_secret = {quoted(client_secret)}\n"
            f"server_metadata_url = {quoted(metadata_url)}\n")
    staged = path.with_name(".oidc.toml.partial")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(staged, path)
    return path


def allowed(account: Account | None, action: str, region_code: str | None = None) -> bool:
    """May `account` (None: an anonymous reader) do `action` (for `region_code`)?"""
    if action not in ACTIONS:
        return False
    if account is None:
        return action == "read"
    if ROLES.index(account.role) < ROLES.index(ACTIONS[action]):
        return False
    if action in REGIONAL and account.role == "statistician":
        return region_code is not None and region_code in account.regions
    return True
