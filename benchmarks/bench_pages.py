"""Server-side run time of every page of the page registry (services.pages), at one scale, with AppTest.

cold         the page's first run after st.cache_data is cleared (every read goes to the database);
             the once-per-process database bootstrap (st.cache_resource) is already done.
warm         median of 5 reruns of the same page (cached reads, as a user clicking around gets).
after_write  one value written through the real commit path (services.submissions, as online entry
             does it), then the page's first run: what the next official waits for after a report,
             with no warm-up thread.

Each scale runs in its own process so peak memory (ru_maxrss) belongs to that scale.
A page slower than the goal is profiled once (cProfile in the script thread) and its
hottest project functions are listed.

    python -m benchmarks.bench_pages province --json /tmp/province.json
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_RUNS = 5
WARM_GOAL_MS = 150
BENCH_USER = "bench_office"  # an office account made in the benchmark's own database


def registered_pages() -> list[tuple[str, str]]:
    """(file, title) of every page of the registry app.py reads, each file once, in menu order."""
    from services.pages import each_page

    return [(p.script, p.title) for p in each_page()]


# The value each after-write run writes: 市市场监管局's whole-city T23 for the plan's last period, a cell
# both scales have (the province database is the plan's catalogue plus synthetic rows).
WRITE_DEPARTMENT, WRITE_PERIOD, WRITE_TARGET = "市市场监管局", "2020Q4", "T23"
_writes = iter(range(1, 10_000))


def write_one_value(caller) -> float:
    """Commit one changed value as online entry does (prepare_online, commit); returns the seconds taken."""
    from services import submissions

    started = time.perf_counter()
    ind, tasks = submissions.online_rows.uncached(WRITE_DEPARTMENT, WRITE_PERIOD)
    ind = ind.copy()
    row = ind.index[(ind["指标编号"] == WRITE_TARGET) & (ind["区县"] == "全市")][0]
    ind.loc[row, "实际值"] = 200.0 + next(_writes)
    # The 说明 answers the second look when the growing value jumps more than the warned share.
    outcome = submissions.commit(caller, submissions.prepare_online(caller, WRITE_DEPARTMENT, WRITE_PERIOD,
                                                                    (ind, tasks)), note="基准测试写入")
    if not outcome.written:
        raise RuntimeError(f"benchmark write refused: {outcome.refused}")
    return time.perf_counter() - started


def _profiled_thread(profiler: cProfile.Profile):
    """Run the AppTest script thread under `profiler` (cProfile sees only its own thread)."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    original = LocalScriptRunner._run_script_thread

    def run(self):
        profiler.enable()
        try:
            original(self)
        finally:
            profiler.disable()

    LocalScriptRunner._run_script_thread = run
    return lambda: setattr(LocalScriptRunner, "_run_script_thread", original)


def hot_spots(profiler: cProfile.Profile, limit: int = 8) -> list[str]:
    """The project's own functions with the most cumulative time (library internals left out)."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if file.startswith(str(ROOT)) and "/.venv/" not in file and "/benchmarks/" not in file:
            rows.append((ct, f"{Path(file).relative_to(ROOT)}:{line} {name}"))
    return [f"{ct * 1000:.0f} ms  {where}" for ct, where in sorted(rows, reverse=True)[:limit]]


def office_caller():
    """The office account of office_token() as a write wants it (services.identity.Caller)."""
    from db import users
    from services.identity import Caller

    token = office_token()
    return Caller(users.session_identity(token), token)


def office_token() -> str:
    """A login token of an office administrator, so pages behind login (进度填报, 管理) are measured
    doing their work rather than showing the login form. The password is random and never kept."""
    import secrets

    from core import auth
    from db import users

    password = secrets.token_urlsafe(18) + "-7a"  # letters and digits whatever the random part holds
    if users.user_identity(BENCH_USER) is None:
        users.add_user(BENCH_USER, password, auth.ADMIN, by="benchmark")
    else:
        users.reset_password(BENCH_USER, password, by="benchmark")
    return users.login(BENCH_USER, password).token


def _run(at) -> float:
    started = time.perf_counter()
    at.run()
    return (time.perf_counter() - started) * 1000


def bench_page(page: str, caller=None) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest


    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if caller is not None:
        at.session_state["au_token"] = caller.token
    at.run()
    at.switch_page(page)
    st.cache_data.clear()
    cold = _run(at)
    warm = [_run(at) for _ in range(WARM_RUNS)]
    errors = [e.message for e in at.exception]
    write_s = write_one_value(caller)
    after_write = _run(at)
    errors += [e.message for e in at.exception]
    result = {"page": page, "cold_ms": round(cold), "warm_ms": round(statistics.median(warm)),
              "warm_runs_ms": [round(w) for w in warm], "after_write_ms": round(after_write),
              "write_ms": round(write_s * 1000), "errors": errors,
              "elements": len(list(at.main)), "heading": _heading(at)}
    if result["warm_ms"] > WARM_GOAL_MS:
        profiler = cProfile.Profile()
        restore = _profiled_thread(profiler)
        try:
            at.run()
        finally:
            restore()
        result["hot_spots"] = hot_spots(profiler)
    return result


def _load() -> str:
    import os

    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def _heading(at) -> str:
    for kind in ("title", "header", "markdown"):
        items = list(getattr(at, kind))
        if items:
            return str(items[0].value)[:60]
    return ""


def bench_scale(scale: str, folder: Path | None = None, reuse: bool = False) -> dict:
    from benchmarks import synthetic

    folder = folder or Path(tempfile.mkdtemp(prefix=f"zj-bench-{scale}-"))
    load_before = _load()
    if reuse and (folder / "dashboard.sqlite3").exists():
        synthetic.point_at(folder)
        built = {"scale": scale, "seconds": None, **synthetic.row_counts(),
                 "file_mb": round((folder / "dashboard.sqlite3").stat().st_size / 2**20, 1)}
    else:
        built = synthetic.build(scale, folder)
    import streamlit as st

    st.cache_resource.clear()
    caller = office_caller()
    pages = [{"title": title, **bench_page(path, caller)} for path, title in registered_pages()]
    return {"scale": scale, "data": built, "pages": pages, "load_before": load_before, "load_after": _load(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scale", choices=["city", "province"])
    ap.add_argument("--folder", type=Path, help="where to build the database (default: a new temp folder)")
    ap.add_argument("--reuse", action="store_true", help="use the database already in --folder")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    out = bench_scale(args.scale, args.folder, args.reuse)
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
