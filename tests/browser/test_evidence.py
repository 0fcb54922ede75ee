"""完成核验 with 佐证材料 in a real browser: a 填报员 uploads a sheet reporting task 2 已完成 (100%) and attaches a
pdf in the same commit; once the office has approved the report the department sees it 待核验; the office
downloads the pdf in 完成核验 and verifies; the task shows 已完成."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from core.catalogue import load_catalogue
from core.importer.templates import build_template
from tests.browser.auth_support import demo_with_reporter, log_in
from tests.browser.conftest import ARTIFACTS, ROOT, serve_app, wait_for_app

ADMIN, ADMIN_PASSWORD = "admin", "Browser-Admin-Pass-3"
REPORTER, REPORTER_PASSWORD = "shij_ev", "Browser-Shij-Pass-3"  # its own account: others lock theirs in tests
MARKET, PERIOD = "市市场监管局", "2020Q4"  # 市市场监管局 leads task 2; the demo has it at 61% in 2020Q4
# A minimal real PDF (header, one object, trailer): what core.evidence checks is the %PDF- header.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def ev_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("browser_evidence_var")
    env = demo_with_reporter(var, REPORTER, MARKET, REPORTER_PASSWORD, ADMIN_PASSWORD)
    # 2020Q4 closed long ago (close_days after its deadline): the office reopens it, as for a late report.
    opened = subprocess.run([sys.executable, "manage.py", "period", "open", PERIOD, "--user", ADMIN,
                             "--reason", "浏览器测试补报"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert opened.returncode == 0, opened.stderr
    with serve_app(var) as url:
        yield url


def _sheet() -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(build_template(load_catalogue(), period=PERIOD,
                                                          deadline=date(2021, 1, 10), department=MARKET)))
    row = next(r for r in wb["任务进展"].iter_rows(min_row=3) if r[0].value == 2)
    row[5].value, row[6].value, row[7].value = "已完成", 100, "食品药品抽检任务全部完成"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _log_out(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已登录：").wait_for(state="detached")


def _task_status(page, url: str) -> str:
    """The status badge of task 2's detail (components.status_style.status_metric)."""
    page.goto(f"{url}/tasks?task=2")
    wait_for_app(page, "任务详情")
    block = page.locator(".zj-metric", has_text="状态").first
    block.wait_for(state="visible")
    return block.locator(".zj-status").inner_text().strip()


@pytest.mark.browser
def test_reporter_attaches_a_pdf_office_verifies_task_becomes_done(ev_app, page):
    url = ev_app
    ARTIFACTS.mkdir(exist_ok=True)

    # The department uploads its sheet, attaches the pdf to the 已完成 row and submits.
    log_in(page, url, REPORTER, REPORTER_PASSWORD)
    page.get_by_text("已登录：").wait_for(state="visible", timeout=30_000)
    wait_for_app(page, "进度填报")
    page.get_by_role("tab", name="上传文件").click()
    page.locator("[data-testid='stFileUploader'] input[type='file']").first.set_input_files(
        {"name": "市场监管局进度.xlsx", "mimeType": XLSX, "buffer": _sheet()})
    page.get_by_text("预览：市场监管局进度.xlsx").wait_for(state="visible", timeout=60_000)
    box = page.locator(".st-key-ev_box_up_file")
    box.get_by_text("任务2 提高食品药品质量安全水平").first.wait_for(state="visible")
    page.get_by_text("1 处需要注意").first.wait_for(state="visible")  # no file yet: flagged
    # The uploader's own English is replaced: the app-wide Chinese names spreadsheets, this box evidence formats.
    hint = box.locator("[data-testid='stFileUploaderDropzoneInstructions'] > div").first.evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert "pdf、jpg、png、docx、xlsx、ofd" in hint and "xlsm" not in hint, hint
    button = box.locator("[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']").first
    assert "选择文件" in button.evaluate("e => getComputedStyle(e, '::after').content")
    page.screenshot(path=str(ARTIFACTS / "evidence-preview.png"), full_page=True)
    box.locator("input[type='file']").first.set_input_files(
        {"name": "抽检完成报告.pdf", "mimeType": "application/pdf", "buffer": PDF})
    box.get_by_text("抽检完成报告.pdf").first.wait_for(state="visible")
    page.get_by_text("1 处需要注意").first.wait_for(state="detached", timeout=30_000)
    page.get_by_role("button", name="提交审核").first.click()
    page.get_by_text("佐证材料 1 个已保存").wait_for(state="visible", timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "evidence-submitted.png"), full_page=True)
    _log_out(page)

    # The office approves the report; the task now waits for the office's check.
    log_in(page, url, ADMIN, ADMIN_PASSWORD, path="/admin")
    wait_for_app(page, "选择待审核的报送")
    page.get_by_role("button", name="下载 抽检完成报告.pdf").first.wait_for(state="visible")  # seen before approving
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text("已审核通过，数据已计入各页面").wait_for(state="visible", timeout=30_000)
    assert _task_status(page, url) == "待核验"
    _log_out(page)

    # The department sees 待核验 on its report.
    log_in(page, url, REPORTER, REPORTER_PASSWORD)
    wait_for_app(page, "进度填报")
    page.get_by_role("tab", name="佐证材料").click()
    page.get_by_text("选择任务报告").first.wait_for(state="visible")
    page.locator("[role=gridcell]", has_text="待核验").first.wait_for(state="attached")
    assert _task_status(page, url) == "待核验"
    _log_out(page)

    # The office downloads the pdf in 完成核验 and verifies.
    log_in(page, url, ADMIN, ADMIN_PASSWORD, path="/admin")
    wait_for_app(page, "没有待审核的报送")
    page.get_by_role("tab", name="完成核验").click()
    picker = page.locator("[data-testid='stSelectbox']").filter(has_text="选择完成报告").locator("input")
    picker.click()
    picker.fill(f"任务2 · {MARKET} · {PERIOD}")
    page.get_by_role("option", name=f"任务2 · {MARKET} · {PERIOD}").click()
    download = page.get_by_role("button", name="下载 抽检完成报告.pdf").first
    download.wait_for(state="visible", timeout=30_000)
    with page.expect_download() as dl:
        download.click()
    assert dl.value.suggested_filename == "抽检完成报告.pdf"
    assert open(dl.value.path(), "rb").read() == PDF
    page.get_by_role("button", name="核验通过").click()
    page.get_by_text(f"任务2（{MARKET}，{PERIOD}）已核验通过").wait_for(state="visible", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "evidence-verified.png"), full_page=True)
    assert _task_status(page, url) == "已完成"
    assert page.external_requests == []
