"""Two plans side by side for tests: the real 2018–2020 plan and the fictitious successor fixture.

`two_plans` (fixture): ZJ_PLANS_DIR points at a temporary folder holding copies of data/plans/2018-2020 and
tests/fixtures/plans/2021-2025, for this test only; the plan caches are cleared before and after.
Import it in a test module: `from tests.support.plans import two_plans  # noqa: F401`.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.paths import PLAN_DIR
from tests.support.periods import open_periods  # noqa: F401  (the successor's periods closed long ago too)

ROOT = Path(__file__).resolve().parents[2]
SUCCESSOR = "2021-2025"
SUCCESSOR_DIR = ROOT / "tests" / "fixtures" / "plans" / SUCCESSOR
FIRST, SECOND = "2018-2020", SUCCESSOR
FIRST_NAME = "湛江市开展质量提升行动的方案"
SECOND_NAME = "湛江市质量提升行动后续方案（测试夹具）"


def plans_root_with(folder: Path, *sources: Path) -> Path:
    """A plans folder holding copies of `sources` (plan folders), each under its own name."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copytree(source, folder / source.name)
    return folder


def plans_folder(target: Path) -> Path:
    """A plans folder with both plans (the browser tests hand it to a served app)."""
    return plans_root_with(target, PLAN_DIR, SUCCESSOR_DIR)


def reset_plan_caches() -> None:
    """Per-process memos that follow the plans folder and the database (tests switch both)."""
    from core import plans as core_plans
    from services import plans, submissions

    core_plans._current_memo.clear()
    plans._default_memo.clear()
    submissions.plan_catalogue.cache_clear()


@pytest.fixture
def two_plans(tmp_path, monkeypatch) -> Path:
    root = plans_root_with(tmp_path / "plans", PLAN_DIR, SUCCESSOR_DIR)
    monkeypatch.setenv("ZJ_PLANS_DIR", str(root))
    reset_plan_caches()
    yield root
    reset_plan_caches()
