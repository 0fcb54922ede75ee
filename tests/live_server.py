"""Start the app on 127.0.0.1 (`streamlit run app.py` or `manage.py serve`) and wait for it: shared by
the browser tests, the service tests and benchmarks."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(port: int, env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_service(port: int, env: dict, log_path: Path) -> subprocess.Popen:
    """`manage.py serve` (what `make run` starts): modules imported first, pages opened by the server itself."""
    log = open(log_path, "w")
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--address", "127.0.0.1",
         "--server.headless", "true"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for_log(log_path: Path, text: str, proc: subprocess.Popen, seconds: float = 300) -> str:
    """The first log line holding `text` (the service writes 预热完成 when its pages are ready)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if text in line:
                return line
        time.sleep(0.05)
    raise RuntimeError(f"no log line with {text!r} in {seconds} s")


def wait_healthy(url: str, proc: subprocess.Popen, seconds: float = 60, poll: float = 0.3) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(poll)
    raise RuntimeError("streamlit did not become healthy in time")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def served_script(folder: Path, source: str) -> Iterator[str]:
    """`source` written to folder/app.py and served by a bare `streamlit run` until the block ends; yields its URL."""
    script = folder / "app.py"
    script.write_text(source, encoding="utf-8")
    port = free_port()
    with open(folder / "server.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true",
                                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                                cwd=folder, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, proc, seconds=120)
            yield url
        finally:
            stop(proc)
