"""What changed between two catalogues (`manage.py catalogue diff OLD_DIR NEW_DIR`). Pure.

Every added, removed or changed target and task, with its old and new clause (the plan's words), value,
comparator and owner (lead department), so the office can check a revision line by line before loading it.
"""
from __future__ import annotations

from core.catalogue import Catalogue
from core.catalogue_versions import FIELD_LABELS, shown_value, target_entry

ADDED, REMOVED, CHANGED = "新增", "删除", "修改"
_TARGET_EXTRA = ("category", "task_id", "frequency", "definition", "data_source", "district_breakdown", "baseline")
_TASK_FIELDS = ("title", "measure", "lead_department", "participants", "content")
_LABELS = {**FIELD_LABELS, "category": "类别", "task_id": "所属任务", "frequency": "报送频率", "definition": "口径",
           "data_source": "数据来源", "district_breakdown": "分区县", "baseline": "基期值", "measure": "对应举措",
           "content": "任务内容"}


def _target_fields(t) -> dict:
    out = target_entry(t)
    out.update({k: getattr(t, k) for k in _TARGET_EXTRA})
    return out


def _task_fields(t) -> dict:
    return {"title": t.title, "measure": t.measure, "lead_department": t.lead_department,
            "participants": list(t.participants), "content": t.content}


def _target_face(f: dict | None) -> dict | None:
    return None if f is None else {"clause": f["source_clause"], "value": f["target_value"],
                                   "value_max": f["target_max"], "comparator": f["comparator"],
                                   "qualifier": f["qualifier"], "year": f["target_year"], "unit": f["unit"],
                                   "owner": f["lead_department"]}


def _task_face(f: dict | None) -> dict | None:
    return None if f is None else {"clause": f["content"], "value": None, "comparator": "",
                                   "owner": f["lead_department"], "participants": f["participants"]}


def _compare(kind: str, old: dict, new: dict, name_of, face) -> list[dict]:
    out = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = ADDED if a is None else REMOVED if b is None else CHANGED
        fields = [] if change != CHANGED else [
            {"field": f, "label": _LABELS.get(f, f), "old": a[f], "new": b[f]} for f in a if a[f] != b.get(f)]
        out.append({"kind": kind, "id": key, "name": name_of(b or a), "change": change, "fields": fields,
                    "old": face(a), "new": face(b)})
    return out


def diff_catalogues(old: Catalogue, new: Catalogue) -> list[dict]:
    """One entry per added / removed / changed target (指标) or task (任务), in catalogue order."""
    targets = _compare("指标", {t.id: _target_fields(t) for t in old.targets},
                       {t.id: _target_fields(t) for t in new.targets}, lambda f: f["name"], _target_face)
    tasks = _compare("任务", {str(t.id): _task_fields(t) for t in old.tasks},
                     {str(t.id): _task_fields(t) for t in new.tasks}, lambda f: f["title"], _task_face)
    return targets + tasks


def _face_line(face: dict | None) -> str:
    if face is None:
        return "（无）"
    value = "" if face.get("value") is None else f"，目标 {face['comparator']}{shown_value(face['value'])}"
    return f"牵头 {face['owner']}{value}；原文：“{face['clause']}”"


def diff_text(entries: list[dict], old_label: str, new_label: str) -> str:
    """The diff as Chinese lines (the CLI's text output)."""
    lines = [f"目录比较：{old_label} → {new_label}"]
    if not entries:
        return "\n".join([*lines, "两份目录的指标与任务完全相同。"]) + "\n"
    counts = {c: sum(e["change"] == c for e in entries) for c in (ADDED, REMOVED, CHANGED)}
    lines.append(f"共 {len(entries)} 处：新增 {counts[ADDED]}，删除 {counts[REMOVED]}，修改 {counts[CHANGED]}")
    for e in entries:
        lines.append("")
        lines.append(f"【{e['change']}】{e['kind']} {e['id']} {e['name']}")
        for f in e["fields"]:
            if f["field"] not in ("source_clause", "content"):
                lines.append(f"  {f['label']}：{shown_value(f['old'])} → {shown_value(f['new'])}")
        if e["change"] != ADDED:
            lines.append(f"  原：{_face_line(e['old'])}")
        if e["change"] != REMOVED:
            lines.append(f"  新：{_face_line(e['new'])}")
    return "\n".join(lines) + "\n"
