"""read_upload: raw bytes -> ParsedBook, or UploadRefused with a Chinese reason.

Parsing runs in a short-lived child process with a memory cap and a wall-clock timeout,
so a hostile or broken file can cost that child, never the server.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
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
    kind: str  # xlsx | xlsm | xls | csv
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
    if kind in ("xlsx", "xlsm"):
        safety.check_zip(filename, content, settings.max_uncompressed_mb)
    elif kind == "xls":
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
    # -I: the child sees neither the working directory nor PYTHON* variables.
    cmd = [sys.executable, "-I", str(CHILD), kind, str(settings.parse_memory_mb), PurePath(filename).stem or "Sheet1"]
    try:
        proc = subprocess.run(cmd, input=content, capture_output=True, timeout=settings.parse_seconds,
                              env=_child_env())
    except subprocess.TimeoutExpired:
        raise refuse(filename, f"在 {settings.parse_seconds} 秒内未能读完，已停止读取",
                     "请删除无关的工作表和大量空行后再上传，或按部门拆分") from None
    if proc.returncode != 0 or not proc.stdout:
        # Killed by the memory cap (SIGKILL/SIGABRT/SIGSEGV from a failed allocation) or crashed.
        raise refuse(filename, "读取时超出了内存限制或解析失败，已停止读取",
                     "请确认文件是正常的进度表；如表格很大，请删除无关内容或拆分后再上传")
    try:
        out = pickle.loads(proc.stdout)
    except Exception:  # noqa: BLE001 - truncated output from a dying child
        raise refuse(filename, "读取失败", "请在 Excel 中打开并重新保存后再上传") from None
    error = out.get("error")
    if error == "memory":
        raise refuse(filename, f"读取所需内存超过 {settings.parse_memory_mb} MB 的限制，已停止读取",
                     "请删除无关的工作表和大量空行后再上传，或按部门拆分")
    if error == "not_text":
        raise refuse(filename, "不是表格文件（内容不是文本，也不是 Excel）",
                     f"请上传 {safety.ACCEPTED} 格式的进度表")
    if error:
        detail = out.get("detail", "")
        if "password" in detail.lower() or "encrypt" in detail.lower():
            raise refuse(filename, "设置了密码（已加密），无法读取", "请在 Excel 中清除密码后另存，再上传")
        raise refuse(filename, "无法作为表格读取（文件可能已损坏或格式不对）",
                     f"请在 Excel 或 WPS 中打开后另存为 {safety.ACCEPTED} 再上传")
    return out


def _child_env() -> dict[str, str]:
    # A Rust panic that prints a backtrace after a failed allocation can deadlock instead of
    # aborting; without backtraces the child dies at once and the upload is refused quickly.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUST_", "PYTHON"))}
    env.update(RUST_BACKTRACE="0", RUST_LIB_BACKTRACE="0")
    return env


def _check_not_empty(filename: str, book: ParsedBook) -> None:
    def has_values(rows: list[list]) -> bool:
        return any(any(v not in ("", None) for v in row) for row in rows)

    if not book.sheets or not any(has_values(s.rows) for s in book.sheets):
        raise refuse(filename, "没有任何内容（所有工作表都是空的）", "请填写进度后保存，再上传")


__all__ = ["ParsedBook", "ParsedSheet", "UploadRefused", "read_upload", "sha256_of"]
