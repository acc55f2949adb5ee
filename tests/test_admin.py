"""The admin tab's sign-in on its own: the password hash check, where admins come from, the
sign-in rate limit and sessions. Uploads and manifest edits are in tests/test_upload.py, the
audit log in tests/test_audit.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kb.present.auth import (
    AdminConfigError,
    AdminError,
    SignIn,
    SignInError,
    check_password,
    hash_password,
)
from kb.present.cli import main
from kb.settings import Settings

PASSWORD = "harbour-pilot-42"
HASH = hash_password(PASSWORD, rounds=4)  # cheap rounds: the check is the same


# -- the password hash -----------------------------------------------------------------------
def test_a_password_is_kept_only_as_a_bcrypt_hash() -> None:
    assert HASH.startswith("$2b$04$") and PASSWORD not in HASH
    assert check_password(PASSWORD, HASH)
    assert not check_password(PASSWORD + "x", HASH) and not check_password("", HASH)
    assert not check_password(PASSWORD, "not-a-hash") and not check_password(PASSWORD, "")
    assert not check_password("x" * 73, HASH)  # past bcrypt's 72 bytes: never accepted
    assert hash_password(PASSWORD, rounds=4) != HASH  # salted
    with pytest.raises(AdminError, match="empty"):
        hash_password("  ")
    with pytest.raises(AdminError, match="at most 72"):
        hash_password("é" * 40)


def test_admins_come_from_the_setting_and_the_file(tmp_path: Path) -> None:
    other = hash_password("second-one", rounds=4)
    file = tmp_path / "admins"
    file.write_text(f"# who may sign in\n\nbea:{other}\n", encoding="utf-8")
    both = Settings(admin_password_hash=HASH, admin_password_file=file)
    signin = SignIn(both)
    assert signin.sign_in("admin", PASSWORD, "10.0.0.1").user == "admin"
    assert signin.sign_in("bea", "second-one", "10.0.0.1").user == "bea"
    file.write_text("", encoding="utf-8")  # bea taken out: refused at her next sign-in
    with pytest.raises(SignInError, match="wrong name or password"):
        signin.sign_in("bea", "second-one", "10.0.0.1")
    assert not Settings().admin_enabled and both.admin_enabled


@pytest.mark.parametrize("line", ["bea", "bea:plain-password", ":$2b$04$" + "a" * 53,
                                  "b e a:" + HASH])
def test_a_broken_password_file_stops_the_app(tmp_path: Path, line: str) -> None:
    file = tmp_path / "admins"
    file.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(AdminConfigError, match="line 1: expected name:bcrypt-hash"):
        SignIn(Settings(admin_password_file=file))
    with pytest.raises(AdminConfigError, match="cannot read"):
        SignIn(Settings(admin_password_file=tmp_path / "missing"))
    with pytest.raises(AdminConfigError, match="not a bcrypt hash"):
        SignIn(Settings(admin_password_hash="secret"))


def test_admin_hash_prints_a_hash_that_checks(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["admin-hash", "--stdin", "--user", "bea"]) == 0
    name, _, hashed = capsys.readouterr().out.strip().partition(":")
    assert name == "bea" and check_password(PASSWORD, hashed)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["admin-hash", "--stdin"]) == 1
    assert capsys.readouterr().err == "ipskb: the password is empty\n"


# -- failed sign-ins are rate limited --------------------------------------------------------
def test_failed_sign_ins_are_limited_per_client_and_per_name() -> None:
    now = [0.0]
    limited = Settings(admin_password_hash=HASH, admin_login_failures=3,
                       admin_login_window=600)
    signin = SignIn(limited, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(SignInError, match="wrong name or password"):
            signin.sign_in("admin", "guess", "10.0.0.9")
    # Now even the right password is refused, from that address and for that name.
    with pytest.raises(SignInError, match="too many failed sign-ins; try again in 10 minutes"):
        signin.sign_in("admin", PASSWORD, "10.0.0.9")
    with pytest.raises(SignInError, match="too many"):
        signin.sign_in("admin", PASSWORD, "10.0.0.10")
    for _ in range(3):  # guessing names from one address counts against the address
        with pytest.raises(SignInError):
            signin.sign_in("nobody", "guess", "10.0.0.11")
    with pytest.raises(SignInError, match="too many"):
        signin.sign_in("someone-else", "guess", "10.0.0.11")
    now[0] = 601.0  # the window has passed
    assert signin.sign_in("admin", PASSWORD, "10.0.0.9").user == "admin"


def test_a_session_expires_and_ends_at_sign_out() -> None:
    now = [0.0]
    signin = SignIn(Settings(admin_password_hash=HASH,
                             admin_session_minutes=30), clock=lambda: now[0])
    first = signin.sign_in("admin", PASSWORD, "10.0.0.1")
    second = signin.sign_in("admin", PASSWORD, "10.0.0.1")
    assert first.token != second.token and len(first.token) >= 40
    assert signin.session(first.token) == first and signin.session("forged") is None
    assert signin.session("") is None and signin.session(None) is None
    assert signin.sign_out(first.token) == first and signin.session(first.token) is None
    now[0] = 30 * 60.0
    assert signin.session(second.token) is None
