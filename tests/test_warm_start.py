"""The service opens its own pages before officials arrive (service/warm_start.py, manage.py serve)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from service import warm_start
from tests.live_server import ROOT, free_port, served_script, start_service, stop, wait_for_log

APP_WITH_A_BROKEN_PAGE = textwrap.dedent("""
    import streamlit as st

    def fine():
        st.title("正常页面")

    def broken():
        raise ValueError("故意出错")

    def secret():
        raise RuntimeError("隐藏页面不应被打开")

    st.navigation([st.Page(fine, title="正常", url_path="", default=True),
                   st.Page(broken, title="出错", url_path="broken"),
                   st.Page(secret, title="隐藏", url_path="secret", visibility="hidden")]).run()
""")


def test_visits_report_each_menu_page_and_whether_it_raised(tmp_path):
    with served_script(tmp_path, APP_WITH_A_BROKEN_PAGE) as url:
        visits = warm_start.visit_all(url)
    assert [(v.url_path, v.ok) for v in visits] == [("", True), ("broken", False)]
    assert all(v.seconds > 0 for v in visits)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`manage.py serve` on a demo database; yields (base URL, its log file, the process)."""
    var = tmp_path_factory.mktemp("serve_var")
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "init", "--demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=180)
    port = free_port()
    log = var / "serve.log"
    proc = start_service(port, env, log)
    try:
        yield f"http://127.0.0.1:{port}", log, proc
    finally:
        stop(proc)


def test_service_opens_every_public_page_without_error_before_officials_arrive(served):
    url, log, proc = served
    line = wait_for_log(log, "预热完成", proc)
    opened = [part.split(" ")[0] for part in line.split("预热完成：", 1)[1].split("；")[0].split("，")]
    assert opened == ["/", "/targets", "/tasks", "/districts", "/departments", "/meeting"]
    assert "出错页面" not in line
    # Pages behind a login are not opened by the service: their reads belong to a department.
    assert "/upload" not in line and "/admin" not in line
    seconds, ok, pages = warm_start.visit(url)
    assert ok and {p[1] for p in pages} >= {"targets", "upload", "admin"}


def test_service_says_where_it_answers_in_chinese_and_asks_no_outside_host(served):
    url, log, proc = served
    wait_for_log(log, "预热完成", proc)
    text = log.read_text(encoding="utf-8")
    assert f"看板已启动，本机访问 http://127.0.0.1:{url.rsplit(':', 1)[1]}" in text
    # Streamlit's English welcome looks up an "External URL" on the internet: switched off.
    assert "You can now view" not in text and "External URL" not in text
    assert "Uvicorn server started" not in text  # Streamlit's English INFO lines are off (logger.level)


def test_serving_lines_for_the_intranet():
    assert warm_start.serving_lines(8501, "0.0.0.0")[1].startswith("内网其他电脑访问 http://")
    assert warm_start.serving_lines(8501, "10.1.2.3")[1] == "内网其他电脑访问 http://10.1.2.3:8501"
    assert "--address 0.0.0.0" in warm_start.serving_lines(8501, "127.0.0.1")[1]


def test_service_passes_streamlit_options_through_and_refuses_unknown_ones_elsewhere(capsys):
    import manage

    assert manage.main(["backup", "--server.headless", "true"]) == manage.EXIT_REFUSED  # a return code, no SystemExit
    assert "无法识别的参数" in capsys.readouterr().err


def test_warm_seconds_zero_starts_no_warm_up_thread():
    import threading

    assert warm_start.keep_warm("http://127.0.0.1:9", 0) is None
    assert not [t for t in threading.enumerate() if t.name == "zj-keep-warm"]


def test_the_warm_up_visits_the_public_pages_of_the_page_registry():
    from services.pages import PAGES

    assert warm_start.public_url_paths() == ["", "targets", "tasks", "districts", "departments", "meeting"]
    assert {p.url_path for p in PAGES if not p.public} == {"upload", "supervision", "admin", "login"}


def test_the_app_menu_is_the_page_registry(app_test):
    from services.pages import PAGES

    at = app_test()
    registered = {(info.get("url_pathname"), info.get("page_name")) for info in at._registered_pages.values()}
    assert {p.url_path for p in PAGES} == {url for url, _ in registered}
    assert {p.title for p in PAGES} == {name for _, name in registered}
