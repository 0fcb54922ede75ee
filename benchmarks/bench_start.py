"""Cold start: from nothing running to the first page, on the city database.

server_health_s    `streamlit run app.py` process start → first 200 from /_stcore/health
first_page_s       a browser's first visit to / on that fresh server → the page heading
                   visible and Streamlit idle (includes the server's first, cold script run)
start_to_page_s    the two together: what an official waits after the service is (re)started
apptest_first_s    a fresh Python process: interpreter start → first AppTest run of app.py
                   done (server-side only: imports, database bootstrap, the default page)
server_peak_rss_mb the server process's peak memory (VmHWM) after that first page

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

from tests.live_server import free_port, start_streamlit, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def _vm_hwm_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


def _first_page_in_browser(url: str) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                     "--disable-dev-shm-usage"])
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.locator("h1").first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                               timeout=120_000)
        took = time.perf_counter() - started
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


def bench_start(var: Path | None = None) -> dict:
    from benchmarks import synthetic

    var = var or Path(tempfile.mkdtemp(prefix="zj-bench-start-"))
    synthetic.build("city", var)
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = start_streamlit(port, env, var / "streamlit.log")
    try:
        wait_healthy(url, proc, seconds=120, poll=0.02)
        health = time.perf_counter() - started
        first_page = _first_page_in_browser(url) if Path(CHROMIUM).exists() else None
        peak = _vm_hwm_mb(proc.pid)
    finally:
        stop(proc)
    return {"server_health_s": round(health, 2),
            "first_page_s": round(first_page, 2) if first_page is not None else None,
            "start_to_page_s": round(health + first_page, 2) if first_page is not None else None,
            "apptest_first_s": round(apptest_first_run(var), 2), "server_peak_rss_mb": peak}


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
