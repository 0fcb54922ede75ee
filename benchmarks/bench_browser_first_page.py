"""Where a browser's first visit goes after `manage.py serve` has warmed up (Chromium, cold browser cache).

Starts `manage.py serve` on a demo database, waits for 预热完成 in its log, then opens each page in a new
browser context (empty cache, like an official's first visit of the day) and records:

- html: navigation start → the HTML document received (responseEnd);
- bundle: the front-end's JavaScript and CSS (count, bytes, when the last one finished);
- fonts: font files fetched (the front end's own, served locally);
- ws_open: when the websocket to /_stcore/stream opened (ms since navigation start);
- script: first → last frame of our script's run over the websocket (the server's part);
- ready: navigation start → the page's own text visible and Streamlit's running indicator gone.

Besides the cold loads: 区县地图 reached from the sidebar after / (the front end already running), and
区县地图 opened as a new page load after / (its files in the browser cache, as on any later visit).

Run: .venv/bin/python -m benchmarks.bench_browser_first_page [--pages / /districts] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.live_server import ROOT, free_port, start_service, stop, wait_for_log

PAGES = {"/": "红色清单", "/districts": "区县排名", "/targets": "产品工程服务和环境质量"}
RESOURCES = """() => performance.getEntriesByType('resource').map(e => ({
  name: e.name, type: e.initiatorType, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize}))"""
NAV = """() => { const n = performance.getEntriesByType('navigation')[0];
                 return {html: n.responseEnd, dcl: n.domContentLoadedEventEnd}; }"""
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def measure(base: str, path: str, text: str, browser, via_sidebar_from: str | None = None,
            cached_from: str | None = None) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    frames: list[float] = []
    ws_open: list[float] = []
    t0 = time.perf_counter()

    def on_ws(ws):
        ws_open.append(time.perf_counter())
        ws.on("framereceived", lambda _: frames.append(time.perf_counter()))

    page.on("websocket", on_ws)
    if cached_from:  # a new page load with the front end's files already in the browser's cache
        page.goto(base + cached_from)
        page.get_by_text(PAGES[cached_from]).first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function(IDLE, timeout=120_000)
        frames.clear()
        ws_open.clear()
        t0 = time.perf_counter()
        page.goto(base + path)
    elif via_sidebar_from:  # a move inside the app: the bundle is loaded, only our script runs
        page.goto(base + via_sidebar_from)
        page.get_by_text(PAGES[via_sidebar_from]).first.wait_for(state="visible", timeout=120_000)
        page.wait_for_function(IDLE, timeout=120_000)
        frames.clear()
        t0 = time.perf_counter()
        page.get_by_role("link", name="区县地图").first.click()
    else:
        page.goto(base + path)
    page.get_by_text(text).first.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    ready = (time.perf_counter() - t0) * 1000
    out = {"page": path, "ready_ms": round(ready)}
    if not via_sidebar_from and not cached_from:
        nav = page.evaluate(NAV)
        res = page.evaluate(RESOURCES)
        js = [r for r in res if r["type"] in ("script", "link") or r["name"].endswith((".js", ".css"))]
        fonts = [r for r in res if r["name"].endswith((".woff", ".woff2", ".ttf", ".otf"))]
        out.update({
            "html_ms": round(nav["html"]), "dcl_ms": round(nav["dcl"]),
            "bundle_files": len(js), "bundle_kb": round(sum(r["bytes"] for r in js) / 1024),
            "bundle_done_ms": round(max((r["end"] for r in js), default=0)),
            "fonts": len(fonts), "fonts_kb": round(sum(r["bytes"] for r in fonts) / 1024),
            "ws_open_ms": round((ws_open[0] - t0) * 1000) if ws_open else None,
        })
    if frames:
        out["script_ms"] = round((frames[-1] - frames[0]) * 1000)
    context.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", nargs="*", default=["/", "/districts"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    var = Path(tempfile.mkdtemp(prefix="bench_browser_"))
    env = {**os.environ, "ZJ_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "init", "--demo"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    port = free_port()
    log = var / "serve.log"
    proc = start_service(port, env, log)
    results = []
    try:
        warm = wait_for_log(log, "预热完成", proc)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
            for run in range(args.runs):
                for path in args.pages:
                    results.append({"run": run, **measure(base, path, PAGES[path], browser)})
                results.append({"run": run, **measure(base, "/districts (from /)", PAGES["/districts"], browser,
                                                      via_sidebar_from="/")})
                results.append({**measure(base, "/districts", PAGES["/districts"], browser, cached_from="/"),
                                "run": run, "page": "/districts (new load, files cached)"})
            browser.close()
    finally:
        stop(proc)
    summary = {}
    for key in sorted({r["page"] for r in results}):
        rows = [r for r in results if r["page"] == key]
        summary[key] = {k: statistics.median(r[k] for r in rows) for k in rows[0]
                        if k not in ("page", "run") and all(r.get(k) is not None for r in rows)}
    report = {"warm_up_line": warm.split("预热完成", 1)[1].strip(), "runs": results, "median": summary}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
