"""`make bench`: run every benchmark and write BENCHMARKS.md.

Each part runs in its own process (peak memory per scale, a truly cold start):
bench_pages at the city and province scales, bench_start, and bench_upload when present.
benchmarks/notes.md, when present, is appended as the hand-written analysis.
"""
from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "BENCHMARKS.md"
WARM_GOAL_MS = 150
AFTER_WRITE_GOAL_MS = 1000
FIRST_PAGE_GOAL_S = 1.0
PACKAGES = ("streamlit", "pandas", "altair", "pydeck", "sqlmodel", "SQLAlchemy", "python-calamine", "openpyxl")


def _run_json(module: str, *args: str, timeout: int = 3600) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        target = Path(fh.name)
    done = subprocess.run([sys.executable, "-m", module, *args, "--json", str(target)], cwd=ROOT,
                          timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    data = json.loads(target.read_text(encoding="utf-8"))
    target.unlink()
    return data


def _run_upload() -> str | None:
    if not (ROOT / "benchmarks" / "bench_upload.py").exists():
        return None
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_upload"], cwd=ROOT, capture_output=True,
                          text=True, timeout=3600)
    return done.stdout.strip() or done.stderr.strip()[-2000:]


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    versions = []
    for p in PACKAGES:
        try:
            versions.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            pass
    return {"CPU": cpu, "cores (nproc)": str(len(os.sched_getaffinity(0))), "memory": f"{mem_kb / 2**20:.1f} GiB",
            "OS": platform.platform(), "Python": platform.python_version(), "SQLite": sqlite3.sqlite_version,
            "packages": ", ".join(versions)}


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def page_verdict(prov: dict, city: dict) -> str:
    """"met", or what was missed: warm ≤ 150 ms; after a write ≤ 1,000 ms and ≤ 2× the city figure."""
    if prov["errors"]:
        return "error"
    missed = []
    if prov["warm_ms"] > WARM_GOAL_MS:
        missed.append(f"warm missed by {prov['warm_ms'] - WARM_GOAL_MS} ms ({prov['warm_ms'] / WARM_GOAL_MS:.1f}×)")
    after = prov.get("after_write_ms")
    if after is not None:
        if after > AFTER_WRITE_GOAL_MS:
            missed.append(f"after write missed by {after - AFTER_WRITE_GOAL_MS} ms")
        if city.get("after_write_ms") and after > 2 * city["after_write_ms"]:
            missed.append(f"after write {after / city['after_write_ms']:.1f}× the city figure")
    return "met" if not missed else "; ".join(missed)


def render(results: dict) -> str:
    city, prov, start = results["city"], results["province"], results["start"]
    lines = [
        "# 性能基准 / Benchmarks", "",
        f"Measured {results['when']} by `make bench` (`benchmarks/run_all.py`); this file is generated.", "",
        "## How to rerun", "",
        "```", "make bench                                   # everything, rewrites BENCHMARKS.md (~10 min)",
        ".venv/bin/python -m benchmarks.bench_pages province --json /tmp/p.json   # one scale",
        ".venv/bin/python -m benchmarks.bench_start   # cold start only",
        ".venv/bin/python -m benchmarks.synthetic province /tmp/province   # just the data", "```", "",
        "Run it on a quiet machine: the figures are wall-clock times. Load average (1/5/15 min) was "
        f"{results['load_before']} before and {results['load_after']} after this run.", "",
        "## Machine", "", "| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in results["machine"].items()], "",
        "## Data", "", "| scale | units | targets | departments | periods | submissions | value rows | progress rows "
        "| file | built in |", "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (city, prov):
        d = r["data"]
        lines.append(f"| {r['scale']} | {d['districts']} | {d['targets']} | {d['departments']} | {d['periods']} | "
                     f"{d['submissions']:,} | {d['values']:,} | {d['progress']:,} | {d['file_mb']} MB | "
                     f"{d['seconds']} s |")
    lines += ["", "city = the plan's catalogue with its demo data; province = 120 units, 60 targets, 40 departments,",
              "10 years (40 quarters) of monthly reports: each month's report is a new row superseding the previous",
              "month's for the quarter (`benchmarks/synthetic.py`).", "",
              f"## Pages: server-side run time (AppTest), goals at province scale: ≤ {WARM_GOAL_MS} ms warm; "
              f"≤ {AFTER_WRITE_GOAL_MS} ms and ≤ 2× the city figure after a write", "",
              "cold = first run after `st.cache_data.clear()`; warm = median of 5 reruns; after write = the first run "
              "after one value was committed through `services.submissions` (no warm-up thread). Milliseconds.", "",
              "| page | city cold | city warm | city after write | province cold | province warm "
              "| province after write | goals |", "|---|---|---|---|---|---|---|---|"]
    city_pages = {p["page"]: p for p in city["pages"]}
    misses = []
    for p in prov["pages"]:
        c = city_pages.get(p["page"], {})
        verdict = page_verdict(p, c)
        if verdict != "met":
            misses.append(p)
        lines.append(f"| {p['title']} `{p['page']}` | {c.get('cold_ms', '–')} | {c.get('warm_ms', '–')} | "
                     f"{c.get('after_write_ms', '–')} | {p['cold_ms']} | {p['warm_ms']} | "
                     f"{p.get('after_write_ms', '–')} | {verdict} |")
    errors = [(r["scale"], p) for r in (city, prov) for p in r["pages"] if p["errors"]]
    if errors:
        lines += ["", "Pages that raised an exception (their times are not meaningful):", ""]
        lines += [f"- {scale} {p['page']}: {p['errors'][0][:200]}" for scale, p in errors]
    lines += ["", "## Where the time goes (province, cProfile of one warm run; cumulative, inflated by profiling)", ""]
    for p in misses:
        lines += [f"**{p['title']}** (`{p['page']}`, {p['warm_ms']} ms warm, {p.get('after_write_ms', '–')} ms "
                  "after a write)", "", "```", *p.get("hot_spots", []), "```", ""]
    if not misses:
        lines += ["Every page meets its goals.", ""]
    lines += _start_lines(start)
    lines += ["## Peak memory", "", "| process | peak RSS |", "|---|---|",
              f"| AppTest, all pages, city | {city['peak_rss_mb']} MB |",
              f"| AppTest, all pages, province | {prov['peak_rss_mb']} MB |",
              *[f"| {name} server after the first browser visit (VmHWM) | {start[kind]['peak_rss_mb']} MB |"
                for kind, name in (("plain", "`streamlit run`"), ("service", "`manage.py serve`"))
                if "peak_rss_mb" in start[kind]], ""]
    lines += ["## Upload pipeline (5,000 rows; `benchmarks/bench_upload.py`)", ""]
    upload = results.get("upload")
    lines += (["```", upload, "```", ""] if upload
              else ["Not measured: benchmarks/bench_upload.py is not there yet.", ""])
    notes = ROOT / "benchmarks" / "notes.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


def _start_lines(start: dict) -> list[str]:
    plain, service = start["plain"], start["service"]

    def cell(figures: dict, key: str) -> str:
        return str(figures[key]) if key in figures else "–"

    lines = [f"## Cold start (city), goal: first page ≤ {FIRST_PAGE_GOAL_S:.0f} s", "",
             "plain = `streamlit run app.py`; service = `manage.py serve` (what `make run` starts: modules imported "
             "before the server listens, public pages opened by the server itself once it answers).", "",
             "| measure, seconds | plain | service |", "|---|---|---|",
             f"| process start → `/_stcore/health` 200 | {cell(plain, 'health_s')} | {cell(service, 'health_s')} |",
             f"| process start → every public page opened by the server | – | {cell(service, 'ready_s')} |",
             f"| first visit to /, server side (websocket → script finished) | {cell(plain, 'first_run_s')} | "
             f"{cell(service, 'first_run_s')} |",
             f"| first visit to / in Chromium, empty browser cache (→ heading shown, app idle) | "
             f"{cell(plain, 'first_page_s')} | {cell(service, 'first_page_s')} |",
             f"| the same, browser cache holding the front end from an earlier day | "
             f"{cell(plain, 'first_page_cached_s')} | {cell(service, 'first_page_cached_s')} |",
             "| new Python process → first AppTest run of app.py (server side only) | "
             f"{start['apptest_first_s']} | – |",
             ""]
    if "warm_log" in service:
        lines += [f"The service's own visits (its log): {service['warm_log']}", ""]
    for key, what in (("first_run_s", "server side"), ("first_page_s", "in the browser, empty cache"),
                      ("first_page_cached_s", "in the browser, front end cached")):
        if key in service:
            took = service[key]
            verdict = "met" if took <= FIRST_PAGE_GOAL_S else f"missed by {took - FIRST_PAGE_GOAL_S:.2f} s"
            lines.append(f"First page goal, {what} (service): {verdict}.")
    return lines + [""]


def main() -> None:
    results = {"when": datetime.now().strftime("%Y-%m-%d %H:%M"), "machine": machine(), "load_before": _load()}
    started = time.perf_counter()
    for scale in ("city", "province"):
        print(f"pages, {scale}…", flush=True)
        results[scale] = _run_json("benchmarks.bench_pages", scale)
    print("cold start…", flush=True)
    results["start"] = _run_json("benchmarks.bench_start")
    print("upload…", flush=True)
    results["upload"] = _run_upload()
    results["load_after"] = _load()
    OUT.write_text(render(results), encoding="utf-8")
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "benchmarks.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"wrote {OUT} in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
