"""Checks made on the raw bytes before any parser sees them.

Everything here reads only headers and zip directories, so a hostile file is refused
cheaply; what these checks cannot see is contained by the child process's limits.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from core.importer.model import UploadRefused

ACCEPTED = "xlsx、xlsm、xls、ods 或 csv"
ET_FIX = "请在 WPS 表格中打开，“另存为” Excel 工作簿（.xlsx）后再上传"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A spreadsheet's XML compresses about 10-20x; hundreds of times more is built to explode.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FOREIGN_MAGIC = {
    b"%PDF": "这是 PDF 文件，不是表格",
    b"\x89PNG": "这是图片（PNG），不是表格",
    b"\xff\xd8\xff": "这是图片（JPEG），不是表格",
    b"Rar!": "这是 RAR 压缩包，不是表格",
    b"7z\xbc\xaf": "这是 7z 压缩包，不是表格",
    b"{\\rtf": "这是 RTF 文档，不是表格",
}


def refuse(filename: str, problem: str, fix: str) -> UploadRefused:
    return UploadRefused(f"“{filename}”{problem}。{fix}")


def check_size(filename: str, content: bytes, max_file_mb: float) -> None:
    if not content:
        raise refuse(filename, "是空文件（0 字节）", "请确认选择了填好的表格文件后重新上传")
    size_mb = len(content) / 1024 / 1024
    if size_mb > max_file_mb:
        raise refuse(filename, f"有 {size_mb:.1f} MB，超过上传上限 {max_file_mb:g} MB",
                     "请删除无关的工作表、图片后再上传，或按部门拆分成几个文件")


def sniff_kind(filename: str, content: bytes) -> str:
    """xlsx | xlsm | xls | csv, from the bytes first and the name second (files get renamed)."""
    suffix = PurePath(filename).suffix.lower().lstrip(".")
    head = content[:8]
    for magic, what in _FOREIGN_MAGIC.items():
        if head.startswith(magic):
            raise refuse(filename, what, f"请上传 {ACCEPTED} 格式的进度表（可下载填报模板）")
    if head.startswith(ZIP_MAGIC):
        # An OpenDocument file names its type in the first (stored) member, "mimetype".
        if content[30:38] == b"mimetype" and b"opendocument.spreadsheet" in content[38:120]:
            return "ods"
        return "xlsm" if suffix == "xlsm" else "xlsx"  # WPS can save .et as OOXML too: read it as xlsx
    if head.startswith(OLE_MAGIC):
        # WPS's own .et shares the xls container; it is read as xls in the child, or refused with ET_FIX.
        return "et" if suffix == "et" else "xls"
    if suffix in ("csv", "txt"):
        return "csv"
    raise refuse(filename, "不是 Excel 或 CSV 表格（文件内容无法识别）",
                 f"请在 Excel 或 WPS 中打开后另存为 {ACCEPTED} 再上传")


def check_ole(filename: str, content: bytes) -> None:
    """Legacy compound files: encrypted workbooks and Word documents share the xls container."""
    if "EncryptedPackage".encode("utf-16-le") in content[:1 << 20] or \
            "EncryptionInfo".encode("utf-16-le") in content[:1 << 20]:
        raise refuse(filename, "设置了打开密码（已加密），无法读取",
                     "请在 Excel 中“文件—信息—保护工作簿—用密码进行加密”清除密码后另存，再上传")
    if "WordDocument".encode("utf-16-le") in content[:1 << 20]:
        raise refuse(filename, "是 Word 文档，不是表格", f"请上传 {ACCEPTED} 格式的进度表")


def check_zip(filename: str, content: bytes, max_uncompressed_mb: float, *, kind: str = "xlsx") -> None:
    """Refuse non-workbooks and decompression bombs from the zip directory alone."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        members = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise refuse(filename, "已损坏，无法作为 Excel 文件打开",
                     "请在 Excel 中打开确认无误后重新保存，再上传") from None
    names = {m.filename for m in members}
    if kind == "ods" and "content.xml" in names:
        pass  # an OpenDocument spreadsheet: its cells are in content.xml
    elif "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise refuse(filename, "是 Word 文档，不是表格", f"请上传 {ACCEPTED} 格式的进度表")
        if any(n.startswith("ppt/") for n in names):
            raise refuse(filename, "是 PowerPoint 演示文稿，不是表格", f"请上传 {ACCEPTED} 格式的进度表")
        raise refuse(filename, "是压缩包，不是 Excel 工作簿", f"请解压后上传其中 {ACCEPTED} 格式的进度表")
    total = sum(m.file_size for m in members)
    if total > max_uncompressed_mb * 1024 * 1024:
        raise refuse(filename,
                     f"解压后达 {total / 1024 / 1024:,.0f} MB，超过上限 {max_uncompressed_mb:g} MB，疑似“压缩炸弹”",
                     "请上传正常的进度表；如确为大文件，请按部门拆分")
    for m in members:
        if m.file_size > RATIO_FLOOR_BYTES and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise refuse(filename, f"内部文件 {m.filename} 的压缩比异常（{ratio:,} 倍），疑似“压缩炸弹”",
                         "请上传正常的进度表")
    for m in members:
        if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
            _check_dimension(filename, zf, m)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_dimension(filename: str, zf: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """The declared used range sits near the top of the sheet XML; only its first bytes are inflated."""
    with zf.open(member) as f:
        head = f.read(4096)
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return
    rows = int(m.group(4)) - int(m.group(2)) + 1
    cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise refuse(filename, f"声明的表格范围异常（{rows:,} 行 × {cols:,} 列）",
                     "请在 Excel 中删除多余的空行空列（或把数据复制到新工作簿）后再上传")
