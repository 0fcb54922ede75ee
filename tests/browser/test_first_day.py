"""An official's first day in Chromium: every page at 1366×768 (office laptop) and 390×844 (phone) shows
no English outside the data, no emoji, no sideways scrolling on the phone, and asks nothing of any host
but 127.0.0.1; a 填报员 who opens `/` finds the 登录 link and reaches 进度填报 through it.

One server for the module, with its own accounts (test-only passwords for a throw-away database).
"""
from __future__ import annotations

import re

import pytest

from tests.browser.auth_support import demo_with_reporter
from tests.browser.conftest import ARTIFACTS, serve_app

ADMIN_PASSWORD = "FirstDay-Admin-Pass-1"
CLERK, CLERK_PASSWORD = "first_day_tb", "FirstDay-Clerk-Pass-1"
CLERK_DEPT = "市市场监管局"

LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
# (path, a text the page shows once it has run)
PAGES = [
    ("/", "红色清单"),
    ("/targets", "产品工程服务和环境质量"),
    ("/targets?target=T23", "社会公用计量标准达到250项"),
    ("/tasks", "任务详情"),
    ("/tasks?task=5", "报送历史"),
    ("/districts", "区县排名"),
    ("/departments", "部门详情"),
    ("/meeting", "开始放映"),
    ("/login", "还没有账号"),
]
# Words officials read as Chinese text: file formats, the office programs (Excel, Word) and the Esc key.
ALLOWED_WORDS = {"PNG", "PPTX", "Excel", "Word", "PDF", "CSV", "Esc", "MB", "xlsx", "xlsm", "xls", "csv", "et", "ods",
                 "WPS", "UTF", "GBK"}
EMOJI = re.compile("[\U0001F000-\U0001FAFF\uFE0F\u2705\u274C\u26A0\u26AA\u26AB\u2B55\u2B50]")

# The text a person sees: visible text nodes, without icon ligatures (a bundled icon font draws them),
# commands and file names in <code>, and text shrunk to nothing in favour of our Chinese ::after.
VISIBLE_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (el.closest('[data-testid="stIconMaterial"], code, pre')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.fontSize) === 0) continue;
    if (!el.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
}"""
OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return {page: document.documentElement.scrollWidth - window.innerWidth,
          main: main ? main.scrollWidth - main.clientWidth : 0};
}"""
# The run has finished and our stylesheet (components/page_style.py) is in the page.
IDLE = """() => document.querySelector('[data-testid="stSidebar"]')
  && !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('style')].some(s => s.textContent.includes('stSkipToContent'))"""


@pytest.fixture(scope="module")
def first_day_app(tmp_path_factory):
    var = tmp_path_factory.mktemp("first_day_var")
    demo_with_reporter(var, CLERK, CLERK_DEPT, CLERK_PASSWORD, ADMIN_PASSWORD)
    with serve_app(var) as url:
        yield url


def _open(page, url: str, text: str) -> None:
    page.goto(url)
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)


def _english_words(texts: list[str]) -> set[str]:
    return {w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t)} - ALLOWED_WORDS


@pytest.mark.browser
@pytest.mark.parametrize("size", [LAPTOP, PHONE], ids=["1366x768", "390x844"])
def test_every_page_is_chinese_drawn_and_local(first_day_app, page, size):
    page.set_viewport_size(size)
    problems = []
    for path, text in PAGES:
        _open(page, f"{first_day_app}{path}", text)
        texts = page.evaluate(VISIBLE_TEXT)
        english = _english_words(texts)
        if english:
            problems.append(f"{path}: English {sorted(english)}")
        emoji = {ch for t in texts for ch in EMOJI.findall(t)}
        if emoji:
            problems.append(f"{path}: emoji {sorted(emoji)}")
        # Status words stand in cells the app paints (badges), never next to an emoji dot.
        badges = page.locator(".zj-status").all_inner_texts()
        if any(EMOJI.search(b) for b in badges):
            problems.append(f"{path}: emoji in status badges {badges}")
        if size is PHONE:
            over = page.evaluate(OVERFLOW)
            if over["page"] > 0 or over["main"] > 0:
                problems.append(f"{path}: sideways scrolling {over}")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"phone{path.replace('/', '_').replace('?', '_')}.png"))
    assert not problems, "\n".join(problems)
    assert page.external_requests == []


@pytest.mark.browser
def test_status_badges_are_drawn_in_colour(first_day_app, page):
    _open(page, f"{first_day_app}/tasks?task=5", "报送历史")
    badge = page.locator(".zj-status").first
    colour = badge.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour


@pytest.mark.browser
def test_a_clerk_reaches_upload_from_the_front_page_through_the_visible_login(first_day_app, page):
    page.set_viewport_size(LAPTOP)
    _open(page, f"{first_day_app}/", "红色清单")
    assert page.get_by_role("link", name="进度填报").count() == 0  # not in the menu while logged out
    page.get_by_role("link", name="登录（填报员、督查办）").click()
    page.get_by_text("还没有账号").wait_for(state="visible")
    assert page.get_by_text("督查办").first.is_visible()
    page.get_by_label("用户名").fill(CLERK)
    page.get_by_label("密码", exact=True).fill(CLERK_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text(f"已登录：{CLERK}（填报员·{CLERK_DEPT}）").first.wait_for(state="visible")
    page.get_by_role("link", name="进度填报").first.click()
    page.get_by_role("tab", name="上传文件").wait_for(state="visible")
    assert "/upload" in page.url
    page.get_by_role("tab", name="上传文件").click()
    dropzone = page.locator("[data-testid='stFileUploaderDropzone'][aria-label='选择填好的进度表']")  # not 佐证材料's
    dropzone.wait_for(state="visible")
    # The uploader's own English is replaced by our Chinese (generated content of the stylesheet).
    after = dropzone.locator("button [data-testid='stMarkdownContainer']").evaluate(
        "el => getComputedStyle(el, '::after').content")
    assert "选择文件" in after
    assert _english_words([t.replace(CLERK, "") for t in page.evaluate(VISIBLE_TEXT)]) == set()  # the name is data
    assert page.external_requests == []
