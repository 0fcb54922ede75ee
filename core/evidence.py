"""佐证材料 (evidence files) checked before they are stored: type by content, size, a safe name, SHA-256.

A file is accepted only when its first bytes (and, for the zip-based docx/xlsx/ofd, its parts) are
what its extension claims, so a script renamed to .pdf or a macro workbook is refused. Stored files
are only ever offered as downloads (application/octet-stream names), never rendered. Pure logic.
"""
from __future__ import annotations

import hashlib
import io
import re
import tomllib
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.paths import SETTINGS_FILE

MIME_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
}
ALIASES = {"jpeg": "jpg"}
KIND_NAMES = {"pdf": "PDF", "jpg": "JPG 图片", "png": "PNG 图片", "docx": "Word（docx）", "xlsx": "Excel（xlsx）",
              "ofd": "OFD 版式文件"}
# Parts a genuine zip-based document must contain.
_ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "ofd": "OFD.xml"}
MAX_NAME = 80  # characters of the stem kept


class EvidenceRefused(ValueError):
    """The file is not accepted; the message is Chinese and names the file and the fix."""


@dataclass(frozen=True)
class EvidenceLimits:
    allowed: tuple[str, ...] = tuple(MIME_TYPES)
    max_file_mb: float = 10
    max_files: int = 5
    max_uncompressed_mb: float = 100


@dataclass(frozen=True)
class CheckedFile:
    filename: str  # sanitised
    extension: str
    mime: str
    size: int
    sha256: str
    content: bytes


@lru_cache(maxsize=4)
def load_limits(path: Path = SETTINGS_FILE) -> EvidenceLimits:
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("evidence", {})
    d = EvidenceLimits()
    allowed = tuple(e for e in (str(x).lower() for x in raw.get("allowed", d.allowed)) if e in MIME_TYPES)
    return EvidenceLimits(allowed, float(raw.get("max_file_mb", d.max_file_mb)),
                          int(raw.get("max_files", d.max_files)),
                          float(raw.get("max_uncompressed_mb", d.max_uncompressed_mb)))


def sanitise_name(name: str) -> str:
    """A name safe to store and to offer as a download: no folders, control characters or odd
    punctuation, a bounded length, a lower-case extension. Chinese characters are kept."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFKC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()\-]+", "_", stem).strip("._ ")[:MAX_NAME] or "佐证材料"
    ext = re.sub(r"[^a-z0-9]", "", ext.lower())[:10]
    return f"{stem}.{ext}" if ext else stem


def extension_of(name: str) -> str:
    ext = sanitise_name(name).rpartition(".")[2] if "." in sanitise_name(name) else ""
    return ALIASES.get(ext, ext)


def check_file(name: str, content: bytes, limits: EvidenceLimits | None = None) -> CheckedFile:
    """The file ready to store, or EvidenceRefused saying why not."""
    limits = limits or load_limits()
    clean = sanitise_name(name)
    ext = extension_of(name)
    shown = clean
    if ext not in limits.allowed:
        kinds = "、".join(limits.allowed)
        raise EvidenceRefused(f"文件“{shown}”的类型不在允许范围内（允许：{kinds}），请转换为允许的格式后上传")
    if not content:
        raise EvidenceRefused(f"文件“{shown}”是空文件，请重新选择")
    if len(content) > limits.max_file_mb * 1024 * 1024:
        raise EvidenceRefused(f"文件“{shown}”大小 {len(content) / 1048576:.1f} MB，超过上限 {limits.max_file_mb:g} MB，"
                              "请压缩或拆分后上传")
    problem = _content_problem(ext, content, limits)
    if problem:
        raise EvidenceRefused(f"文件“{shown}”{problem}，已拒收；请上传真实的 {KIND_NAMES[ext]} 文件")
    if clean.rpartition(".")[2] != ext:  # .jpeg / .JPG are stored as .jpg
        clean = f"{clean.rpartition('.')[0]}.{ext}"
    return CheckedFile(clean, ext, MIME_TYPES[ext], len(content), hashlib.sha256(content).hexdigest(), content)


def check_files(files: list[tuple[str, bytes]], limits: EvidenceLimits | None = None) -> list[CheckedFile]:
    limits = limits or load_limits()
    if len(files) > limits.max_files:
        raise EvidenceRefused(f"一次最多附 {limits.max_files} 个佐证材料，现为 {len(files)} 个，请合并或分次反馈")
    return [check_file(n, c, limits) for n, c in files]


def _content_problem(ext: str, content: bytes, limits: EvidenceLimits) -> str | None:
    head = content[:16]
    if ext == "pdf":
        return None if head.startswith(b"%PDF-") else "的内容不是 PDF（文件头不符）"
    if ext == "jpg":
        return None if head.startswith(b"\xff\xd8\xff") else "的内容不是 JPG 图片（文件头不符）"
    if ext == "png":
        return None if head.startswith(b"\x89PNG\r\n\x1a\n") else "的内容不是 PNG 图片（文件头不符）"
    if not head.startswith(b"PK\x03\x04"):
        return f"的内容不是 {KIND_NAMES[ext]}（文件头不符）"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "已损坏，无法读取"
    names = {i.filename for i in infos}
    if sum(i.file_size for i in infos) > limits.max_uncompressed_mb * 1024 * 1024:
        return f"解压后超过 {limits.max_uncompressed_mb:g} MB"
    if any(n.startswith("/") or ".." in n.split("/") for n in names):
        return "含有异常路径"
    if _ZIP_PARTS[ext] not in names:
        return f"的内容不是 {KIND_NAMES[ext]}（缺少 {_ZIP_PARTS[ext]}）"
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return "含有宏代码"
    return None
