"""Browser fixtures: a real `streamlit run app.py` on a demo database, driven by Debian's chromium.

Every request the page makes is recorded; anything not addressed to this machine is
refused and listed in page.external_requests, so a test can assert the intranet case.
"""
from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.live_server import free_port, start_streamlit, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@contextmanager
def serve_app(var: Path):
    """Run `streamlit run app.py` on 127.0.0.1 against a demo database in `var`; yields the base URL."""
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "init", "--demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=180)
    port = free_port()
    proc = start_streamlit(port, env, var / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Base URL of the app served on 127.0.0.1 with the catalogue and demo data."""
    with serve_app(tmp_path_factory.mktemp("browser_var")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    external: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.external_requests = external
    pg.set_default_timeout(30_000)
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


def wait_for_app(page, text: str, timeout: float = 45_000) -> None:
    """Wait until the shared sidebar and `text` are visible and Streamlit has stopped running."""
    page.get_by_text("报告期").first.wait_for(state="visible", timeout=timeout)
    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)
    page.wait_for_timeout(800)  # let canvases (data grids, charts) paint before screenshots
