"""Server-side run time of every page registered in app.py, at one scale, with Streamlit's AppTest.

cold  the page's first run after st.cache_data and the in-memory current values are cleared
      (every read goes to the database);
      the once-per-process database bootstrap (st.cache_resource) is already done.
warm  median of 5 reruns of the same page (cached reads, as a user clicking around gets).

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
import re
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
    """(file, title) of every st.Page in app.py, each file once, in menu order."""
    text = (ROOT / "app.py").read_text(encoding="utf-8")
    seen: dict[str, str] = {}
    for path, title in re.findall(r'st\.Page\(\s*"([^"]+)"\s*,\s*title="([^"]+)"', text):
        seen.setdefault(path, title)
    return list(seen.items())


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


def bench_page(page: str, token: str | None = None) -> dict:
    import streamlit as st
    from streamlit.testing.v1 import AppTest


    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if token:
        at.session_state["au_token"] = token
    at.run()
    at.switch_page(page)
    st.cache_data.clear()
    cold = _run(at)
    warm = [_run(at) for _ in range(WARM_RUNS)]
    errors = [e.message for e in at.exception]
    result = {"page": page, "cold_ms": round(cold), "warm_ms": round(statistics.median(warm)),
              "warm_runs_ms": [round(w) for w in warm], "errors": errors,
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


def _heading(at) -> str:
    for kind in ("title", "header", "markdown"):
        items = list(getattr(at, kind))
        if items:
            return str(items[0].value)[:60]
    return ""


def bench_scale(scale: str, folder: Path | None = None, reuse: bool = False) -> dict:
    from benchmarks import synthetic

    folder = folder or Path(tempfile.mkdtemp(prefix=f"zj-bench-{scale}-"))
    if reuse and (folder / "dashboard.sqlite3").exists():
        synthetic.point_at(folder)
        built = {"scale": scale, "seconds": None, **synthetic.row_counts(),
                 "file_mb": round((folder / "dashboard.sqlite3").stat().st_size / 2**20, 1)}
    else:
        built = synthetic.build(scale, folder)
    import streamlit as st

    st.cache_resource.clear()
    token = office_token()
    pages = [{"title": title, **bench_page(path, token)} for path, title in registered_pages()]
    return {"scale": scale, "data": built, "pages": pages,
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
