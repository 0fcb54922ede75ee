"""佐证材料: checking uploads before any write, and downloads for the office and the owning department only."""
from __future__ import annotations

from core import auth
from core.evidence import CheckedFile, EvidenceRefused, check_files, load_limits
from db import evidence as evidence_db

__all__ = ["EvidenceRefused", "check_uploads", "download", "limits_text"]


def check_uploads(files: list[tuple[str, bytes]]) -> list[CheckedFile]:
    """Type by content, size, count, safe names, SHA-256: done before the write transaction opens."""
    return check_files(list(files))


def limits_text() -> str:
    lim = load_limits()
    return (f"允许 {'、'.join(lim.allowed)}；单个文件不超过 {lim.max_file_mb:g} MB，一次最多 {lim.max_files} 个；"
            "文件内容须与扩展名相符")


def may_download(identity: auth.Identity | None, department: str | None) -> bool:
    if identity is None:
        return False
    return identity.role == auth.ADMIN or (identity.role == auth.REPORTER and identity.department == department)


def download(identity: auth.Identity | None, evidence_id: int) -> tuple[str, bytes, str]:
    """(file name, bytes, mime) of one file, or EvidenceRefused. Always served as an attachment:
    the page hands it to st.download_button, which never renders it."""
    row = evidence_db.evidence_file(int(evidence_id))
    if row is None:
        raise EvidenceRefused(f"没有编号为 {evidence_id} 的佐证材料")
    if not may_download(identity, row["department"]):
        raise EvidenceRefused("佐证材料仅督查办和报送部门可以下载")
    return row["filename"], row["content"], row["mime"]
