"""The JSON-able summary of an import that the CLI prints (and a log could keep)."""
from __future__ import annotations

from core.importer.model import ChangePlan, ImportResult

MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "xls": "application/vnd.ms-excel",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "et": "application/vnd.ms-excel",
    "csv": "text/csv",
}


def import_summary(result: ImportResult, plan: ChangePlan | None, *, dry_run: bool,
                   committed: dict | None = None) -> dict:
    """rows_read, inserted, updated, unchanged, rejected and every error with sheet and cell.

    For a dry run inserted/updated say what an import would write; after a commit they say what was written.
    """
    if committed is not None:
        counts = {k: committed[k] for k in ("inserted", "updated", "unchanged")}
    elif plan is not None:
        counts = {"inserted": len(plan.new), "updated": len(plan.changed), "unchanged": len(plan.unchanged)}
    else:
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    out = {
        "file": result.filename, "sha256": result.sha256, "department": result.department,
        "period": result.period, "dry_run": dry_run, "rows_read": result.rows_read, **counts,
        "rejected": len(result.rejected_rows),
        "errors": [{"sheet": p.sheet, "cell": p.cell, "value": p.value, "message": p.message, "fix": p.fix}
                   for p in result.problems],
        # How columns, rows and sheets were understood ("“本年完成”读作实际值"): shown before confirming.
        "understood": understood(result),
    }
    if committed is not None:
        out["submission_id"] = committed["submission_id"]
        out["duplicate"] = committed["duplicate"]
    return out


def refused_summary(filename: str, message: str) -> dict:
    return {"file": filename, "refused": True, "rows_read": 0, "inserted": 0, "updated": 0, "unchanged": 0,
            "rejected": 0, "errors": [{"sheet": "", "cell": "", "value": "", "message": message, "fix": ""}]}


def understood(result: ImportResult) -> list[dict]:
    """The preview's “how we read your file” list: where, what, and on how many rows."""
    return [{"sheet": n.sheet, "cell": n.cell, "text": n.text, "count": n.count} for n in result.notes]


def understood_table(result: ImportResult) -> list[dict]:
    """The same list as rows for a preview table: 位置 (sheet!cell), 理解为, 涉及行数."""
    return [{"位置": n.where, "理解为": n.text, "涉及行数": n.count} for n in result.notes]
