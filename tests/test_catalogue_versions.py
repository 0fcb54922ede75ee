"""Revised catalogues (issue 15, item 6): a revision applies from a period on; earlier periods are judged by
the version in force then; `manage.py catalogue diff` lists every change."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from core import catalogue_versions as cv
from core.catalogue import CatalogueError, load_catalogue
from core.catalogue_diff import diff_catalogues, diff_text
from tests.catalogue_revision import NEW_LEAD, revised_plan
from tests.support.cli import run_cli

# --- core: which version is in force ------------------------------------------------------------------


def _version(number: int, start: str, value: float, lead: str = "甲局") -> cv.Version:
    snap = {"targets": {"T1": cv.target_entry({"name": "合格率", "unit": "%", "comparator": "≥", "target_value": value,
                                               "target_year": 2020, "kind": "numeric", "lead_department": lead,
                                               "source_clause": f"达到{value:g}%"})},
            "tasks": {"1": cv.task_entry("任务一", lead, ["乙局"])}}
    return cv.Version(number, cv.digest(snap), start, snap)


V1, V2 = _version(1, "2018Q1", 96), _version(2, "2020Q3", 97, lead="丙局")
TARGETS = pd.DataFrame([{"id": "T1", "name": "合格率", "unit": "%", "comparator": "≥", "target_value": 97.0,
                         "target_max": None, "target_year": 2020, "kind": "numeric", "qualifier": "",
                         "lead_department": "丙局", "responsible_department": "丙局", "lead_basis": "",
                         "source_clause": "达到97%"}])
TASKS = pd.DataFrame([{"id": 1, "title": "任务一", "lead_department": "丙局", "participants": "乙局"}])


def test_the_version_in_force_is_the_newest_started_by_the_period():
    assert cv.in_force((V1, V2), "2020Q2") is V1
    assert cv.in_force((V1, V2), "2020Q3") is V2 and cv.in_force((V1, V2), "2020Q4") is V2
    assert cv.in_force((V2, V1), "2017Q4") is V1  # before the first start: the first version
    assert cv.in_force((), "2020Q1") is None


def test_targets_and_tasks_in_force_take_the_old_definition_before_the_revision():
    old = cv.targets_in_force(TARGETS, (V1, V2), "2019Q4").iloc[0]
    assert (old["target_value"], old["lead_department"], old["responsible_department"], old["source_clause"]) == \
        (96.0, "甲局", "甲局", "达到96%")
    assert cv.targets_in_force(TARGETS, (V1, V2), "2020Q3") is TARGETS  # the newest: the frame as read
    assert cv.targets_in_force(TARGETS, (V1,), "2019Q4") is TARGETS
    assert cv.tasks_in_force(TASKS, (V1, V2), "2019Q4").iloc[0]["lead_department"] == "甲局"
    roles = pd.DataFrame([{"task_id": 1, "department": "丙局", "department_kind": "department", "role": "牵头"},
                          {"task_id": 1, "department": "乙局", "department_kind": "department", "role": "参与"}])
    assert cv.roles_in_force(roles, (V1, V2), "2019Q4")[["department", "role"]].values.tolist() == \
        [["甲局", "牵头"], ["乙局", "参与"]]


def test_an_item_added_by_a_revision_is_left_out_of_earlier_periods():
    added = pd.concat([TARGETS, TARGETS.assign(id="T2")], ignore_index=True)
    assert cv.targets_in_force(added, (V1, V2), "2019Q4")["id"].tolist() == ["T1"]
    assert cv.targets_in_force(added, (V1, V2), "2020Q4")["id"].tolist() == ["T1", "T2"]
    more = pd.concat([TASKS, TASKS.assign(id=2)], ignore_index=True)
    assert cv.tasks_in_force(more, (V1, V2), "2019Q4")["id"].tolist() == [1]
    roles = pd.DataFrame([{"task_id": 2, "department": "丙局", "department_kind": "department", "role": "牵头"}])
    assert cv.roles_in_force(roles, (V1, V2), "2019Q4").empty


def test_a_registered_responsible_department_is_kept_under_an_old_version():
    registered = TARGETS.assign(responsible_department="丁局")
    assert cv.targets_in_force(registered, (V1, V2), "2019Q4").iloc[0]["responsible_department"] == "丁局"


def test_revision_text_names_the_period_and_the_change():
    [rev] = cv.target_revisions("T1", (V1, V2))
    assert rev["text"] == "2020Q3 起按修订后的目录：目标值 96 → 97；牵头部门 甲局 → 丙局"
    assert cv.target_revisions("T9", (V1, V2)) == []
    v3 = cv.Version(3, "x", "2020Q4", {"targets": {**V2.snapshot["targets"], "T9": V2.snapshot["targets"]["T1"]}})
    assert [r["text"] for r in cv.target_revisions("T9", (V1, V2, v3))] == \
        ["2020Q4 起按修订后的目录：新增本指标（此前的报告期不判定）"]


def test_applies_from_rules():
    assert cv.applies_from("2018Q1", "2020Q4", None, "2020Q3") == "2018Q1"  # the first version
    assert cv.applies_from("2018Q1", "2020Q4", V2, "2020Q4") == "2020Q4"
    assert cv.applies_from("2018Q1", "2020Q4", V1, "", today=date(2026, 11, 27)) == "2020Q4"  # clamped
    assert cv.applies_from("2018Q1", "2020Q4", V1, "", today=date(2019, 5, 1)) == "2019Q2"
    assert cv.applies_from("2018Q1", "2020Q4", V2, "", today=date(2019, 5, 1)) == "2020Q3"  # not before V2
    with pytest.raises(cv.RevisionPeriodError, match="不在方案的报告期 2018Q1–2020Q4"):
        cv.applies_from("2018Q1", "2020Q4", V1, "2021Q1")
    with pytest.raises(cv.RevisionPeriodError, match="早于上一次修订的起始期 2020Q3"):
        cv.applies_from("2018Q1", "2020Q4", V2, "2020Q2")
    with pytest.raises(cv.RevisionPeriodError, match="不是报告期") as exc:
        cv.applies_from("2018Q1", "2020Q4", V1, "2020年三季度")
    assert isinstance(exc.value, CatalogueError) and exc.value.problems[0].startswith("plan.toml 的 [catalogue]")


def test_digest_is_stable_and_sees_a_change(tmp_path):
    one, two = load_catalogue(), load_catalogue()
    assert cv.digest(cv.snapshot(one)) == cv.digest(cv.snapshot(two))
    assert cv.digest(cv.snapshot(load_catalogue(revised_plan(tmp_path)))) != cv.digest(cv.snapshot(one))


# --- core: the diff ------------------------------------------------------------------------------------


def test_diff_lists_changed_added_and_removed_with_clause_value_and_owner(tmp_path):
    old, new = load_catalogue(), load_catalogue(revised_plan(tmp_path))
    entries = diff_catalogues(old, new)
    assert [(e["kind"], e["id"], e["change"]) for e in entries] == [("指标", "T02", "修改"), ("指标", "T03", "修改")]
    t02 = entries[0]
    assert (t02["old"]["value"], t02["new"]["value"], t02["old"]["comparator"]) == (96.0, 97.0, "≥")
    assert t02["new"]["clause"].endswith("达到97%") and t02["old"]["clause"].endswith("达到96%")
    assert entries[1]["new"]["owner"] == NEW_LEAD and entries[1]["old"]["owner"] == "市住房和城乡建设局"
    text = diff_text(entries, "旧", "新")
    assert "【修改】指标 T02" in text and "目标值：96 → 97" in text
    assert f"牵头部门：市住房和城乡建设局 → {NEW_LEAD}" in text
    gone = load_catalogue()
    gone.targets = [t for t in gone.targets if t.id != "T05"]
    assert [(e["id"], e["change"]) for e in diff_catalogues(old, gone)] == [("T05", "删除")]
    assert [(e["id"], e["change"]) for e in diff_catalogues(gone, old)] == [("T05", "新增")]
    assert "完全相同" in diff_text(diff_catalogues(old, old), "a", "b")


# --- the database: a revision leaves earlier periods judged as before --------------------------------


def _report(var, period: str) -> dict:
    result = run_cli(var, "report", "--period", period, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _target(report: dict, tid: str) -> dict:
    return next(t for t in report["targets"] if t["target_id"] == tid)


def test_a_revised_catalogue_leaves_earlier_periods_judged_as_before(demo_db, tmp_path):
    from db import catalogue_versions
    from db.catalogue_sync import sync_catalogue
    from db.engine import dispose_engines

    before_2019, before_2020 = _report(demo_db, "2019Q4"), _report(demo_db, "2020Q4")
    assert _target(before_2020, "T02")["target"] == "≥96%"
    folder = revised_plan(tmp_path)
    dispose_engines()
    report = sync_catalogue(load_catalogue(folder), folder, by="测试")
    assert report.version == (2, "2020Q3") and "自 2020Q3 起适用" in report.summary()
    assert [v.applies_from for v in catalogue_versions.versions()] == ["2018Q1", "2020Q3"]

    assert _report(demo_db, "2019Q4") == before_2019  # byte for byte the same judgement
    after = _report(demo_db, "2020Q4")
    assert _target(after, "T02")["target"] == "≥97%" and _target(after, "T03")["lead_department"] == NEW_LEAD
    assert _target(before_2019, "T03")["lead_department"] == "市住房和城乡建设局"
    # Syncing the same catalogue again records nothing.
    assert sync_catalogue(load_catalogue(folder), folder).version is None
    from db.audit import audit_log

    log = audit_log(action="catalogue_version")
    assert len(log) == 1 and json.loads(log["detail"].iloc[0])["applies_from"] == "2020Q3"


def test_a_revision_before_the_newest_version_is_refused_and_writes_nothing(demo_db, tmp_path):
    from db import catalogue_versions, queries
    from db.catalogue_sync import sync_catalogue

    folder = revised_plan(tmp_path)
    sync_catalogue(load_catalogue(folder), folder)
    later = revised_plan(tmp_path / "again", revised_from="2020Q1")
    from tests.catalogue_revision import edit_targets

    edit_targets(later, {"T02": {"target_value": "98"}})
    with pytest.raises(cv.RevisionPeriodError, match="早于上一次修订的起始期 2020Q3"):
        sync_catalogue(load_catalogue(later), later)
    assert len(catalogue_versions.versions()) == 2
    assert queries.targets().set_index("id").loc["T02", "target_value"] == 97.0


def test_the_first_sync_of_an_unchanged_catalogue_after_the_upgrade_records_nothing(demo_db):
    """Migration 0010's frozen snapshot equals core.catalogue_versions.snapshot of the catalogue on disk."""
    from alembic import command

    from db import catalogue_versions
    from db.catalogue_sync import sync_catalogue
    from db.engine import get_engine
    from db.migrations import alembic_config

    with get_engine().begin() as conn:
        command.downgrade(alembic_config(conn), "0008_trustworthy")
        command.upgrade(alembic_config(conn), "head")
    [first] = catalogue_versions.versions()
    assert (first.number, first.applies_from, first.loaded_by) == (1, "2018Q1", "数据库升级")
    assert sync_catalogue(load_catalogue()).version is None
    assert first.digest == cv.digest(cv.snapshot(load_catalogue()))


# --- manage.py catalogue diff ---------------------------------------------------------------------------


def test_cli_catalogue_diff_text_and_json(fresh_db, tmp_path):
    from core.paths import PLAN_DIR

    folder = revised_plan(tmp_path)
    text = run_cli(fresh_db, "catalogue", "diff", str(PLAN_DIR), str(folder))
    assert text.returncode == 0, text.stderr
    assert "【修改】指标 T02" in text.stdout and "目标值：96 → 97" in text.stdout
    assert "原：牵头 市农业农村局，目标 ≥96；原文：“农产品质量安全例行检测总体合格率达到96%”" in text.stdout
    out = run_cli(fresh_db, "catalogue", "diff", str(PLAN_DIR), str(folder), "--format", "json")
    data = json.loads(out.stdout)
    assert [c["id"] for c in data["changes"]] == ["T02", "T03"]
    assert data["changes"][1]["new"]["owner"] == NEW_LEAD


def test_cli_catalogue_diff_of_an_invalid_folder_says_the_catalogue_message(fresh_db, tmp_path):
    from core.paths import PLAN_DIR
    from tests.catalogue_revision import edit_targets

    folder = revised_plan(tmp_path)
    edit_targets(folder, {"T02": {"comparator": "大于"}})
    out = run_cli(fresh_db, "catalogue", "diff", str(PLAN_DIR), str(folder))
    assert out.returncode == 1 and out.stdout == ""
    assert "targets.csv 第3行 comparator 列：“大于”应为" in out.stderr
    missing = run_cli(fresh_db, "catalogue", "diff", str(PLAN_DIR), str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "文件不存在" in missing.stderr
    assert run_cli(fresh_db, "catalogue", "diff", str(PLAN_DIR)).returncode == 2


def test_scores_and_share_on_track_of_earlier_periods_stay_and_an_added_target_waits(demo_db, tmp_path):
    """The 记分卡 (every period's items), the 总览 share on track and the report of the periods before the
    revision are as before, even though the revision also adds a target."""
    import csv

    from db import scoring_reads
    from db.catalogue_sync import sync_catalogue
    from services import status
    from tests.conftest import clear_streamlit_caches

    def board_2020q2():
        board = scoring_reads.scoreboard("2020Q2")
        return board.items, board.ranking, board.history

    before_board = board_2020q2()
    share = status.share_on_track.uncached("2020Q4")
    before_report = _report(demo_db, "2020Q2")
    folder = revised_plan(tmp_path)
    with (folder / "targets.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    extra = {**rows[1], "id": "T53", "name": "新增的测试指标"}
    with (folder / "targets.csv").open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(rows[0])).writerow(extra)
    sync_catalogue(load_catalogue(folder), folder)
    clear_streamlit_caches()

    after_board = board_2020q2()
    for a, b in zip(before_board, after_board):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    after_share = status.share_on_track.uncached("2020Q4")
    early = share["period_code"] < "2020Q3"
    pd.testing.assert_frame_equal(share[early], after_share[early])
    assert _report(demo_db, "2020Q2") == before_report
    latest = _report(demo_db, "2020Q4")
    assert "T53" in [t["target_id"] for t in latest["targets"]]
    assert after_share.loc[after_share["period_code"] == "2020Q4", "total"].tolist()[0] == \
        share.loc[share["period_code"] == "2020Q4", "total"].tolist()[0] + 1


def test_cli_init_refuses_a_revision_outside_the_plan_and_writes_nothing(demo_db, tmp_path, monkeypatch):
    from db import catalogue_versions, queries

    folder = revised_plan(tmp_path)
    monkeypatch.setattr("db.setup.load_catalogue", lambda *a: load_catalogue(folder))
    monkeypatch.setattr(cv, "revised_from", lambda plan_dir: "2017Q4")
    out = run_cli(demo_db, "init")
    assert out.returncode == 1
    assert "plan.toml 的 [catalogue] revised_from = “2017Q4” 不在方案的报告期 2018Q1–2020Q4 之内" in out.stderr
    assert len(catalogue_versions.versions()) == 1
    assert queries.targets().set_index("id").loc["T02", "target_value"] == 96.0
