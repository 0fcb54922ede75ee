"""部门记分卡 in a real browser: ranking and matrix render, the 通报 downloads, nothing leaves the intranet."""
import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import ARTIFACTS, wait_for_app


@pytest.mark.browser
def test_departments_page_renders_ranking_offline(live_app, page):
    page.goto(f"{live_app}/departments?dept=市水务局")
    wait_for_app(page, "部门排名（2020Q4）")
    assert page.get_by_role("heading", name="部门记分卡").first.is_visible()
    assert page.get_by_text("湛江市质量提升行动").first.is_visible()  # the router's sidebar, not a legacy page
    assert page.get_by_role("link", name="app").count() == 0
    assert page.get_by_text("记分矩阵").first.is_visible()
    charts = page.locator("[data-testid='stVegaLiteChart'] >> visible=true")
    charts.first.wait_for(state="visible")
    assert charts.count() >= 3  # department trend, targets matrix, tasks matrix
    assert page.locator("[data-testid='stDataFrame']").count() >= 4
    assert page.get_by_text("2020Q4 报送 未报送").first.is_visible()  # the bookmarked department's breakdown
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "departments.png"), full_page=True)
    charts.nth(1).scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "departments-matrix.png"))

    with page.expect_download() as info:
        page.get_by_role("button", name="下载通报（Excel）").click()
    download = info.value
    assert download.suggested_filename == "部门记分卡通报-2020Q4.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert wb.sheetnames == ["排名", "区县排名", "滞后清单", "扣分明细", "评分规则"]
    assert wb["排名"].max_row - 3 == 38
    # The same 通报 as a Word 公文 beside it (issue 19): a real .docx that names the period.
    with page.expect_download() as info:
        page.get_by_role("button", name="下载通报（Word 公文）").click()
    from docx import Document

    doc = Document(info.value.path())
    assert info.value.suggested_filename.endswith(".docx")
    assert "2020" in "\n".join(p.text for p in doc.paragraphs)
    assert page.external_requests == []
