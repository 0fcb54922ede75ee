"""Two plans side by side for tests: copies of data/plans/2018-2020 and the fictitious successor plan
tests/fixtures/plans/2021-2025 in a temporary ZJ_PLANS_DIR."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST, SECOND = "2018-2020", "2021-2025"
FIRST_NAME = "湛江市开展质量提升行动的方案"
SECOND_NAME = "湛江市质量提升行动后续方案（测试夹具）"


def plans_folder(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "data" / "plans" / FIRST, target / FIRST)
    shutil.copytree(ROOT / "tests" / "fixtures" / "plans" / SECOND, target / SECOND)
    return target


@pytest.fixture
def two_plans(tmp_path, monkeypatch) -> Path:
    root = plans_folder(tmp_path / "plans")
    monkeypatch.setenv("ZJ_PLANS_DIR", str(root))
    return root
