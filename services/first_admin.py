"""The first administrator's generated password: where it is kept, and the reminder to replace it.

`manage.py init` writes the random password of "admin" to var/initial-admin-password.txt (owner-only), never
to the terminal. Until it is replaced, anyone who can read that file can act as the office, so every page
reminds the admin, and replacing the password deletes the file.
"""
from __future__ import annotations

from pathlib import Path

from core import auth
from core.paths import var_dir
from db import users

FILE_NAME = "initial-admin-password.txt"


def initial_password_file() -> Path:
    return var_dir() / FILE_NAME


def still_on_initial_password(identity: auth.Identity | None) -> bool:
    """The first admin, while the file holding its generated password still exists (a stat per run)."""
    return (identity is not None and identity.role == auth.ADMIN and identity.username == users.INITIAL_ADMIN
            and initial_password_file().exists())


def reset_password(username: str, password: str, *, by: users.Actor) -> None:
    """db.users.reset_password; a new password for the first admin also deletes the file with the old one."""
    users.reset_password(username, password, by=by)
    if username == users.INITIAL_ADMIN:
        initial_password_file().unlink(missing_ok=True)
