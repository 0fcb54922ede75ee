"""Cold start: from nothing running to the first page, on the city database.

Two ways to start the server:

plain   `streamlit run app.py`: the first visitor's page pays for every import and computation.
service `manage.py serve` (what `make run` starts): the app's modules are imported before the
        server listens, and the server opens its public pages itself once it answers
        (service/warm_start.py), so the first official finds them computed.

For each:
health_s           process start → first 200 from /_stcore/health
ready_s            (service) process start → the log line saying every public page was opened
first_page_s       a browser's first visit to / (after ready_s for the service) → heading visible
                   and Streamlit idle: Chromium loading Streamlit's front end plus the script run
first_page_cached_s the same with a browser whose HTTP cache already holds the front end from a
                   visit to an earlier server (an official's browser after an overnight restart)
first_run_s        the same first visit as the server sees it: a websocket session asking for /
                   → script finished (service/warm_start.visit), in a second, separate start
peak_rss_mb        the server process's peak memory (VmHWM) after that first page
apptest_first_s    a fresh Python process: interpreter start → first AppTest run of app.py
                   done (server-side only: imports, database bootstrap, the default page)

    python -m benchmarks.bench_start --json /tmp/start.json
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from service.warm_start import visit
from tests.live_server import free_port, start_service, start_streamlit, stop, wait_for_log, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def _vm_hwm_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def _first_page_in_browser(url: str, profile: Path | None = None) -> float:
    """Seconds from navigating to `url` until the heading shows and Streamlit is idle. With `profile`,
    Chromium keeps its HTTP cache there between calls, as an official's browser does between days."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    with sync_playwright() as pw:
        if profile is None:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
            context = browser.new_context()
        else:
            browser = None
            context = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=args)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.locator("h1").first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                               timeout=120_000)
        took = time.perf_counter() - started
        context.close()
        if browser is not None:
            browser.close()
    return took


def apptest_first_run(var: Path) -> float:
    code = ("import time, sys; t0 = float(sys.argv[1]); "
            "from streamlit.testing.v1 import AppTest; "
            "at = AppTest.from_file('app.py', default_timeout=300); at.run(); "
            "assert not at.exception, [e.message for e in at.exception]; "
            "print(time.time() - t0)")
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code, str(time.time())], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=600)
    return float(out.stdout.strip().splitlines()[-1])


def _start(kind: str, var: Path, env: dict, browser: bool, profile: Path | None = None) -> dict:
    """One fresh server of `kind`; its first visit by a browser (browser=True; with `profile`, a
    browser that keeps its HTTP cache there) or over a websocket."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = var / f"{kind}-{'browser' if browser else 'ws'}.log"
    started = time.perf_counter()
    proc = (start_service if kind == "service" else start_streamlit)(port, env, log)
    out = {}
    try:
        wait_healthy(url, proc, seconds=300, poll=0.02)
        out["health_s"] = round(time.perf_counter() - started, 2)
        if kind == "service":
            line = wait_for_log(log, "预热完成", proc)
            out["ready_s"] = round(time.perf_counter() - started, 2)
            out["warm_log"] = line.split("预热完成：", 1)[-1]
        if browser:
            out["first_page_s"] = round(_first_page_in_browser(url, profile), 2)
            out["peak_rss_mb"] = _vm_hwm_mb(proc.pid)
        else:
            seconds, ok, _ = visit(url)
            assert ok, f"the first page failed on a fresh {kind} server: {log.read_text()[-2000:]}"
            out["first_run_s"] = round(seconds, 2)
    finally:
        stop(proc)
    return out


def bench_start(var: Path | None = None) -> dict:
    from benchmarks import synthetic

    var = var or Path(tempfile.mkdtemp(prefix="zj-bench-start-"))
    synthetic.build("city", var)
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    out = {}
    for kind in ("plain", "service"):
        figures = _start(kind, var, env, browser=False)
        if Path(CHROMIUM).exists():
            browser = _start(kind, var, env, browser=True)
            figures.update({k: v for k, v in browser.items() if k in ("first_page_s", "peak_rss_mb")})
            # The usual morning: the server was restarted, the official's browser still holds
            # Streamlit's front end from an earlier day (filled here on a server of its own).
            profile = Path(tempfile.mkdtemp(prefix="zj-bench-chromium-"))
            _start(kind, var, env, browser=True, profile=profile)
            figures["first_page_cached_s"] = _start(kind, var, env, browser=True, profile=profile)["first_page_s"]
        out[kind] = figures
    out["apptest_first_s"] = round(apptest_first_run(var), 2)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    text = json.dumps(bench_start(), ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
