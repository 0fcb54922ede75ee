"""Where the project's files live.

Plans: each plan is a folder under data/plans/<id>/ (plan.toml, targets.csv, tasks.csv, departments.csv,
districts.csv, places.csv, scoring.toml, ...). What is the office's rather than a plan's (settings,
department contacts, district boundaries) lives in data/ itself.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
# The first plan (2018–2020): the default, and the one whose data live in the main database.
DEFAULT_PLAN_ID = "2018-2020"
PLANS_DIR = DATA_DIR / "plans"
PLAN_DIR = PLANS_DIR / DEFAULT_PLAN_ID
SOURCE_TEXT = DATA_DIR / "source" / "zhanjiang-quality-action-plan.txt"
SETTINGS_FILE = DATA_DIR / "settings.toml"
CONTACTS_FILE = DATA_DIR / "contacts.csv"
GEOJSON_FILE = DATA_DIR / "geo" / "districts.geojson"


def plans_root() -> Path:
    """The folder holding one sub-folder per plan; ZJ_PLANS_DIR moves it (tests add plans there)."""
    return Path(os.environ.get("ZJ_PLANS_DIR", PLANS_DIR))


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
