"""Continuity across plans (issue 15, item 5): predecessor/change columns, cancelled items, the joined series,
and the 指标详情 showing catalogue revisions and the series across plans."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.catalogue import CatalogueError, load_catalogue
from core.continuity import (
    AFTER,
    BEFORE,
    Continuity,
    PlanTarget,
    cancelled_note,
    change_note,
    check_links,
    join_series,
    read_continuity,
)
from core.paths import PLAN_DIR

ROOT = Path(__file__).resolve().parents[1]
SUCCESSOR = ROOT / "tests" / "fixtures" / "plans" / "2021-2025"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "2021-2025"
    shutil.copytree(SUCCESSOR, folder)
    return folder


def _edit(path: Path, row_id: str, **cells: str) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["id"] == row_id:
            row.update(cells)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


# --- parsing -------------------------------------------------------------------------------------------


def test_successor_fixture_names_its_predecessors_and_2018_catalogue_loads_unchanged():
    cat = load_catalogue(SUCCESSOR)
    assert [(t.id, t.predecessor, t.change) for t in cat.targets] == [
        ("T01", "2018-2020/T02", "调整"), ("T02", "2018-2020/T03", "继承"), ("T03", "", "新增")]
    assert [(t.id, t.predecessor, t.change) for t in cat.tasks] == [
        (1, "2018-2020/1", "继承"), (2, "2018-2020/6", "调整"), (3, "", "新增")]
    old = load_catalogue(PLAN_DIR)
    assert len(old.targets) == 52 and all(t.predecessor == t.change == "" for t in (*old.targets, *old.tasks))


@pytest.mark.parametrize(("file", "row_id", "cells", "message"), [
    ("targets.csv", "T01", {"change": "改进"}, "targets.csv 第2行 change 列：“改进”应为 继承、调整、新增、取消 之一"),
    ("targets.csv", "T01", {"predecessor": ""},
     "targets.csv 第2行 predecessor 列：change 为“调整”时须写明上一方案的对应编号"),
    ("targets.csv", "T03", {"predecessor": "2018-2020/T09"},
     "targets.csv 第4行 predecessor 列：change 为“新增”时不应有"),
    ("targets.csv", "T02", {"change": ""}, "targets.csv 第3行 change 列：写了上一方案的编号“2018-2020/T03”"),
    ("targets.csv", "T02", {"change": "取消"}, "targets.csv 第3行 change 列：取消的是上一方案中不再延续的事项"),
    ("targets.csv", "T02", {"predecessor": "T03"},
     "targets.csv 第3行 predecessor 列：“T03”应写成 上一方案编号/指标编号"),
    ("tasks.csv", "2", {"predecessor": "2018-2020/六"},
     "tasks.csv 第3行 predecessor 列：“2018-2020/六”应写成 上一方案编号/任务序号"),
    ("tasks.csv", "1", {"change": "继续"}, "tasks.csv 第2行 change 列：“继续”应为"),
])
def test_bad_continuity_cells_are_named(tmp_path, file, row_id, cells, message):
    folder = _copy(tmp_path)
    _edit(folder / file, row_id, **cells)
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(folder)
    assert any(p.startswith(message) for p in exc.value.problems), exc.value.problems


def test_cancelled_items_and_links_are_checked_against_the_predecessor(tmp_path):
    links = read_continuity(SUCCESSOR)
    assert links == Continuity("2018-2020", ("T05",), ())
    cat, old = load_catalogue(SUCCESSOR), load_catalogue(PLAN_DIR)
    assert check_links(cat, links, old) == []
    assert cancelled_note(links, old) == "上一方案（2018-2020）中不再延续（取消）的指标：T05 生产性服务业顾客满意度。"
    bad = Continuity("2018-2020", ("T02", "T99"), (6, 77))
    problems = check_links(cat, bad, old)
    assert problems == [
        "plan.toml [continuity] cancelled：指标“T02”已由本方案继承或调整，不能又列为取消",
        "plan.toml [continuity] cancelled：上一方案中没有指标“T99”",
        "plan.toml [continuity] cancelled：任务 6 已由本方案继承或调整，不能又列为取消",
        "plan.toml [continuity] cancelled：上一方案中没有任务 77",
    ]
    folder = _copy(tmp_path)
    _edit(folder / "targets.csv", "T01", predecessor="2018-2020/T99")
    _edit(folder / "targets.csv", "T02", predecessor="2016-2017/T03")
    assert check_links(load_catalogue(folder), links, old) == [
        "targets.csv 第2行 predecessor 列：上一方案（2018-2020）中没有“T99”",
        "targets.csv 第3行 predecessor 列：“2016-2017/T03”的方案编号应为 plan.toml 的 predecessor（2018-2020）",
    ]
    mixed = tmp_path / "mixed"
    shutil.copytree(SUCCESSOR, mixed)
    (mixed / "plan.toml").write_text((mixed / "plan.toml").read_text(encoding="utf-8").replace(
        'cancelled = ["T05"]', 'cancelled = ["T05", 7, "9"]'), encoding="utf-8")
    assert read_continuity(mixed).cancelled_tasks == (7, 9)


# --- the join --------------------------------------------------------------------------------------------

BEFORE_T = PlanTarget("2018-2020", "T02", "农产品质量安全例行检测总体合格率", "%", "≥", 96.0, 2020)
AFTER_T = PlanTarget("2021-2025", "T01", "农产品质量安全例行检测总体合格率", "%", "≥", 98.0, 2025)


def test_join_puts_both_plans_on_one_line_with_the_boundary_and_both_targets():
    before = pd.DataFrame({"period_code": ["2020Q4", "2020Q3", "2021Q1"], "value": [96.5, 95.0, 1.0],
                           "is_demo": [True, True, True]})
    after = pd.DataFrame({"period_code": ["2021Q2", "2021Q1", "2020Q4"], "value": [97.5, 97.0, 0.0]})
    joined = join_series(before, after, BEFORE_T, AFTER_T, "2021Q1", "调整")
    f = joined.frame
    assert f["period_code"].tolist() == ["2020Q3", "2020Q4", "2021Q1", "2021Q2"]  # each plan inside its own range
    assert f["value"].tolist() == [95.0, 96.5, 97.0, 97.5]
    assert f["side"].tolist() == [BEFORE, BEFORE, AFTER, AFTER]
    assert f["target_value"].tolist() == [96.0, 96.0, 98.0, 98.0] and f["target_id"].tolist()[1:3] == ["T02", "T01"]
    assert f["is_demo"].tolist() == [True, True, False, False]
    assert joined.note == "2021年起：96% → 98%（调整）" and joined.target_changed
    empty = join_series(before.iloc[0:0], after.iloc[0:0], BEFORE_T, AFTER_T, "2021Q1", "调整")
    assert empty.frame.empty


def test_change_note_for_a_target_carried_on_and_a_mid_year_boundary():
    same = PlanTarget("2021-2025", "T02", "大中型工程一次验收合格率", "%", "≥", 96.0, 2025)
    assert change_note(BEFORE_T, same, "2021Q1", "继承") == "2021年起：目标 96% 不变，目标年份 2020 → 2025（继承）"
    lower = PlanTarget("x", "T9", "n", "万吨", "≤", 12.5, 2025)
    assert change_note(PlanTarget("y", "T8", "n", "万吨", "≤", 15.0, 2020), lower, "2021Q3", "调整") == \
        "2021Q3 起：≤15 万吨 → ≤12.5 万吨（调整）"


# --- the service: the predecessor's values are read inside use_plan(predecessor) -------------------------


@pytest.fixture
def two_plans(tmp_path, monkeypatch):
    root = tmp_path / "plans"
    shutil.copytree(PLAN_DIR, root / "2018-2020")
    shutil.copytree(SUCCESSOR, root / "2021-2025")
    monkeypatch.setenv("ZJ_PLANS_DIR", str(root))
    return root


def _fake_reads(monkeypatch):
    """Each plan's reads answer for the plan in use (what plans15's per-plan databases will do)."""
    from core.plan_context import current_plan_id
    from services import continuity

    def city_values(target_id):
        plan = current_plan_id()
        data = {("2018-2020", "T02"): (["2020Q3", "2020Q4"], [95.8, 96.4]),
                ("2021-2025", "T01"): (["2021Q1", "2021Q2"], [96.9, 97.2])}
        periods, values = data.get((plan, target_id), ([], []))
        return pd.DataFrame({"target_id": target_id, "district_adcode": "", "period_code": periods, "value": values,
                             "is_demo": False})

    seen = []

    def targets_at(period):
        plan = current_plan_id()
        seen.append((plan, period))
        value, year, tid = (96.0, 2020, "T02") if plan == "2018-2020" else (98.0, 2025, "T01")
        return pd.DataFrame([{"id": tid, "name": "农产品质量安全例行检测总体合格率", "unit": "%", "comparator": "≥",
                              "target_value": value, "target_year": year}])

    monkeypatch.setattr(continuity, "_city_values", city_values)
    monkeypatch.setattr(continuity, "_targets_at", targets_at)
    return seen


def test_joined_series_reads_the_predecessor_inside_its_plan(demo_db, two_plans, monkeypatch):
    from core.plan_context import use_plan
    from services import continuity, plans
    from tests.conftest import clear_streamlit_caches

    clear_streamlit_caches()
    plans.ensure_ready("2021-2025")  # its own database (the cache key reads its data version)
    seen = _fake_reads(monkeypatch)
    with use_plan("2021-2025"):
        joined = continuity.joined_series("T01")
        assert continuity.joined_series("T03") is None  # 新增: nothing to join
        assert continuity.cancelled_targets_note().startswith("上一方案（2018-2020）中不再延续（取消）的指标：T05")
    assert seen == [("2021-2025", "2021Q1"), ("2018-2020", "2020Q4")]
    assert joined.frame["value"].tolist() == [95.8, 96.4, 96.9, 97.2]
    assert joined.frame["plan_id"].tolist() == ["2018-2020", "2018-2020", "2021-2025", "2021-2025"]
    assert joined.note == "2021年起：96% → 98%（调整）" and joined.boundary == "2021Q1"
    assert continuity.cancelled_targets_note() == ""  # the 2018–2020 plan has no predecessor
    clear_streamlit_caches()


# --- the page --------------------------------------------------------------------------------------------


def test_target_detail_says_which_catalogue_version_judges_the_period(app_test, tmp_path):
    from core.catalogue import load_catalogue as load
    from db.catalogue_sync import sync_catalogue
    from tests.catalogue_revision import revised_plan

    # The app's start syncs data/plans/2018-2020 (once per process and database): the revision comes after.
    at = app_test("pages/targets.py", target="T02", period="2019Q4")
    # One version, no predecessor (2018–2020): nothing about revisions or continuity.
    assert not any(w in c.value for c in at.caption for w in ("目录修订", "版目录", "不再延续"))
    folder = revised_plan(tmp_path)
    sync_catalogue(load(folder), folder)
    at.run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "目录修订：2020Q3 起按修订后的目录：目标值 96 → 97（本期（2019Q4）仍按修订前的目录判定）" in captions
    assert "2019Q4 按第 1 版目录判定（自 2018Q1 起适用，共 2 版）；此后目录有修订，修订内容见各指标详情。" in captions
    assert [m.value for m in at.metric if m.label == "目标"] == ["≥96%"]
    at.selectbox(key="period").set_value("2020Q4").run()
    captions = " ".join(c.value for c in at.caption)
    assert "2020Q3 起按修订后的目录：目标值 96 → 97（本期按修订后的目录判定）" in captions
    assert "2020Q4 按第 2 版目录判定（自 2020Q3 起适用，共 2 版）。" in captions
    assert [m.value for m in at.metric if m.label == "目标"] == ["≥97%"]
    at.selectbox(key="target").set_value("T23").run()
    assert not any("目录修订" in c.value for c in at.caption)


def test_target_detail_shows_the_series_joined_across_plans(app_test, two_plans, monkeypatch):
    """The successor plan in use: the detail of its T01 joins 2018–2020's T02 (the series' reads are the
    fakes above; tests/test_plans_pages.py joins real values of both plans' databases)."""
    from core import plan_context

    _fake_reads(monkeypatch)
    monkeypatch.setattr(plan_context, "_resolver", lambda: "2021-2025")  # the plan chosen in the session
    at = app_test("pages/targets.py", target="T01")
    assert not at.exception
    assert "跨方案走势" in [m.value.strip("# ") for m in at.markdown]
    assert "2021年起：96% → 98%（调整）" in [i.value for i in at.info]
    captions = " ".join(c.value for c in at.caption)
    assert "本指标调整自上一方案（2018-2020）的 T02" in captions
    assert "上一方案（2018-2020）中不再延续（取消）的指标：T05 生产性服务业顾客满意度。" in captions
    table = next(df.value for df in at.dataframe if "方案" in df.value.columns)
    assert table["报告期"].tolist() == ["2020Q3", "2020Q4", "2021Q1", "2021Q2"]
    assert table["目标"].tolist() == ["≥96%（2020年）"] * 2 + ["≥98%（2025年）"] * 2
    assert table["说明"].tolist() == ["", "", "方案更替：2021年起：96% → 98%（调整）", ""]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1  # the joined series; the successor's own database holds no T01 value yet


def test_cli_catalogue_check_of_a_successor_folder_checks_its_links(fresh_db, tmp_path):
    from tests.support.cli import run_cli

    ok = run_cli(fresh_db, "catalogue", "check", str(SUCCESSOR))
    assert ok.returncode == 0 and ok.stdout.startswith("目录无误：3 个指标，3 项任务")
    folder = _copy(tmp_path)
    _edit(folder / "targets.csv", "T01", predecessor="2018-2020/T99")
    bad = run_cli(fresh_db, "catalogue", "check", str(folder))
    assert bad.returncode == 1 and "targets.csv 第2行 predecessor 列：上一方案（2018-2020）中没有“T99”" in bad.stderr
    _edit(folder / "targets.csv", "T01", change="改进")
    cells = run_cli(fresh_db, "catalogue", "check", str(folder))
    assert cells.returncode == 1 and "targets.csv 第2行 change 列：“改进”应为" in cells.stderr
