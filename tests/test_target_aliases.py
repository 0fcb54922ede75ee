"""A plan's target_aliases.csv: the spellings departments use for a target, checked like the catalogue."""
from __future__ import annotations

import shutil

import pytest

from core.catalogue import CatalogueError, load_catalogue
from core.paths import PLAN_DIR


def test_aliases_are_loaded_per_target():
    cat = load_catalogue()
    assert "每万人口发明专利拥有量" in cat.target_aliases["T19"]
    assert all(tid in {t.id for t in cat.targets} for tid in cat.target_aliases)


def test_alias_file_problems_name_file_row_and_column(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, plan)
    (plan / "target_aliases.csv").write_text("target_id,alias,note\nT99,某指标,\nT19,,\nT01,一致性,\nT02,一致性,\n",
                                             encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(plan)
    problems = info.value.problems
    assert "target_aliases.csv 第2行 target_id 列：指标编号“T99”不在 targets.csv 中" in problems
    assert "target_aliases.csv 第3行 alias 列：别名为空" in problems
    assert "target_aliases.csv 第5行 alias 列：别名“一致性”与第4行重复" in problems


def test_catalogue_without_an_alias_file_still_loads(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, plan)
    (plan / "target_aliases.csv").unlink()
    assert load_catalogue(plan).target_aliases == {}
