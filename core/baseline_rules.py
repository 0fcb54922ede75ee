"""基期与责任备案 rules, pure: who may answer for a target, what a registration may hold, and
when a change needs a reason. db/trust.py writes with these; the CLI and the admin page say the
same problems because they come from here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from core.catalogue import Catalogue, Target

# A participant written as the group 市直相关单位 ("the city departments concerned") stands for any
# city department: the annex names 市卫生健康局 in task 12 but reaches 市公安局 (雪亮工程) only so.
OPEN_GROUP = "市直相关单位"
MAX_SOURCE = 200
MAX_REASON = 500
MAX_ABS_VALUE = 1e12
DEMO_SOURCE = "演示数据（非真实基期）"


@dataclass(frozen=True)
class Registration:
    """What a baseline registration holds (one target, whole city or one district)."""

    value: float | None
    year: int | None
    source: str
    responsible: str | None  # city rows only; None keeps the plan's lead


def assignable_departments(target: Target, catalogue: Catalogue) -> list[str]:
    """The lead first, then the departments of the target's task that may be made responsible."""
    task = next((t for t in catalogue.tasks if t.id == target.task_id), None)
    own = set(catalogue.department_names())
    out = [target.lead_department]
    if task is None:
        return out
    out += [p for p in task.participants if p in own and p not in out]
    if OPEN_GROUP in task.participants:
        out += [d for d in catalogue.department_names() if d not in out]
    return out


def assignment_basis(target: Target, department: str, catalogue: Catalogue) -> str:
    """Why `department` may answer for the target, in words for the history and the page."""
    if department == target.lead_department:
        return "方案牵头部门"
    task = next((t for t in catalogue.tasks if t.id == target.task_id), None)
    if task is not None and department in task.participants:
        return f"附件任务{task.id}参与部门"
    return f"附件任务{target.task_id}参与部门“{OPEN_GROUP}”"


def registration_problems(target: Target, district: str | None, reg: Registration, catalogue: Catalogue,
                          *, before: Registration | None, confirmed: bool, reason: str) -> list[str]:
    """Why this registration cannot be written, in Chinese; empty when it can."""
    out = []
    if district and not target.district_breakdown:
        out.append(f"指标 {target.id} 不分区县，只能备案全市基期")
    if district and district not in {d.adcode for d in catalogue.districts}:
        out.append(f"区县代码“{district}”不在 districts.csv 中")
    if reg.value is not None and (not math.isfinite(reg.value) or abs(reg.value) > MAX_ABS_VALUE):
        out.append("基期值须为有限的数字")
    if reg.value is not None and target.unit == "%" and not 0 <= reg.value <= 100 and target.comparator != "≤":
        out.append(f"基期值 {reg.value:g}% 不在 0–100% 之间")
    if reg.value is not None and target.kind == "yesno" and reg.value not in (0.0, 1.0):
        out.append("是/否类指标的基期值应为 0（否）或 1（是）")
    if reg.year is not None and not 2000 <= reg.year <= target.target_year:
        out.append(f"基期年份 {reg.year} 应在 2000–{target.target_year} 年之间")
    if reg.value is not None and reg.year is None:
        out.append("请填写基期年份（基期值为该年年底的数值）")
    if len(reg.source) > MAX_SOURCE:
        out.append(f"来源说明不能超过 {MAX_SOURCE} 字")
    if len(reason) > MAX_REASON:
        out.append(f"变更原因不能超过 {MAX_REASON} 字")
    if reg.responsible is not None:
        if district:
            out.append("责任部门按指标备案（全市一行），不按区县")
        elif reg.responsible not in assignable_departments(target, catalogue):
            out.append(f"“{reg.responsible}”不是指标 {target.id} 所属任务{target.task_id}的牵头或参与部门，"
                       "不能指定为责任部门")
    if confirmed and before is not None and before != reg and not reason.strip():
        out.append("该备案已确认，修改须填写变更原因")
    return out
