"""Where the project's files live."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN_DIR = ROOT / "data" / "plan"
SOURCE_TEXT = ROOT / "data" / "source" / "zhanjiang-quality-action-plan.txt"
SETTINGS_FILE = PLAN_DIR / "settings.toml"


def var_dir() -> Path:
    """Runtime state (database, kept upload originals, backups); gitignored.

    ZJ_VAR_DIR moves it, which the tests use to get a private database each.
    """
    path = Path(os.environ.get("ZJ_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """DATABASE_URL selects any SQLAlchemy database; SQLite in var/ otherwise."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir() / 'dashboard.sqlite3'}"
