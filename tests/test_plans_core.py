"""Plan-specific files follow the current plan (core.plans, core.settings, core.scoring, core.bulletin_docx,
core.catalogue), and each plan's database is where db.engine says."""
from __future__ import annotations

import shutil

import pytest

from core.bulletin_docx import template_file
from core.catalogue import CatalogueError, load_catalogue
from core.paths import PLAN_DIR
from core.plan_context import use_plan
from core.plans import current_plan, measure_range
from core.scoring import scoring_file
from core.settings import load_settings
from db.engine import plan_database_url, plan_schema
from tests.support.plans import SUCCESSOR, SUCCESSOR_DIR, two_plans  # noqa: F401


def test_settings_scoring_and_catalogue_follow_the_current_plan(two_plans):
    office = load_settings()
    assert (office.first_period, office.last_period) == ("2018Q1", "2020Q4")
    assert current_plan().id == "2018-2020" and len(load_catalogue().targets) == 52
    with use_plan(SUCCESSOR):
        s = load_settings()
        assert (s.first_period, s.last_period) == ("2021Q1", "2025Q4")
        assert (s.deadline_days, s.close_days) == (office.deadline_days, office.close_days)  # the office's
        assert current_plan().short_name == "质量提升后续方案（测试）"
        assert [t.id for t in load_catalogue().targets] == ["T01", "T02", "T03"]
        assert scoring_file() == two_plans / SUCCESSOR / "scoring.toml"
        # No 通报 wording of its own: it borrows the first plan's (which names the plan by {plan_name}).
        assert template_file() == PLAN_DIR / "bulletin_template.toml"
    assert scoring_file() == two_plans / "2018-2020" / "scoring.toml"


def test_the_measure_range_comes_from_plan_toml(tmp_path):
    assert measure_range(PLAN_DIR) == (3, 32) and measure_range(SUCCESSOR_DIR) is None
    folder = tmp_path / "2026-2030"
    shutil.copytree(SUCCESSOR_DIR, folder)
    tasks = folder / "tasks.csv"
    text = tasks.read_text(encoding="utf-8").replace("提高农产品优质供给水平,3,", "提高农产品优质供给水平,40,")
    tasks.write_text(text, encoding="utf-8")
    assert load_catalogue(folder).tasks[0].measure == 40  # no range in its plan.toml: not checked
    plan = folder / "plan.toml"
    # At the top: a key after plan.toml's [continuity] table would belong to that table.
    plan.write_text("measures = [1, 12]\n" + plan.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError, match="举措编号 40 不在方案的 1–12 之内"):
        load_catalogue(folder)


def test_each_plan_database_is_named_after_the_plan(tmp_path, monkeypatch):
    monkeypatch.setenv("ZJ_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert plan_database_url("2018-2020") == f"sqlite:///{tmp_path / 'dashboard.sqlite3'}"
    assert plan_database_url(SUCCESSOR) == f"sqlite:///{tmp_path / 'plans' / '2021-2025.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db/zj")
    assert plan_database_url(SUCCESSOR) == "postgresql+psycopg://u:p@db/zj?options=-csearch_path%3Dplan_2021_2025"
    assert plan_schema("2021-2025") == "plan_2021_2025"
    with pytest.raises(ValueError, match="不是方案编号"):
        plan_database_url("../../etc")
