"""The app in a real browser: Chinese text renders with real glyphs, nothing leaves the intranet."""
from tests.browser.conftest import ARTIFACTS, serve_app, wait_for_app

# A CJK font draws 目 and 标 as different shapes; a missing font draws both as the same box.
GLYPHS_DIFFER = """() => {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d');
  const draw = ch => { g.clearRect(0, 0, 64, 64); g.font = '48px sans-serif'; g.fillText(ch, 4, 52);
                       return g.getImageData(0, 0, 64, 64).data.join(','); };
  return draw('目') !== draw('标') && draw('目') !== draw('');
}"""


def test_targets_page_renders_chinese_offline(live_app, page):
    page.goto(f"{live_app}/targets")
    wait_for_app(page, "产品工程服务和环境质量")
    assert page.get_by_role("heading", name="目标指标").first.is_visible()
    assert page.get_by_text("演示数据").first.is_visible()
    assert page.evaluate(GLYPHS_DIFFER), "CJK glyphs render as boxes: install fonts-noto-cjk"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "targets.png"))
    assert page.external_requests == []


def test_target_detail_from_bookmark(live_app, page):
    page.goto(f"{live_app}/targets?target=T23")
    wait_for_app(page, "社会公用计量标准达到250项")
    # The trend chart is drawn by vega-embed into a canvas or svg.
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for(state="visible")
    assert page.external_requests == []


def test_bookmarked_page_on_a_fresh_server_goes_through_the_router(tmp_path, page):
    """The first visitor after a restart opens a bookmark: the shared sidebar and layout must be there."""
    with serve_app(tmp_path) as url:
        page.goto(f"{url}/targets")
        wait_for_app(page, "产品工程服务和环境质量")
        assert page.get_by_text("湛江市质量提升行动").first.is_visible()
        assert page.get_by_role("link", name="app").count() == 0
