"""进度填报 in a real browser: download the template, fill it, upload it through the real file uploader,
preview, answer the second look with a 说明, confirm, and see the new value on 目标指标."""
from __future__ import annotations

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.auth_support import ADMIN, ADMIN_PASSWORD, auth_app, log_in  # noqa: F401  (fixture)
from tests.browser.conftest import ARTIFACTS, wait_for_app

# Not a value the demo data produces, so seeing it proves the upload landed; double the demo's 2020Q3 139,
# so the second look asks for a 说明 before 确认入库.
NEW_VALUE = 287.5


def _fill(path: str, target_id: str, value: float) -> bytes:
    with open(path, "rb") as f:  # the download's temp path has no .xlsx suffix
        wb = openpyxl.load_workbook(io.BytesIO(f.read()))
    ws = wb["指标进展"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == target_id and r[4].value == "全市")
    row[6].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.browser
def test_template_fill_upload_confirm_shows_on_targets(auth_app, page):
    live_app = auth_app  # uploading needs a login: the office's account, whose password this server knows
    log_in(page, live_app, ADMIN, ADMIN_PASSWORD)
    page.get_by_text("已登录：").wait_for(state="visible", timeout=30_000)
    wait_for_app(page, "进度填报")
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载填报模板").click()
    download = dl.value
    assert download.suggested_filename == "进度填报模板-全市-2020Q4.xlsx"
    filled = _fill(download.path(), "T23", NEW_VALUE)

    page.get_by_role("tab", name="上传文件").click()
    # The sheet's uploader (the page also has the 佐证材料 ones).
    page.locator("[data-testid='stFileUploader'] input[type='file'][accept*='.xlsm']").set_input_files(
        {"name": "全市进度.xlsx", "buffer": filled,
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    page.get_by_text("预览：全市进度.xlsx").wait_for(state="visible", timeout=60_000)
    # Data grids draw on a canvas; their cells are in the DOM for accessibility but hidden.
    page.get_by_text("T23 社会公用计量标准 · 全市 · 2020Q4").first.wait_for(state="attached")
    commit = page.get_by_role("button", name="确认入库").first
    commit.wait_for(state="visible")
    page.get_by_text("需要说明的数据（1 处）").wait_for(state="visible")
    assert commit.is_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_role("textbox", name="说明（数据异常的原因）").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "upload-second-look.png"))
    note = page.get_by_role("textbox", name="说明（数据异常的原因）")
    note.fill("本季度新建社会公用计量标准集中验收")
    note.blur()  # the text area hands its text to the app when it loses focus, as when the official clicks on
    expect(commit).to_be_enabled(timeout=30_000)
    commit.click()
    page.get_by_text("已入库（提交编号").wait_for(state="visible", timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-committed.png"), full_page=True)

    page.goto(f"{live_app}/targets?target=T23")
    wait_for_app(page, "社会公用计量标准达到250项")
    # The detail's 最新值 metric shows it; the table row has it too (a canvas grid, so only attached).
    page.locator("[data-testid='stMetricValue']", has_text="287.5 项").wait_for(state="visible")
    page.locator("[role=gridcell]", has_text="287.5 项").first.wait_for(state="attached")
    assert page.external_requests == []
