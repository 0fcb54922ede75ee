"""read_upload: raw bytes -> ParsedBook, or UploadRefused with a Chinese reason.

Parsing runs in a short-lived child process with a memory cap and a wall-clock timeout,
so a hostile or broken file can cost that child, never the server. Each child reads one file and
ends. Starting Python and loading the parser takes ~25 ms, so once a file is read the next child
is started and waits, limits already set, for the next upload (`prepare_child`); the first
upload after a start waits for its child unless the page called prepare_child earlier.
"""
from __future__ import annotations

import atexit
import hashlib
import marshal
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from core.importer import safety
from core.importer.model import UploadRefused
from core.importer.safety import refuse
from core.settings import Settings, load_settings

CHILD = Path(__file__).with_name("parse_child.py")


@dataclass
class ParsedSheet:
    name: str
    rows: list[list]  # rows[i][j] is Excel cell (row i+1, column j+1); "" when empty


@dataclass
class ParsedBook:
    filename: str
    kind: str  # xlsx | xlsm | xls | et | ods | csv
    sheets: list[ParsedSheet]
    formula_cells: list[tuple[str, str]] = field(default_factory=list)  # (sheet, "E5"): formula, no cached value
    percent_cells: set[tuple[str, str]] = field(default_factory=set)  # (sheet, "G12") formatted as percent
    encoding: str = ""  # for csv: utf-8-sig or gb18030

    def sheet(self, name: str) -> ParsedSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_upload(filename: str, content: bytes, settings: Settings | None = None) -> ParsedBook:
    settings = settings or load_settings()
    safety.check_size(filename, content, settings.max_file_mb)
    kind = safety.sniff_kind(filename, content)
    if kind in ("xlsx", "xlsm", "ods"):
        safety.check_zip(filename, content, settings.max_uncompressed_mb, kind=kind)
    elif kind in ("xls", "et"):
        safety.check_ole(filename, content)
    out = _parse_in_child(filename, content, kind, settings)
    book = ParsedBook(
        filename=filename, kind=kind,
        sheets=[ParsedSheet(name, rows) for name, rows in out["sheets"]],
        formula_cells=list(out["formula_cells"]), percent_cells=set(out["percent_cells"]),
        encoding=out["encoding"],
    )
    _check_not_empty(filename, book)
    return book


def _parse_in_child(filename: str, content: bytes, kind: str, settings: Settings) -> dict:
    name = (PurePath(filename).stem or "Sheet1").encode("utf-8", "replace")
    request = b"%s\n%d\n%s" % (kind.encode("ascii"), len(name), name)
    proc = _take_child(settings.parse_memory_mb)
    try:
        stdout, _ = proc.communicate(request + content, timeout=settings.parse_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise refuse(filename, f"在 {settings.parse_seconds} 秒内未能读完，已停止读取",
                     "请删除无关的工作表和大量空行后再上传，或按部门拆分") from None
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        prepare_child(settings)  # the next upload's child starts while this one is checked
    if proc.returncode != 0 or not stdout:
        # Killed by the memory cap (SIGKILL/SIGABRT/SIGSEGV from a failed allocation) or crashed.
        raise refuse(filename, "读取时超出了内存限制或解析失败，已停止读取",
                     "请确认文件是正常的进度表；如表格很大，请删除无关内容或拆分后再上传")
    try:
        out = _decode(stdout)
    except Exception:  # noqa: BLE001 - truncated output from a dying child
        raise refuse(filename, "读取失败", "请在 Excel 中打开并重新保存后再上传") from None
    error = out.get("error")
    if error == "memory":
        raise refuse(filename, f"读取所需内存超过 {settings.parse_memory_mb} MB 的限制，已停止读取",
                     "请删除无关的工作表和大量空行后再上传，或按部门拆分")
    if error == "not_text":
        raise refuse(filename, "不是表格文件（内容不是文本，也不是 Excel）",
                     f"请上传 {safety.ACCEPTED} 格式的进度表")
    if error and kind == "et":
        raise refuse(filename, "是 WPS 表格（.et）文件，无法安全读取", safety.ET_FIX)
    if error:
        detail = out.get("detail", "")
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise refuse(filename, "设置了密码（已加密），无法读取", "请在 Excel 中清除密码后另存，再上传")
        raise refuse(filename, "无法作为表格读取（文件可能已损坏或格式不对）",
                     f"请在 Excel 或 WPS 中打开后另存为 {safety.ACCEPTED} 再上传")
    return out


def mark_in_child(filename: str, book: ParsedBook, problems: list, *, summary: str, fill: str, author: str,
                  settings: Settings | None = None) -> bytes:
    """The marked workbook, written by a child under the parse limits from the cells already parsed."""
    settings = settings or load_settings()
    job = pickle.dumps({"sheets": [(s.name, s.rows) for s in book.sheets], "summary": summary, "fill": fill,
                        "author": author,
                        "problems": [(p.sheet, p.cell, p.value, p.message, p.fix, p.where) for p in problems]},
                       protocol=pickle.HIGHEST_PROTOCOL)
    proc = _start_child(settings.parse_memory_mb)
    try:
        stdout, _ = proc.communicate(b"mark\n0\n" + job, timeout=settings.parse_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise refuse(filename, f"的问题标注在 {settings.parse_seconds} 秒内未能生成",
                     "请按页面上的问题清单修改后重新上传") from None
    try:
        out = _decode(stdout) if proc.returncode == 0 and stdout else {}
    except Exception:  # noqa: BLE001 - truncated output from a dying child
        out = {}
    if "xlsx" not in out:
        raise refuse(filename, "的问题标注超出了内存限制或生成失败", "请按页面上的问题清单修改后重新上传")
    return out["xlsx"]


def _decode(output: bytes) -> dict:
    """The child's answer: marshal (plain values), or pickle when a cell holds a date or time."""
    kind, body = output[:1], output[1:]
    if kind == b"M":
        out = marshal.loads(body)
    elif kind == b"P":
        out = pickle.loads(body)
    else:
        raise ValueError("unknown answer")
    if not isinstance(out, dict):
        raise ValueError("unknown answer")
    return out


def _child_env() -> dict[str, str]:
    # A Rust panic that prints a backtrace after a failed allocation can deadlock instead of
    # aborting; without backtraces the child dies at once and the upload is refused quickly.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUST_", "PYTHON"))}
    env.update(RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
    return env


# One started child waiting for a file: (owner pid, memory limit, executable, process).
_waiting: list[tuple[int, int, str, subprocess.Popen]] = []
_waiting_lock = threading.Lock()


def _start_child(memory_mb: int) -> subprocess.Popen:
    # -I: the child sees neither the working directory nor PYTHON* variables.
    return subprocess.Popen([sys.executable, "-I", str(CHILD), str(memory_mb)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_child_env())


def _take_child(memory_mb: int) -> subprocess.Popen:
    """A started child for this file: the waiting one if its limits fit, else a new one."""
    with _waiting_lock:
        proc = None
        while _waiting:
            pid, limit, executable, waiting = _waiting.pop()
            if pid != os.getpid():
                continue  # a forked copy of the server: that child belongs to the parent process
            if proc is None and (limit, executable) == (memory_mb, sys.executable) and waiting.poll() is None:
                proc = waiting
            else:
                _dismiss(waiting)
    return proc or _start_child(memory_mb)


def prepare_child(settings: Settings | None = None) -> None:
    """Start a child that waits for the next file, unless one already does.

    read_upload calls it once a file is read (the child starts while the file is checked and
    previewed); the upload page may call it before a first upload too.
    """
    memory_mb = (settings or load_settings()).parse_memory_mb
    with _waiting_lock:
        if any(pid == os.getpid() and (limit, executable) == (memory_mb, sys.executable) and p.poll() is None
               for pid, limit, executable, p in _waiting):
            return
        _waiting.append((os.getpid(), memory_mb, sys.executable, _start_child(memory_mb)))


def _dismiss(proc: subprocess.Popen) -> None:
    """A waiting child that is not needed: closing its stdin without a file ends it."""
    try:
        proc.stdin.close()
        proc.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()


@atexit.register
def _dismiss_all() -> None:
    with _waiting_lock:
        while _waiting:
            pid, _, _, proc = _waiting.pop()
            if pid == os.getpid():
                _dismiss(proc)


def _check_not_empty(filename: str, book: ParsedBook) -> None:
    def has_values(rows: list[list]) -> bool:
        return any(any(v not in ("", None) for v in row) for row in rows)

    if not book.sheets or not any(has_values(s.rows) for s in book.sheets):
        raise refuse(filename, "没有任何内容（所有工作表都是空的）", "请填写进度后保存，再上传")


__all__ = ["ParsedBook", "ParsedSheet", "UploadRefused", "mark_in_child", "prepare_child", "read_upload", "sha256_of"]
