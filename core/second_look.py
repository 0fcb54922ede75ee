"""Second look at reported values (issue 16), pure: soft checks that need a note (说明), not refusals.

- a value changing more than `share` from the department's previous period;
- a percentage going down where the target wants it up;
- a whole-city percentage outside the range of its districts' values for the same period.
The reviewer sees the same warnings next to the old value, the target and the change.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from core.status import TargetSpec, fmt, target_text

CHANGE, DOWN, DISTRICTS = "大幅变动", "不升反降", "区县不一致"


@dataclass(frozen=True)
class NewValue:
    target_id: str
    district_adcode: str  # "": whole city
    period_code: str
    value: float | None
    sheet: str = ""
    row: int | None = None


@dataclass(frozen=True)
class LookWarning:
    target_id: str
    district_adcode: str
    period_code: str
    kind: str  # CHANGE | DOWN | DISTRICTS
    message: str
    sheet: str = ""
    row: int | None = None


def _wants_up(spec: TargetSpec) -> bool:
    return spec.comparator in ("≥", "区间") and spec.kind == "numeric"


def change_checks(v: NewValue, previous: tuple[str, float] | None, spec: TargetSpec, share: float) -> list[LookWarning]:
    """previous: (period, value) of the same cell's latest earlier value."""
    if v.value is None or previous is None:
        return []
    period, old = previous
    out = []
    where = dict(target_id=v.target_id, district_adcode=v.district_adcode, period_code=v.period_code,
                 sheet=v.sheet, row=v.row)
    if old != 0 and abs(v.value - old) > share * abs(old) + 1e-9:
        out.append(LookWarning(kind=CHANGE, message=(
            f"{v.target_id} 由 {period} 的 {fmt(old, spec.unit)} 变为 {fmt(v.value, spec.unit)}，变动超过 "
            f"{share * 100:g}%，请在备注中说明原因"), **where))
    elif old == 0 and v.value != 0 and spec.kind == "numeric" and spec.unit != "%":
        out.append(LookWarning(kind=CHANGE, message=(
            f"{v.target_id} 由 {period} 的 0 变为 {fmt(v.value, spec.unit)}，请在备注中说明原因"), **where))
    if spec.unit == "%" and _wants_up(spec) and v.value < old - 1e-9:
        out.append(LookWarning(kind=DOWN, message=(
            f"{v.target_id} 目标为 {target_text(spec)}，但由 {period} 的 {fmt(old, spec.unit)} 降为 "
            f"{fmt(v.value, spec.unit)}，请在备注中说明原因"), **where))
    return out


def district_checks(city: NewValue, districts: Mapping[str, float], spec: TargetSpec) -> list[LookWarning]:
    """A city rate is a weighted mean of its districts', so it lies between their lowest and highest."""
    if city.value is None or spec.unit != "%" or len(districts) < 2:
        return []
    low, high = min(districts.values()), max(districts.values())
    if low - 1e-9 <= city.value <= high + 1e-9:
        return []
    return [LookWarning(city.target_id, "", city.period_code, DISTRICTS, (
        f"{city.target_id} 全市值 {fmt(city.value, spec.unit)} 不在各区县 {city.period_code} 数值 "
        f"{fmt(low, spec.unit)}–{fmt(high, spec.unit)} 之间，请核对全市与区县口径"), city.sheet, city.row)]


def second_look(new: Iterable[NewValue], previous: Mapping[tuple[str, str], tuple[str, float]],
                known: Mapping[tuple[str, str, str], float], specs: Mapping[str, TargetSpec],
                share: float) -> list[LookWarning]:
    """Every warning for the new values.

    previous: (target_id, district) -> (period, value) of the latest value before the new one's
    period (callers pass the values in force); known: (target_id, district, period) -> value in
    force, which the new values override, for the district check.
    """
    new = [v for v in new if v.target_id in specs]
    cells = dict(known)
    for v in new:
        if v.value is not None:
            cells[(v.target_id, v.district_adcode, v.period_code)] = v.value
    out: list[LookWarning] = []
    for v in new:
        spec = specs[v.target_id]
        out += change_checks(v, previous.get((v.target_id, v.district_adcode)), spec, share)
    touched = {(v.target_id, v.period_code) for v in new}
    for tid, period in sorted(touched):
        city_new = next((v for v in new if (v.target_id, v.period_code, v.district_adcode) == (tid, period, "")), None)
        city_value = cells.get((tid, "", period))
        if city_value is None:
            continue
        city = city_new or NewValue(tid, "", period, city_value)
        dists = {d: val for (t, d, p), val in cells.items() if t == tid and p == period and d}
        out += district_checks(city, dists, specs[tid])
    return out


def previous_of(values: Iterable[tuple[str, str, str, float]], before: Mapping[tuple[str, str], str]
                ) -> dict[tuple[str, str], tuple[str, float]]:
    """From (target, district, period, value) rows in force: per cell of `before` ((target, district) ->
    period), the latest earlier (period, value)."""
    out: dict[tuple[str, str], tuple[str, float]] = {}
    for tid, dist, period, value in values:
        limit = before.get((tid, dist))
        if limit is None or period >= limit or value is None:
            continue
        held = out.get((tid, dist))
        if held is None or period > held[0]:
            out[(tid, dist)] = (period, value)
    return out


def unexplained(warnings: Iterable[LookWarning], row_notes: Mapping[tuple[str, int], str],
                note: str = "") -> list[LookWarning]:
    """The warnings nobody explained. A warning is a question, not a refusal: the row's own 备注
    (row_notes: (sheet, row) -> text) answers it, and the submission's 说明 (`note`) answers all of
    them. A warning with no row of its own (a city value in force that new district values
    contradict) can only be answered by the 说明."""
    if note.strip():
        return []
    return [w for w in warnings if w.row is None or not row_notes.get((w.sheet, w.row), "").strip()]
