"""An archived plan is read-only, not gone (issue 15 item 4): its report and its exported documents come out
the same before and after archiving, and the write that would change them is refused."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.plans import two_plans  # noqa: F401  (fixture)

OFFICE = "张科长"
PASSWORD = "Office-Test-Pass-1"  # test-only, the database is thrown away


def _outputs(var: Path, folder: Path) -> dict[str, bytes]:
    """The 2018–2020 report and the text of its 通报 and 会议 PPT for 2020Q4."""
    folder.mkdir()
    report = run_cli(var, "report", "--period", "2020Q4", "--format", "json")
    assert report.returncode == 0, report.stderr
    out = {"report": report.stdout.encode()}
    for kind, name, member in (("bulletin", "通报.docx", "word/document.xml"),
                               ("deck", "会议.pptx", "ppt/slides/slide1.xml")):
        done = run_cli(var, "export", kind, "--period", "2020Q4", "-o", str(folder / name))
        assert done.returncode == 0, done.stderr
        with zipfile.ZipFile(folder / name) as z:  # the deck's "生成：<minute>" is when, not what
            out[kind] = re.sub(rb"\d{4}-\d\d-\d\d \d\d:\d\d", b"<time>", z.read(member))
    return out


def test_an_archived_plan_reads_and_exports_as_before_and_refuses_writes(two_plans, tmp_path):
    var = tmp_path / "var"
    assert run_cli(var, "init", "--demo").returncode == 0
    assert run_cli(var, "user", "add", OFFICE, "--role", "管理员", ZJ_NEW_PASSWORD=PASSWORD).returncode == 0
    before = _outputs(var, tmp_path / "before")
    archived = run_cli(var, "plan", "archive", "2018-2020")
    assert archived.returncode == 0 and "只读" in archived.stdout
    assert _outputs(var, tmp_path / "after") == before
    refused = run_cli(var, "period", "close", "2020Q4", "--user", OFFICE, "--reason", "归档后试图关闭")
    assert refused.returncode == 2 and "已归档" in refused.stderr + refused.stdout
    assert run_cli(var, "plan", "activate", "2018-2020").returncode == 0
    closed = run_cli(var, "period", "close", "2020Q4", "--user", OFFICE, "--reason", "恢复后关闭")
    assert closed.returncode == 0, closed.stderr
