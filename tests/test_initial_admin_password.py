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


def _first_admin(monkeypatch) -> str:
    """`manage.py init`'s first admin with a generated password (kept in the owner-only file); returns it."""
    from services.first_admin import initial_password_file

    monkeypatch.delenv(users.ADMIN_PASSWORD_ENV, raising=False)
    manage._ensure_admin()
    return initial_password_file().read_text(encoding="utf-8").split("初始密码：")[1].splitlines()[0]


REMINDER = "您仍在使用系统生成的初始密码"


def test_every_page_reminds_the_first_admin_until_the_password_is_replaced_on_the_page(demo_db, monkeypatch):
    from services.first_admin import initial_password_file
    from tests.auth_fixtures import run_as, token_for

    password = _first_admin(monkeypatch)
    token = token_for("admin", password)
    for page in ("pages/overview.py", "pages/admin.py"):
        at = run_as(token, page)
        assert not at.exception and any(REMINDER in w.value for w in at.warning), page
    at = run_as(token, "pages/admin.py")
    at.selectbox(key="au_usr_pick").select("admin")
    at.text_input(key="au_usr_new_password").input("Replaced-Admin-Pass-42")
    at.button(key="au_usr_reset").click().run()
    assert not at.exception and not initial_password_file().exists()
    after = run_as(token_for("admin", "Replaced-Admin-Pass-42"), "pages/overview.py")
    assert not any(REMINDER in w.value for w in after.warning)


def test_other_accounts_are_not_reminded_and_the_cli_reset_deletes_the_file(demo_db, monkeypatch):
    from services.first_admin import initial_password_file
    from tests.auth_fixtures import make_user, run_as, token_for
    from tests.support.cli import run_cli

    _first_admin(monkeypatch)
    make_user("office2", "管理员")
    assert not any(REMINDER in w.value for w in run_as(token_for("office2"), "pages/overview.py").warning)
    assert run_cli(demo_db, "user", "reset", "admin", ZJ_NEW_PASSWORD="Replaced-Admin-Pass-43").returncode == 0
    assert not initial_password_file().exists()
