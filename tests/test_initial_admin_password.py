"""`manage.py init` on a new database: the first admin's random password goes to a file only its owner can
read (never to the terminal, where `make run` would bury it among pip's output); ZJ_ADMIN_PASSWORD wins."""
from __future__ import annotations

import stat

import manage
from db import users


def test_random_first_password_is_written_to_an_owner_only_file(fresh_db, monkeypatch, capsys):
    monkeypatch.delenv(users.ADMIN_PASSWORD_ENV, raising=False)
    manage._ensure_admin()
    out = capsys.readouterr().out
    path = fresh_db / "initial-admin-password.txt"
    assert path.exists() and str(path) in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    password = path.read_text(encoding="utf-8").split("初始密码：")[1].splitlines()[0]
    assert password and password not in out
    assert users.login("admin", password).identity is not None


def test_password_from_the_environment_writes_no_file(fresh_db, monkeypatch, capsys):
    monkeypatch.setenv(users.ADMIN_PASSWORD_ENV, "Env-Admin-Pass-123")
    manage._ensure_admin()
    assert users.ADMIN_PASSWORD_ENV in capsys.readouterr().out
    assert not (fresh_db / "initial-admin-password.txt").exists()
    assert users.login("admin", "Env-Admin-Pass-123").identity is not None
