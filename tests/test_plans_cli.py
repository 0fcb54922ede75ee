"""More than one plan (issue 15) through manage.py, in-process (tests/support/cli.py): plan list/add/archive/
activate, --plan on report/template/import, the 2018–2020 report unchanged by a second plan beside it."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from core.catalogue import load_catalogue
from core.paths import PLAN_DIR
from tests import fixtures_excel as fx
from tests.support.cli import run_cli
from tests.support.plans import SUCCESSOR, SUCCESSOR_DIR, plans_root_with, reset_plan_caches, two_plans  # noqa: F401

OFFICE = "张科长"
PASSWORD = "Office-Test-Pass-1"  # test-only, the database is thrown away
AGRI = "市农业农村局"  # leads T01 in the successor plan too


def _init(var: Path) -> None:
    assert run_cli(var, "init", "--demo").returncode == 0
    assert run_cli(var, "user", "add", OFFICE, "--role", "管理员", ZJ_NEW_PASSWORD=PASSWORD).returncode == 0


def _open_successor_period(var: Path, period: str = "2021Q4") -> None:
    """Every period of the successor closed by itself (close_days after its deadline, years ago): reopen the one
    a test imports into, as the office would."""
    out = run_cli(var, "period", "open", period, "--plan", SUCCESSOR, "--user", OFFICE, "--reason", "测试")
    assert out.returncode == 0, out.stderr


def _report(var: Path, *extra: str, period: str = "2020Q4") -> str:
    out = run_cli(var, "report", "--period", period, "--format", "json", *extra)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _successor_sheet(tmp_path: Path, value: float = 99.1, period: str = "2021Q4") -> Path:
    from core.plan_context import use_plan

    catalogue = load_catalogue(SUCCESSOR_DIR)
    path = tmp_path / f"后续方案-{period}.xlsx"
    with use_plan(SUCCESSOR):  # the template is marked with the plan it is made under (its 说明 sheet)
        path.write_bytes(fx.fill_template(fx.department_template(catalogue, AGRI, period), value=value))
    return path


def _successor_rows(var: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(var / "plans" / f"{SUCCESSOR}.sqlite3") as conn:
        return conn.execute(sql).fetchall()


def _home_counts(var: Path) -> tuple[int, ...]:
    with sqlite3.connect(var / "dashboard.sqlite3") as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in ("submission", "indicatorvalue", "taskprogress"))


def test_both_plans_are_listed_and_reported_each_with_its_own_targets_and_periods(two_plans, tmp_path):
    var = tmp_path / "var"
    _init(var)
    before = _report(var)

    listed = run_cli(var, "plan", "list", "--format", "json")
    assert listed.returncode == 0
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {"2018-2020", SUCCESSOR}
    assert rows["2018-2020"]["default"] and not rows[SUCCESSOR]["default"]
    assert (rows[SUCCESSOR]["first_period"], rows[SUCCESSOR]["last_period"]) == ("2021Q1", "2025Q4")
    assert {r["status"] for r in rows.values()} == {"active"}
    text = run_cli(var, "plan", "list").stdout
    assert "质量提升后续方案（测试）\t2021Q1–2025Q4\t使用中" in text and "2018Q1–2020Q4\t使用中\t默认" in text

    successor = json.loads(_report(var, "--plan", SUCCESSOR, period="2025Q4"))
    assert [t["target_id"] for t in successor["targets"]] == ["T01", "T02", "T03"]
    assert len(successor["tasks"]) == 3
    refused = run_cli(var, "report", "--plan", SUCCESSOR, "--period", "2020Q4", "--format", "json")
    assert refused.returncode == 2 and "2021Q1…2025Q4" in refused.stderr
    assert _successor_rows(var, "SELECT MIN(code), MAX(code), COUNT(*) FROM period") == [("2021Q1", "2025Q4", 20)]
    # The first plan's report is the same with the second plan beside it, and its database got no period of it.
    assert _report(var) == before and len(json.loads(before)["targets"]) == 52

    unknown = run_cli(var, "report", "--plan", "2030-2035", "--period", "2020Q4")
    assert unknown.returncode == 1 and "2030-2035" in unknown.stderr and "2018-2020、2021-2025" in unknown.stderr
    assert not (var / "plans" / "2030-2035.sqlite3").exists()


def test_adding_a_plan_and_importing_into_it_leaves_the_first_plan_byte_identical(tmp_path, monkeypatch):
    root = plans_root_with(tmp_path / "plans", PLAN_DIR)  # the office's folder before the successor plan
    monkeypatch.setenv("ZJ_PLANS_DIR", str(root))
    reset_plan_caches()
    var = tmp_path / "var"
    _init(var)
    before, counts_before = _report(var), _home_counts(var)

    added = run_cli(var, "plan", "add", str(SUCCESSOR_DIR))
    assert added.returncode == 0, added.stderr
    assert "已添加方案 2021-2025" in added.stdout and (root / SUCCESSOR / "plan.toml").is_file()
    again = run_cli(var, "plan", "add", str(SUCCESSOR_DIR))
    assert again.returncode == 1 and "已存在" in again.stderr

    _open_successor_period(var)
    template = tmp_path / "模板.xlsx"
    made = run_cli(var, "template", "--plan", SUCCESSOR, "--department", AGRI, "--period", "2021Q4",
                   "-o", str(template))
    assert made.returncode == 0, made.stderr
    sheet = _successor_sheet(tmp_path)
    imported = run_cli(var, "import", str(sheet), "--plan", SUCCESSOR, "--user", OFFICE)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert json.loads(imported.stdout)["inserted"] > 0
    assert _successor_rows(var, "SELECT value FROM indicatorvalue WHERE target_id = 'T01' AND period_code = '2021Q4' "
                                "AND district_adcode IS NULL") == [(99.1,)]
    t01 = json.loads(_report(var, "--plan", SUCCESSOR, period="2021Q4"))["targets"][0]
    assert t01["target_id"] == "T01" and t01["actual"] == 99.1

    assert _report(var) == before  # byte-identical
    assert _home_counts(var) == counts_before
    reset_plan_caches()


def test_a_sheet_of_the_first_plan_is_refused_by_the_successor_naming_its_periods(two_plans, tmp_path):
    var = tmp_path / "var"
    _init(var)
    old = tmp_path / "2018-2020.xlsx"
    old.write_bytes(fx.fill_template(fx.department_template(load_catalogue(PLAN_DIR), AGRI, "2020Q4"), value=97))
    out = run_cli(var, "import", str(old), "--plan", SUCCESSOR, "--user", OFFICE)
    assert out.returncode == 2
    summary = json.loads(out.stdout)
    # The template says which plan it is for (说明!B8): refused by that mark, naming both plans and this range.
    assert summary["refused"] and "2021Q1–2025Q4" in summary["errors"][0]["message"]
    assert "此表是《湛江市开展质量提升行动的方案》（2018Q1–2020Q4）的填报表" in summary["errors"][0]["message"]
    assert _successor_rows(var, "SELECT COUNT(*) FROM submission") == [(0,)]


def test_an_archived_plan_refuses_imports_until_activated(two_plans, tmp_path):
    var = tmp_path / "var"
    _init(var)
    sheet = _successor_sheet(tmp_path)
    _open_successor_period(var)
    archived = run_cli(var, "plan", "archive", SUCCESSOR)
    assert archived.returncode == 0 and "已归档" in archived.stdout
    assert "已归档（只读）" in run_cli(var, "plan", "list").stdout

    refused = run_cli(var, "import", str(sheet), "--plan", SUCCESSOR, "--user", OFFICE)
    assert refused.returncode == 2
    assert "已归档，只读" in refused.stderr and f"plan activate {SUCCESSOR}" in refused.stderr
    assert _successor_rows(var, "SELECT COUNT(*) FROM submission") == [(0,)]

    activated = run_cli(var, "plan", "activate", SUCCESSOR)
    assert activated.returncode == 0 and "设为默认" in activated.stdout
    ok = run_cli(var, "import", str(sheet), "--plan", SUCCESSOR, "--user", OFFICE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert _successor_rows(var, "SELECT COUNT(*) FROM submission") == [(1,)]
    # The successor is now the default: commands without --plan answer for it.
    assert json.loads(_report(var, period="2021Q4"))["targets"][0]["actual"] == 99.1
    rows = json.loads(run_cli(var, "plan", "list", "--format", "json").stdout)
    assert [r["id"] for r in rows if r["default"]] == [SUCCESSOR]
    with sqlite3.connect(var / "dashboard.sqlite3") as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM auditlog WHERE action LIKE 'plan_%' ORDER BY id")]
    assert actions[-2:] == ["plan_archive", "plan_activate"]


@pytest.mark.parametrize("breakage, expected", [
    ("targets", "不在 departments.csv 中"),
    ("plan.toml", "缺少 first_period"),
])
def test_adding_a_broken_plan_folder_exits_1_with_the_reason_and_creates_nothing(two_plans, tmp_path, breakage,
                                                                              expected):
    var = tmp_path / "var"
    assert run_cli(var, "init").returncode == 0
    broken = tmp_path / "incoming" / "2026-2030"
    shutil.copytree(SUCCESSOR_DIR, broken)
    if breakage == "targets":
        file = broken / "targets.csv"
        file.write_text(file.read_text(encoding="utf-8").replace("市农业农村局,按任务归口", "市不存在局,按任务归口"),
                        encoding="utf-8")
    else:
        file = broken / "plan.toml"
        file.write_text(file.read_text(encoding="utf-8").replace('first_period = "2021Q1"\n', ""), encoding="utf-8")
    out = run_cli(var, "plan", "add", str(broken))
    assert out.returncode == 1 and expected in out.stderr and "Traceback" not in out.stderr
    assert not (two_plans / "2026-2030").exists() and not (var / "plans" / "2026-2030.sqlite3").exists()
    assert [r["id"] for r in json.loads(run_cli(var, "plan", "list", "--format", "json").stdout)] == [
        "2018-2020", SUCCESSOR]


def test_demo_data_is_refused_for_a_plan_it_was_not_made_for(two_plans, tmp_path):
    var = tmp_path / "var"
    assert run_cli(var, "init").returncode == 0
    out = run_cli(var, "demo", "load", "--plan", SUCCESSOR)
    assert out.returncode == 1 and "没有演示数据" in out.stderr
    assert _successor_rows(var, "SELECT COUNT(*) FROM submission") == [(0,)]


def test_migrate_covers_every_plan_database_and_backup_takes_the_home_one_unless_told(two_plans, tmp_path):
    var = tmp_path / "var"
    assert run_cli(var, "init").returncode == 0
    assert run_cli(var, "catalogue", "check", "--plan", SUCCESSOR).stdout.startswith("目录无误：3 个指标")
    assert run_cli(var, "migrate", "--status").stdout.count("方案") == 0  # one database yet: as before plans
    assert run_cli(var, "report", "--plan", SUCCESSOR, "--period", "2021Q1").returncode == 0  # creates its database
    status = run_cli(var, "migrate", "--status")
    assert status.returncode == 0
    assert "方案 2018-2020：数据库结构" in status.stdout and f"方案 {SUCCESSOR}：数据库结构" in status.stdout
    home, successor = tmp_path / "home.sqlite3", tmp_path / "successor.sqlite3"
    assert run_cli(var, "backup", "-o", str(home)).returncode == 0
    assert run_cli(var, "backup", "--plan", SUCCESSOR, "-o", str(successor)).returncode == 0
    for path, targets in ((home, 52), (successor, 3)):
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT COUNT(*) FROM target").fetchone()[0] == targets


def test_a_plan_folder_already_in_place_is_added_where_it_is(two_plans, tmp_path):
    var = tmp_path / "var"
    assert run_cli(var, "init").returncode == 0
    added = run_cli(var, "plan", "add", str(two_plans / SUCCESSOR))
    assert added.returncode == 0, added.stderr
    assert sorted(p.name for p in two_plans.iterdir()) == ["2018-2020", SUCCESSOR]  # not copied onto itself
    assert _successor_rows(var, "SELECT value FROM appmeta WHERE key IN ('plan_id', 'plan_status') ORDER BY key") == [
        (SUCCESSOR,), ("active",)]


def test_any_command_writing_into_an_archived_plan_says_so_with_exit_2(two_plans, tmp_path):
    var = tmp_path / "var"
    _init(var)  # with the 2018–2020 demo data
    assert run_cli(var, "plan", "archive", "2018-2020").returncode == 0
    cleared = run_cli(var, "demo", "clear")
    assert cleared.returncode == 2 and "已归档，只读" in cleared.stderr and "plan activate 2018-2020" in cleared.stderr
    with sqlite3.connect(var / "dashboard.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM submission WHERE is_demo").fetchone()[0] > 0
    # Accounts are not the plan's data: they still change.
    assert run_cli(var, "user", "add", "新同事", "--role", "浏览", ZJ_NEW_PASSWORD=PASSWORD).returncode == 0
    assert run_cli(var, "report", "--period", "2020Q4", "--format", "json").returncode == 0  # reading is fine
