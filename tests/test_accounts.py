"""Accounts and roles: `planwatch users` as an administrator runs it, Argon2 hashes in a file only its owner reads,
sign-in with a lock after repeated wrong passwords, and the role matrix the server checks on every action."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from conftest import PLANWATCH
from planwatch.access.accounts import MAX_FAILURES, AccessProblem, accounts_path, allowed, list_accounts, sign_in
from planwatch.settings import get_settings


def users(home, *args, password=None, check=True):
    """`planwatch users …` as an administrator types it, the password on standard input."""
    env = {**os.environ, "PLANWATCH_HOME": str(home)}
    done = subprocess.run([str(PLANWATCH), "users", *args] + (["--password-stdin"] if password else []),
                          input=(password + "\n") if password else None, env=env, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_accounts_are_managed_by_the_command_and_stored_hashed_and_private(tmp_path):
    home = tmp_path / "home"
    users(home, "add", "zhang", "--role", "statistician", "--region", "台山市", password="correct horse battery")
    users(home, "add", "li", "--role", "steward", password="another long password")
    listed = users(home, "list").stdout
    assert "zhang\tstatistician\t440781" in listed and "li\tsteward\t-" in listed
    path = accounts_path(get_settings(home=home))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["zhang"]["password_hash"].startswith("$argon2id$")
    assert "correct horse battery" not in path.read_text(encoding="utf-8")
    short = users(home, "add", "wang", "--role", "viewer", password="short", check=False)
    assert short.returncode == 2 and "at least 10 characters" in short.stderr and "Traceback" not in short.stderr
    no_region = users(home, "add", "zhao", "--role", "statistician", password="long enough pw", check=False)
    assert no_region.returncode == 2 and "--region" in no_region.stderr
    users(home, "passwd", "li", password="a brand new password")
    users(home, "remove", "zhang")
    assert [a.name for a in list_accounts(get_settings(home=home))] == ["li"]


def test_sign_in_refuses_wrong_passwords_alike_and_locks_after_five(tmp_path):
    settings = get_settings(home=tmp_path / "home")
    users(settings.home, "add", "li", "--role", "steward", password="the right password")
    assert sign_in(settings, "li", "the right password").role == "steward"
    with pytest.raises(AccessProblem) as unknown:
        sign_in(settings, "nobody", "whatever it is")
    with pytest.raises(AccessProblem) as wrong:
        sign_in(settings, "li", "the wrong password")
    assert unknown.value.en == wrong.value.en == "wrong user name or password"  # names cannot be probed
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(AccessProblem):
            sign_in(settings, "li", "the wrong password")
    with pytest.raises(AccessProblem) as locked:
        sign_in(settings, "li", "the right password")  # locked now, even with the right one
    assert "locked" in locked.value.en


def test_the_role_matrix(tmp_path):
    settings = get_settings(home=tmp_path / "home")
    users(settings.home, "add", "zhang", "--role", "statistician", "--region", "440781", password="statistician pw")
    users(settings.home, "add", "li", "--role", "steward", password="steward password")
    users(settings.home, "add", "root", "--role", "admin", password="admin password!")
    zhang, li, root = (sign_in(settings, n, p) for n, p in
                       (("zhang", "statistician pw"), ("li", "steward password"), ("root", "admin password!")))
    assert allowed(None, "read") and not allowed(None, "upload", "440781")
    assert allowed(zhang, "upload", "440781") and not allowed(zhang, "upload", "440703")
    assert allowed(zhang, "answer", "440781") and not allowed(zhang, "approve")
    assert allowed(li, "approve") and allowed(li, "upload", "440703") and not allowed(li, "users")
    assert allowed(root, "users") and not allowed(root, "no_such_action")
