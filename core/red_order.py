"""The order of a red list: the worst first, then the furthest behind, then by number as a number.

Severity: 未完成 and 逾期 (the deadline has passed) before 滞后 before 未报送 before 预警. Within one
severity the item furthest behind its 序时进度 comes first (shortfall, the engine's expected and actual
values); then 任务2 before 任务11 (numbers compared as numbers, not as text).
"""
from __future__ import annotations

import math
import re

SEVERITY = ("未完成", "逾期", "滞后", "未报送", "预警")
_NUMBER = re.compile(r"(\d+)")


def severity(status: str) -> int:
    """0 for the worst status; statuses not in SEVERITY after all of them."""
    return SEVERITY.index(status) if status in SEVERITY else len(SEVERITY)


def shortfall(actual: float | None, expected: float | None, lower_is_better: bool = False) -> float | None:
    """How far behind as a share of what was due: 0.25 when a quarter of the expected value is missing.
    None when the engine gives no expected value (it cannot be measured)."""
    if actual is None or expected is None or _nan(actual) or _nan(expected) or expected == 0:
        return None
    gap = (actual - expected) if lower_is_better else (expected - actual)
    return round(max(0.0, gap / abs(expected)), 4)


def natural_key(text: str) -> tuple:
    """任务2 < 任务11, T02 < T11: digits compared as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in _NUMBER.split(str(text)))


def red_sort_key(row: dict) -> tuple:
    """Sort key of a red-list row with "status", "id" and optionally "behind" (a shortfall)."""
    behind = row.get("behind")
    unknown = behind is None or _nan(behind)
    return (severity(row["status"]), unknown, -(0.0 if unknown else float(behind)), natural_key(row["id"]))


def _nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)
