"""The server visits its own pages before the first official does, and again every few minutes.

A freshly started server has imported nothing and computed nothing, so the first official to
open 总览 would wait seconds for imports and the status engine; after a report is committed,
the next visitor would wait for the statuses to be recomputed. A visit made over the server's
own websocket, exactly as a browser makes it, runs the real pages with their default widgets,
so every import, database bootstrap, cached read and chart spec they need is ready when a
person arrives. Pages that need a login are left out: their reads are per department.
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.request
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from components.page_errors import ERROR_MARK

log = logging.getLogger("zj.warm_start")


@dataclass(frozen=True)
class PageVisit:
    url_path: str  # "" is the default page
    seconds: float
    ok: bool
    query: str = ""  # "plan=2021-2025" while more than one plan exists


def visit(base_url: str, page_script_hash: str = "", timeout: float = 600, query: str = "") -> tuple[float, bool, list]:
    """Run one page in a new session (`query`: the address's query string, e.g. plan=2021-2025); returns
    (seconds, finished without error, the app's pages).

    The pages are the navigation the app sent: (page_script_hash, url_pathname, is_hidden).
    """
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = page_script_hash
    pages, ok = [], True
    started = time.perf_counter()
    with connect(base_url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                 open_timeout=timeout, max_size=None) as ws:
        ws.send(msg.SerializeToString())
        deadline = time.monotonic() + timeout
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            kind = reply.WhichOneof("type")
            if kind == "navigation":
                pages = [(p.page_script_hash, p.url_pathname, p.is_hidden) for p in reply.navigation.app_pages]
            elif kind == "delta" and reply.delta.new_element.WhichOneof("type") == "exception":
                ok = False
            elif kind == "delta" and reply.delta.new_element.WhichOneof("type") == "alert" \
                    and ERROR_MARK in reply.delta.new_element.alert.body:
                ok = False  # the app caught the error and showed its own message (components/page_errors.py)
            elif kind == "script_finished" and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                ok = ok and reply.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                break
    return time.perf_counter() - started, ok, pages


def visit_all(base_url: str, url_paths: list[str] | None = None, query: str = "") -> list[PageVisit]:
    """The default page first (what an official opens), then the pages at `url_paths` (default: every
    other page the server's menu shows); `query` opens them for one plan (plan_queries)."""
    seconds, ok, pages = visit(base_url, query=query)
    visits = [PageVisit("", seconds, ok, query)]
    hashes = {url_path: page_hash for page_hash, url_path, _ in pages}
    wanted = url_paths if url_paths is not None else [u for _, u, hidden in pages if not hidden]
    for url_path in wanted:
        if not url_path or url_path not in hashes:
            continue
        seconds, ok, _ = visit(base_url, hashes[url_path], query=query)
        visits.append(PageVisit(url_path, seconds, ok, query))
    return visits


def public_url_paths() -> list[str]:
    """The public pages of the page registry (services.pages): pages behind a login are left out,
    their reads belong to one account."""
    from services.pages import public_pages

    return [p.url_path for p in public_pages()]


def plan_queries() -> list[str]:
    """One query string per active plan to warm (each plan has its own cache entries and database);
    [""] while there is one plan, whose addresses carry no ?plan=."""
    from services import plans as plan_choice

    entries = plan_choice.listed()
    if len(entries) < 2:
        return [""]
    return [f"plan={e.plan.id}" for e in entries if e.status == "active"]


def wait_until_serving(base_url: str, seconds: float = 300) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def serving_lines(port: int, address: str) -> list[str]:
    """Our start-up lines, in Chinese (Streamlit's English welcome with its external-IP lookup is off:
    .streamlit/config.toml [logger] hideWelcomeMessage)."""
    lines = [f"看板已启动，本机访问 http://127.0.0.1:{port}"]
    if address in ("0.0.0.0", "::", ""):
        ip = _intranet_ip()
        where = f"http://{ip}:{port}" if ip else f"http://本机内网地址:{port}"
        lines.append(f"内网其他电脑访问 {where}")
    elif address not in ("127.0.0.1", "localhost", "::1"):
        lines.append(f"内网其他电脑访问 http://{address}:{port}")
    else:
        lines.append("只在本机监听；内网访问请用 --address 0.0.0.0 启动（make run 默认如此）")
    return lines


def _intranet_ip() -> str | None:
    import socket

    # The host's own name resolved locally: no packet leaves the machine.
    try:
        ip = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def keep_warm(base_url: str, every_seconds: float, announce: list[str] | None = None) -> threading.Thread | None:
    """Visit every public page once the server answers, then again every `every_seconds` (a daemon
    thread); `every_seconds` 0 (settings.toml [cache] warm_seconds) starts no thread at all.
    `announce`: lines logged once the server answers (where officials find it)."""
    if every_seconds <= 0:
        for line in announce or ():
            log.info(line)
        log.info("预热已关闭（warm_seconds = 0）")
        return None

    def loop() -> None:
        if not wait_until_serving(base_url):
            log.warning("预热：服务未在规定时间内启动，放弃预热")
            return
        for line in announce or ():
            log.info(line)
        first = True
        while True:
            try:
                visits = [v for query in plan_queries() for v in visit_all(base_url, public_url_paths(), query)]
                if first:
                    failed = [_shown(v) for v in visits if not v.ok]
                    log.info("预热完成：%s%s", "，".join(f"{_shown(v)} {v.seconds:.1f}s" for v in visits),
                                f"；出错页面：{'、'.join(failed)}" if failed else "")
                first = False
            except Exception:  # a failed warm-up must never stop the server; officials still get pages
                log.exception("预热访问失败")
            time.sleep(every_seconds)

    thread = threading.Thread(target=loop, name="zj-keep-warm", daemon=True)
    thread.start()
    return thread


def _shown(v: PageVisit) -> str:
    return f"/{v.url_path}" + (f"?{v.query}" if v.query else "")


def import_app_modules() -> list[str]:
    """Import every module of the app's packages now, before the server listens, instead of
    during the first visit (about two seconds of pandas, Altair and SQLAlchemy)."""
    import importlib
    import pkgutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    names = [info.name for package in ("core", "db", "services", "components")
             for info in pkgutil.walk_packages([str(root / package)], prefix=f"{package}.")]
    # Outside a running server Streamlit warns about every cache decorator and script context;
    # nothing here runs a script, so those warnings would only be noise in the service log.
    quiet = [logging.getLogger(name) for name in ("streamlit.runtime.caching.cache_data_api",
                                                   "streamlit.runtime.scriptrunner_utils.script_run_context")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.ERROR)
    try:
        for name in names:
            importlib.import_module(name)
    finally:
        for q, level in zip(quiet, levels):
            q.setLevel(level)
    return names
