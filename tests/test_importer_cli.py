"""manage.py template / import: dry run, import, re-import and exit codes, database checked each time.
In-process (tests/support/cli.py); tests/test_manage_cli.py keeps a real subprocess run of the script."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import fixtures_excel as fx
from tests.support.cli import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[1]


OFFICE = "张科长"  # an office (管理员) account: import --user must name an existing account


def run(var: Path, *args: str, **extra_env: str) -> CliResult:
    if args[0] == "import" and "--user" not in args:
        args = (*args, "--user", OFFICE)
    return run_cli(var, *args, **extra_env)


def counts(var: Path) -> tuple[int, int, int]:
    with sqlite3.connect(var / "dashboard.sqlite3") as conn:
        return tuple(conn.execute(f"select count(*) from {t}").fetchone()[0]
                     for t in ("submission", "indicatorvalue", "taskprogress"))


@pytest.fixture(scope="module")
def var(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli_var")
    assert run(folder, "init").returncode == 0
    assert run(folder, "user", "add", OFFICE, "--role", "管理员", ZJ_NEW_PASSWORD="Office-Test-Pass-1").returncode == 0
    # Every plan period closed by itself years ago (报告期关闭); the office reopens the ones these tests
    # import, as it would (test_closed_period_refuses_the_import keeps 2019Q4 closed).
    for period in ("2020Q1", "2020Q4"):
        assert run(folder, "period", "open", period, "--user", OFFICE, "--reason", "测试导入").returncode == 0
    return folder


def test_template_import_dry_run_reimport_and_exit_codes(var, tmp_path):
    template = tmp_path / "模板.xlsx"
    r = run(var, "template", "--department", "市市场监管局", "--period", "2020Q4", "-o", str(template))
    assert r.returncode == 0, r.stderr
    assert load_workbook(template).sheetnames == ["说明", "指标进展", "任务进展"]
    filled = tmp_path / "市市场监管局-2020Q4.xlsx"
    filled.write_bytes(fx.fill_template(template.read_bytes()))

    r = run(var, "import", str(filled), "--dry-run")
    assert r.returncode == 0, r.stdout + r.stderr
    dry = json.loads(r.stdout)
    assert dry["dry_run"] and dry["rows_read"] > 50 and dry["inserted"] == dry["rows_read"] and dry["errors"] == []
    assert counts(var) == (0, 0, 0)  # a dry run writes nothing

    r = run(var, "import", str(filled), "--user", "张科长")
    assert r.returncode == 0, r.stdout + r.stderr
    done = json.loads(r.stdout)
    assert done["inserted"] == dry["inserted"] and done["updated"] == 0 and not done["duplicate"]
    subs, values, progress = counts(var)
    assert subs == 1 and values + progress == dry["inserted"]
    with sqlite3.connect(var / "dashboard.sqlite3") as conn:
        assert conn.execute("select user_name, source, filename from submission").fetchone() == (
            "张科长", "cli", "市市场监管局-2020Q4.xlsx")

    r = run(var, "import", str(filled))
    assert r.returncode == 0
    again = json.loads(r.stdout)
    assert again["duplicate"] and again["inserted"] == 0 and "未写入任何数据" in again["message"]
    assert counts(var) == (1, values, progress)

    # Same content in a new file (one value changed): one update, the rest unchanged.
    wb = load_workbook(filled)
    wb["指标进展"]["G3"] = 97
    changed = tmp_path / "改.xlsx"
    wb.save(changed)
    r = run(var, "import", str(changed))
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert (out["inserted"], out["updated"], out["unchanged"]) == (0, 1, dry["inserted"] - 1)
    assert counts(var) == (2, values + 1, progress)


def test_validation_errors_exit_1_and_write_nothing(var, tmp_path):
    bad = tmp_path / "错.xlsx"
    bad.write_bytes(fx.progress_book([["T99", "", "", "", "", "2020Q4", 90], ["T01", "", "", "", "", "2020Q4", 91]]))
    before = counts(var)
    r = run(var, "import", str(bad))
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["errors"] == [{"sheet": "指标进展", "cell": "A3", "value": "T99", "message": "指标编号不存在",
                              "fix": out["errors"][0]["fix"]}]
    assert out["rejected"] == 1 and counts(var) == before


def test_closed_period_refuses_the_import_naming_the_cell(var, tmp_path):
    """Issue 16: a closed period refuses a CLI import with exit 1 and a Chinese message naming the cell;
    once the office reopens it, the same file imports."""
    late = tmp_path / "补报.xlsx"
    late.write_bytes(fx.progress_book([["T01", "", "", "", "", "2019Q4", 96]]))
    before = counts(var)
    r = run(var, "import", str(late))
    assert r.returncode == 1 and counts(var) == before
    assert r.stderr.startswith("未导入：指标进展!A3 “2019Q4”：2019Q4 已关闭（报送截止 2020-01-10 后 30 天已自动关闭）")
    assert "请联系督查办重新开放" in r.stderr
    error = json.loads(r.stdout)["errors"][0]
    assert (error["sheet"], error["cell"], error["message"][:10]) == ("指标进展", "A3", "2019Q4 已关闭")
    assert run(var, "period", "open", "2019Q4", "--user", OFFICE, "--reason", "补报").returncode == 0
    r = run(var, "import", str(late))
    assert r.returncode == 0, r.stdout + r.stderr
    assert counts(var)[1] == before[1] + 1
    assert run(var, "period", "close", "2019Q4", "--user", OFFICE).returncode == 0


def test_refused_file_exits_2(var, tmp_path):
    pdf = tmp_path / "其实是pdf.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n")
    before = counts(var)
    r = run(var, "import", str(pdf))
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert out["refused"] and "PDF" in out["errors"][0]["message"] and counts(var) == before


def test_period_and_department_fill_in_a_hand_made_sheet(var, tmp_path):
    sheet = tmp_path / "手工表.csv"
    sheet.write_bytes(fx.csv_bytes([["序号", "工作任务", "进展状态", "完成进度", "进展情况"],
                                    ["1", "1.提高农产品优质供给水平", "推进中", "40%", "配合抽检"]], "gbk"))
    r = run(var, "import", str(sheet), "--dry-run")
    assert r.returncode == 1 and "没有“报告期”列" in r.stdout
    r = run(var, "import", str(sheet), "--dry-run", "--period", "2020Q1", "--department", "市市场监管局")
    assert r.returncode == 0, r.stdout
    out = json.loads(r.stdout)
    assert (out["period"], out["department"], out["inserted"]) == ("2020Q1", "市市场监管局", 1)
