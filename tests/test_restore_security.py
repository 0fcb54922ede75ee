"""Restore and backup as an attacker or a full disk would have them: the file checked is the file restored, the
accounts as they are now survive a restore, restore and demo clear are audited, a failed backup leaves nothing,
and every CLI failure is one Chinese sentence with its own exit code (README.md 管理命令)."""
from __future__ import annotations

import json
import sqlite3

from sqlalchemy import select

import manage
from core import auth
from db import models as m
from db import queries, users
from db.engine import dispose_engines, session_scope
from tests.auth_fixtures import make_user, token_for


def _audit(action: str) -> list[dict]:
    with session_scope() as s:
        return [json.loads(a.detail) | {"by": a.user_name}
                for a in s.execute(select(m.AuditLog).where(m.AuditLog.action == action)).scalars()]


def _one_sentence(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err and "Error" not in err, err
    return lines[0]


def test_a_uri_like_backup_name_cannot_check_one_file_and_restore_another(demo_db, tmp_path, capsys):
    good = tmp_path / "good.sqlite3"
    assert manage.main(["backup", "-o", str(good)]) == 0
    evil = tmp_path / "good.sqlite3?mode=ro"  # SQLite would read "good.sqlite3" for this URI
    conn = sqlite3.connect(evil)
    conn.execute("CREATE TABLE stolen (x)")
    conn.commit()
    conn.close()
    before = len(queries.current_values())
    capsys.readouterr()
    assert manage.main(["restore", str(evil)]) == manage.EXIT_INVALID
    assert "不是本看板的数据库" in _one_sentence(capsys.readouterr().err)
    dispose_engines()
    assert len(queries.current_values()) == before  # the live database was not replaced


def test_restore_keeps_the_accounts_as_they_are_now_and_is_audited(demo_db, tmp_path, capsys):
    make_user("boss", auth.ADMIN)
    make_user("gone", auth.VIEWER)
    make_user("leaked", auth.VIEWER)
    make_user("out", auth.VIEWER)
    out_token, gone_token = token_for("out"), token_for("gone")
    backup = tmp_path / "b.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    # After the backup: an account disabled, a leaked password changed, a session logged out, an admin added.
    users.set_active("gone", False, by="命令行")
    users.reset_password("leaked", "Neues-Kennwort-9", by="命令行")
    users.logout(out_token, "out")
    make_user("new_admin", auth.ADMIN)
    new_token = token_for("new_admin")
    assert manage.main(["restore", str(backup)]) == 0
    assert users.user_identity("gone") is None and users.session_identity(gone_token) is None
    assert users.login("leaked", "Neues-Kennwort-9").identity is not None
    assert users.login("leaked", "Prüf-Kennwort-2024").identity is None
    assert users.session_identity(out_token) is None
    assert users.session_identity(new_token).username == "new_admin"  # the office is not logged out
    row = _audit("restore")
    assert len(row) == 1 and row[0]["by"] == "命令行" and row[0]["file"] == "b.sqlite3" and row[0]["safety_copy"]


def test_account_that_exists_only_in_the_backup_comes_back_disabled(fresh_db, tmp_path):
    make_user("old_admin", auth.ADMIN)
    backup = tmp_path / "b.sqlite3"
    assert manage.main(["backup", "-o", str(backup)]) == 0
    with session_scope() as s:  # this database's accounts were started afresh since
        s.execute(m.UserSession.__table__.delete())
        s.execute(m.User.__table__.delete())
    make_user("admin", auth.ADMIN)
    assert manage.main(["restore", str(backup)]) == 0
    assert users.user_identity("old_admin") is None and users.user_identity("admin") is not None


def test_a_failed_backup_leaves_no_file_and_says_disk_full(fresh_db, tmp_path, monkeypatch, capsys):
    from db import setup

    out = tmp_path / "nightly.sqlite3"

    def full_disk(source, target):
        target.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)  # half written ...
        raise sqlite3.OperationalError("database or disk is full")  # ... then the disk is full

    monkeypatch.setattr(setup, "_copy_sqlite", full_disk)
    assert manage.main(["backup", "-o", str(out)]) == manage.EXIT_DISK_FULL
    assert "磁盘空间不足" in _one_sentence(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == [fresh_db]  # no backup, no partial file
    monkeypatch.setattr(setup, "_copy_sqlite", lambda s, t: (_ for _ in ()).throw(OSError(28, "No space left")))
    assert manage.main(["restore", str(tmp_path / "missing.sqlite3")]) == manage.EXIT_INVALID


def test_every_cli_failure_is_one_chinese_sentence_with_its_own_code(fresh_db, tmp_path, monkeypatch, capsys):
    cases = [
        (["nonsense"], manage.EXIT_REFUSED, "参数有误"),
        (["report", "--period", "2020Q4", "--bogus"], manage.EXIT_REFUSED, "无法识别的参数"),
        (["restore", str(tmp_path / "nope.sqlite3")], manage.EXIT_INVALID, "找不到备份文件"),
        (["template", "--period", "2020Q4", "-o", str(tmp_path / "no" / "such" / "dir" / "t.xlsx")],
         manage.EXIT_FILE, "无法读写文件"),
    ]
    for argv, code, words in cases:
        capsys.readouterr()
        assert manage.main(argv) == code, argv
        assert words in _one_sentence(capsys.readouterr().err)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/not-a-dir.txt/db.sqlite3")
    (tmp_path / "not-a-dir.txt").write_text("x")
    dispose_engines()
    assert manage.main(["report", "--period", "2020Q4"]) == manage.EXIT_DATABASE
    assert "数据库无法访问" in _one_sentence(capsys.readouterr().err)
    monkeypatch.delenv("DATABASE_URL")
    dispose_engines()
    monkeypatch.setattr(manage, "cmd_catalogue", lambda args: 1 / 0)
    monkeypatch.setattr(manage, "build_parser", _parser_with(manage.build_parser, "catalogue", manage.cmd_catalogue))
    assert manage.main(["catalogue", "check"]) == manage.EXIT_UNEXPECTED
    assert "意外错误" in _one_sentence(capsys.readouterr().err)
    assert "ZeroDivisionError" in (fresh_db / "logs" / "manage-errors.log").read_text(encoding="utf-8")


def _parser_with(build, command, func):
    def patched():
        parser = build()
        sub = next(a for a in parser._actions if getattr(a, "choices", None) and command in a.choices)
        sub.choices[command].set_defaults(func=func)
        return parser
    return patched


def test_demo_clear_is_audited(demo_db, capsys):
    assert manage.main(["demo", "clear"]) == 0
    row = _audit("demo_clear")
    assert len(row) == 1 and row[0]["by"] == "命令行" and row[0]["submissions"] > 0
