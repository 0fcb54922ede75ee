"""core.evidence: names, magic bytes, limits."""
from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from core.evidence import EvidenceLimits, EvidenceRefused, check_file, check_files, load_limits, sanitise_name

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        for n in names:
            zf.writestr(n, "<x/>")
    return out.getvalue()


def test_limits_come_from_settings():
    limits = load_limits()
    assert set(limits.allowed) == {"pdf", "jpg", "png", "docx", "xlsx", "ofd"}
    assert limits.max_file_mb > 0 and limits.max_files >= 1


@pytest.mark.parametrize("raw,clean", [
    ("整改报告.pdf", "整改报告.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\x\\照片 1.JPG", "照片_1.jpg"),
    ("<script>alert(1)</script>.png", "script.png"),
    ("<b onload=x>报告.png", "b_onload_x_报告.png"),
    ("a\x00b\u202e.pdf", "ab.pdf"),
    (".pdf", "佐证材料.pdf"),
    ("报告" * 60 + ".docx", "报告" * 40 + ".docx"),
])
def test_sanitised_names(raw, clean):
    assert sanitise_name(raw) == clean


@pytest.mark.parametrize("name,content", [
    ("a.pdf", PDF), ("a.png", PNG), ("a.jpg", JPG), ("a.jpeg", JPG), ("a.docx", _zip("word/document.xml")),
    ("a.xlsx", _zip("xl/workbook.xml")), ("a.ofd", _zip("OFD.xml"))])
def test_genuine_files_are_accepted_with_sha256(name, content):
    f = check_file(name, content)
    assert f.sha256 == hashlib.sha256(content).hexdigest() and f.size == len(content)
    assert f.filename.endswith("." + f.extension) and f.extension in ("pdf", "png", "jpg", "docx", "xlsx", "ofd")


@pytest.mark.parametrize("name,content,why", [
    ("报告.pdf", b"<html><script>alert(1)</script></html>", "内容不是 PDF"),
    ("照片.png", JPG, "内容不是 PNG"),
    ("照片.jpg", PNG, "内容不是 JPG"),
    ("表.xlsx", _zip("word/document.xml"), "缺少 xl/workbook.xml"),
    ("文.docx", PDF, "文件头不符"),
    ("宏.xlsx", _zip("xl/workbook.xml", "xl/vbaProject.bin"), "宏代码"),
    ("坏.docx", b"PK\x03\x04broken", "已损坏"),
    ("脚本.exe", b"MZ", "类型不在允许范围内"),
    ("网页.html", b"<html>", "类型不在允许范围内"),
    ("空.pdf", b"", "空文件"),
])
def test_mismatched_or_unsafe_files_are_refused(name, content, why):
    with pytest.raises(EvidenceRefused, match=why):
        check_file(name, content)


def test_size_and_count_limits():
    small = EvidenceLimits(max_file_mb=0.001, max_files=2)
    with pytest.raises(EvidenceRefused, match="超过上限"):
        check_file("a.pdf", PDF + b"0" * 2000, small)
    with pytest.raises(EvidenceRefused, match="最多附 2 个"):
        check_files([("a.pdf", PDF)] * 3, small)
    assert len(check_files([("a.pdf", PDF)] * 2, small)) == 2
