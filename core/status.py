"""The one status engine: every page, export and the CLI ask it, so a colour means one thing.

Targets (指标): 已达标 when the latest value meets the target; otherwise the value is held
against 序时进度, a straight path from the baseline to the target at the end of the target
year: q = (actual - baseline) / (expected - baseline). Bands come from settings.toml.
Tasks (任务): reported progress against the elapsed share of the plan period.
Every status carries one Chinese sentence that explains it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

import pandas as pd

from core.periods import Period, period_from_code, period_range
from core.settings import Settings, load_settings


@dataclass(frozen=True)
class StatusKind:
    code: str
    label: str
    color: str
    rank: int  # worse statuses sort first in red lists


MET = StatusKind("met", "已达标", "#1a7f37", 6)
ON_TRACK = StatusKind("on_track", "正常", "#2da44e", 5)
WARNING = StatusKind("warning", "预警", "#d4a72c", 3)
LAGGING = StatusKind("lagging", "滞后", "#cf222e", 1)
FAILED = StatusKind("failed", "未完成", "#82071e", 0)
MISSING = StatusKind("missing", "未报送", "#8c959f", 2)
DONE = StatusKind("done", "已完成", "#1a7f37", 6)
AHEAD = StatusKind("ahead", "超前", "#2da44e", 5)
ON_TIME = StatusKind("on_time", "按期", "#2da44e", 5)
DUE_SOON = StatusKind("due_soon", "即将到期", "#0969da", 4)
OVERDUE = StatusKind("overdue", "逾期", "#82071e", 0)

TARGET_KINDS = (MET, ON_TRACK, WARNING, LAGGING, FAILED, MISSING)
TASK_KINDS = (DONE, AHEAD, ON_TIME, DUE_SOON, WARNING, LAGGING, OVERDUE, MISSING)
ALL_KINDS = {k.label: k for k in (*TARGET_KINDS, *TASK_KINDS)}
# Statuses that count as "on track" in shares and scores.
GOOD_LABELS = frozenset({MET.label, ON_TRACK.label, DONE.label, AHEAD.label, ON_TIME.label, DUE_SOON.label})
RED_LABELS = frozenset({LAGGING.label, FAILED.label, OVERDUE.label})


@dataclass(frozen=True)
class Status:
    kind: StatusKind
    explanation: str
    actual: float | None = None
    expected: float | None = None
    q: float | None = None

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def color(self) -> str:
        return self.kind.color


@dataclass(frozen=True)
class TargetSpec:
    name: str
    unit: str
    comparator: str
    target_value: float
    target_max: float | None
    target_year: int
    kind: str
    baseline: float | None = None

    @classmethod
    def from_row(cls, row: Mapping) -> "TargetSpec":
        def num(v):
            return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else float(v)

        return cls(row["name"], row["unit"], row["comparator"], float(row["target_value"]), num(row.get("target_max")),
                   int(row["target_year"]), row["kind"], num(row.get("baseline")))


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "是/否":
        return "是" if value >= 1 else "否"
    text = f"{value:,.{1 if unit == '%' else 2}f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}".strip()


def meets(spec: TargetSpec, value: float) -> bool:
    if spec.kind == "yesno":
        return value >= 1
    if spec.comparator == "≤":
        return value <= spec.target_value + 1e-9
    if spec.comparator == "=":
        return abs(value - spec.target_value) < 1e-9
    return value >= spec.target_value - 1e-9  # ≥, and 区间 is met from its lower bound


def target_text(spec: TargetSpec, with_unit: bool = True) -> str:
    """The target as officials write it (≥96%, 2–3个, 是); without the unit where a column beside it has one."""
    unit = spec.unit if with_unit else ""
    if spec.kind == "yesno":
        return "是"
    if spec.comparator == "区间":
        return f"{fmt(spec.target_value, '')}–{fmt(spec.target_max, unit)}"
    return f"{spec.comparator}{fmt(spec.target_value, unit)}"


def _shown(value: float, unit: str) -> float:
    """The value as fmt() prints it, so a stated gap equals the difference of the stated numbers."""
    return round(value, 1 if unit == "%" else 2)


def _gap_text(actual: float, expected: float, spec: TargetSpec) -> str:
    gap = abs(_shown(expected, spec.unit) - _shown(actual, spec.unit))
    if spec.unit == "%":
        return f"{fmt(gap, '')} 个百分点"
    return f"{fmt(gap, '')} {spec.unit}".strip()


def _quarters(first: Period, last: Period) -> int:
    """Quarters from first to last (negative when last comes first)."""
    return (last.year - first.year) * 4 + last.quarter - first.quarter


def evaluate_target(spec: TargetSpec, series: Mapping[str, float], period: Period,
                    settings: Settings | None = None) -> Status:
    """series: period code → reported value (only periods up to `period` are looked at)."""
    known = {k: v for k, v in series.items() if k <= period.code and v is not None and not pd.isna(v)}
    first = min(known) if known else None
    last = max(known) if known else None
    return _judge(spec, period, settings or load_settings(), known.get(period.code),
                  last, known[last] if last else None, first, known[first] if first else None)


def _judge(spec: TargetSpec, period: Period, s: Settings, actual: float | None,
           last: str | None, last_value: float | None, first: str | None, first_value: float | None) -> Status:
    """The status from what is known up to `period`: its own value (None if not reported), and the
    latest and earliest reported periods with their values (the earliest is the baseline when the
    catalogue gives none)."""
    end = Period(spec.target_year, 4)
    if actual is None:
        tail = f"最近一次为 {last} 的 {fmt(last_value, spec.unit)}" if last else "此前也无报送"
        return Status(MISSING, f"{period.code} 未报送；{tail}")
    capped = ""
    if spec.unit == "%" and spec.comparator != "≤" and actual > 100.0:
        # A rate cannot pass 100%; a typo above it is not extra credit.
        capped = f"（报送值 {fmt(actual, spec.unit)}，按 100% 计）"
        actual = 100.0
    if meets(spec, actual):
        extra = capped
        if spec.comparator == "区间" and spec.target_max is not None and actual > spec.target_max:
            extra += f"（超过区间上限 {fmt(spec.target_max, spec.unit)}）"
        if spec.kind == "yesno":  # in the target's own words, not "实际 是，已达到目标 是"
            return Status(MET, f"已实现：{spec.name}", actual, q=None)
        return Status(MET, f"实际 {fmt(actual, spec.unit)}，已达到目标 {target_text(spec)}{extra}", actual, q=None)
    # The value reported for the last quarter of the target year is the year-end value:
    # once it is in and short of the target, no time is left to catch up.
    if period >= end and spec.kind == "yesno":
        return Status(FAILED, f"目标期限（{spec.target_year} 年底）已到，尚未实现：{spec.name}", actual,
                      spec.target_value)
    if period >= end:
        return Status(FAILED, f"目标期限（{spec.target_year} 年底）已到，实际 {fmt(actual, spec.unit)}{capped}，"
                              f"未达到目标 {target_text(spec)}", actual, spec.target_value)
    left = _quarters(period, end)
    if spec.kind == "yesno":
        kind = LAGGING if left < 2 else WARNING
        return Status(kind, f"尚未实现：{spec.name}（目标 {spec.target_year} 年底前实现），"
                            f"距目标年底还有 {left} 个季度", actual)
    if spec.baseline is not None:
        base, base_period = spec.baseline, period_from_code(s.first_period).previous()
    else:
        base, base_period = first_value, period_from_code(first)
    total = _quarters(base_period, end)
    elapsed = _quarters(base_period, period)
    goal = spec.target_value
    if total <= 0 or elapsed <= 0 or abs(goal - base) < 1e-12:
        return Status(ON_TRACK, f"实际 {fmt(actual, spec.unit)}，以本期为基线，目标 {target_text(spec)}", actual)
    expected = base + (goal - base) * elapsed / total
    # Rounded so a value exactly on a band edge (87.6 of 80→88 is q = 0.95) is not pushed below it by float error.
    q = round((actual - base) / (expected - base), 9)
    kind = ON_TRACK if q >= s.on_track else WARNING if q >= s.warning else LAGGING
    ahead = (_shown(actual, spec.unit) - _shown(expected, spec.unit)) * (1 if goal >= base else -1)
    where = "与序时进度持平" if ahead == 0 else f"{'领先' if ahead > 0 else '落后'} {_gap_text(actual, expected, spec)}"
    return Status(kind, f"实际 {fmt(actual, spec.unit)}{capped}，按序时进度应达 {fmt(expected, spec.unit)}，{where}",
                  actual, expected, q)


_STATUS_COLUMNS = ["target_id", "district_adcode", "status", "color", "rank", "explanation", "actual", "expected", "q"]


def evaluate_targets(targets: pd.DataFrame, values: pd.DataFrame, period: str,
                     settings: Settings | None = None, district_level: bool = False,
                     units: list[str] | None = None) -> pd.DataFrame:
    """One row per target (and per district when district_level) with status and explanation.

    With `units` (district_level only), one row per target and each of those adcodes, in that order,
    a unit without any report being 未报送; without it, the districts that have a series.

    targets: db.queries.targets(); values: db.queries.current_values() (any history up to period).
    The same judgement as evaluate_target, with the per-series facts (this period's value, the
    latest and the earliest report) found by grouping instead of a Python loop over every value:
    a province holds hundreds of thousands of values.
    """
    p = period_from_code(period)
    s = settings or load_settings()
    facts = _series_facts(values, period, district_level)
    keys_of: dict[str, list[str]] = {}
    for tid, dist in facts.index:
        keys_of.setdefault(tid, []).append(dist)
    columns = {name: facts[name].tolist() for name in facts.columns}
    position = {key: i for i, key in enumerate(facts.index)}
    rows = []
    for t in targets.to_dict("records"):
        spec = TargetSpec.from_row(t)
        dists = units if units is not None else keys_of.get(t["id"], [])
        if not district_level and not dists:
            dists = [""]
        for dist in dists:
            i = position.get((t["id"], dist))
            st = (_judge(spec, p, s, *(None if pd.isna(columns[c][i]) else columns[c][i] for c in _FACTS))
                  if i is not None else _judge(spec, p, s, None, None, None, None, None))
            rows.append((t["id"], dist, st.label, st.color, st.kind.rank, st.explanation, st.actual, st.expected,
                         st.q))
    return pd.DataFrame(rows, columns=_STATUS_COLUMNS)


_FACTS = ("actual", "last", "last_value", "first", "first_value")


def _series_facts(values: pd.DataFrame, period: str, district_level: bool) -> pd.DataFrame:
    """Per (target_id, district_adcode) series of the level asked for, sorted: the value of `period`,
    the latest and the earliest period with a value up to `period`, and their values. A series with
    nothing known up to `period` is still listed (it is 未报送)."""
    v = values[["target_id", "district_adcode", "period_code", "value"]]
    dist = v["district_adcode"].fillna("").astype(str)
    v = v.assign(district_adcode=dist)[(dist != "") == district_level]
    keys = v[["target_id", "district_adcode"]].drop_duplicates().sort_values(["target_id", "district_adcode"])
    index = pd.MultiIndex.from_frame(keys)
    known = v[(v["period_code"] <= period) & v["value"].notna()]
    # One value per period and series; when a frame repeats one, the later row wins.
    known = known.drop_duplicates(["target_id", "district_adcode", "period_code"], keep="last")
    known = known.sort_values(["target_id", "district_adcode", "period_code"], kind="stable")
    series = known[["target_id", "district_adcode"]]
    first, last = known[~series.duplicated(keep="first")], known[~series.duplicated(keep="last")]
    now = known[known["period_code"] == period]
    out = pd.DataFrame(index=index)
    out["actual"] = now.set_index(["target_id", "district_adcode"])["value"].astype(float)
    out["last"] = last.set_index(["target_id", "district_adcode"])["period_code"].astype(object)
    out["last_value"] = last.set_index(["target_id", "district_adcode"])["value"].astype(float)
    out["first"] = first.set_index(["target_id", "district_adcode"])["period_code"].astype(object)
    out["first_value"] = first.set_index(["target_id", "district_adcode"])["value"].astype(float)
    return out


# --- Tasks ---------------------------------------------------------------------------------------


def evaluate_task(percent: float | None, reported_status: str | None, period: Period,
                  settings: Settings | None = None, due: Period | None = None,
                  today: date | None = None) -> Status:
    """A task's (or one department's share of it) progress for `period`.

    Expected progress is the elapsed share of the plan period (first..last period of settings),
    so by the end of the last quarter 100% is due. The 即将到期 reminder counts days from the
    period's end, or from `today` while that period is still running, to the due date.
    """
    s = settings or load_settings()
    first, last = period_from_code(s.first_period), due or period_from_code(s.last_period)
    if percent is None and reported_status is None:
        return Status(MISSING, f"{period.code} 未报送进展")
    pct = max(0.0, min(100.0, float(percent or 0.0)))
    if reported_status == "已完成" or pct >= 100:
        return Status(DONE, f"已完成（{period.code} 报告完成 {pct:.0f}%）", pct)
    today = today or date.today()
    if period >= last and today > last.end:
        # The report for the due quarter describes the state at the due date: unfinished is late.
        return Status(OVERDUE, f"计划期已于 {last.end:%Y年%m月%d日} 结束，截至 {period.code} 完成 {pct:.0f}%，已逾期",
                      pct, 100.0, pct / 100.0)
    total = len(period_range(first.code, last.code))
    elapsed = min(len(period_range(first.code, period.code)), total)
    expected = 100.0 * elapsed / total
    q = round(pct / expected, 9) if expected else 1.0
    gap = round(pct) - round(expected)
    where = "与序时进度持平" if gap == 0 else f"{'领先' if gap > 0 else '落后'} {abs(gap)} 个百分点"
    text = f"完成 {pct:.0f}%，按序时进度应达 {expected:.0f}%，{where}"
    days_left = (last.end - min(period.end, today)).days
    due_soon = days_left <= s.due_soon_days
    if due_soon:
        text += f"；距计划期结束还有 {days_left} 天"
    if q >= s.on_track:
        if due_soon:
            return Status(DUE_SOON, text, pct, expected, q)
        # 超前 mirrors the 正常 band above 100%, so it needs no threshold of its own.
        return Status(AHEAD if q >= 2 - s.on_track else ON_TIME, text, pct, expected, q)
    kind = WARNING if q >= s.warning else LAGGING
    if reported_status == "滞后" and kind is WARNING:
        kind = LAGGING
        text += "；部门自报滞后"
    return Status(kind, text, pct, expected, q)


def evaluate_tasks(tasks: pd.DataFrame, progress: pd.DataFrame, period: str,
                   settings: Settings | None = None, per_department: bool = False,
                   today: date | None = None) -> pd.DataFrame:
    """Status per task (the lead department's report; participants' average if the lead is silent),
    or per (task, department) when per_department."""
    p = period_from_code(period)
    s = settings or load_settings()
    cur = progress[progress["period_code"] == period]
    rows = []
    if per_department:
        for r in cur.to_dict("records"):
            st = evaluate_task(_number(r["percent"]), r["status"], p, s, today=today)
            rows.append({"task_id": r["task_id"], "department": r["department"], "status": st.label,
                         "color": st.color, "rank": st.kind.rank, "explanation": st.explanation,
                         "percent": st.actual, "expected": st.expected})
        return pd.DataFrame(rows, columns=["task_id", "department", "status", "color", "rank", "explanation",
                                           "percent", "expected"])
    # Plain dicts, not per-task DataFrame filters: the cockpit evaluates every period of the plan.
    by_task: dict[int, list[dict]] = {}
    for r in cur[["task_id", "department", "status", "percent"]].to_dict("records"):
        by_task.setdefault(int(r["task_id"]), []).append(r)
    for t in tasks.to_dict("records"):
        reports = by_task.get(int(t["id"]), [])
        percent = status_word = None
        if reports:
            src = [r for r in reports if r["department"] == t["lead_department"]] or reports
            known = [_number(r["percent"]) for r in src if _number(r["percent"]) is not None]
            percent = sum(known) / len(known) if known else 0.0
            status_word = src[0]["status"] if len(src) == 1 else None
        st = evaluate_task(percent, status_word, p, s, today=today)
        rows.append({"task_id": t["id"], "status": st.label, "color": st.color, "rank": st.kind.rank,
                     "explanation": st.explanation, "percent": st.actual, "expected": st.expected})
    return pd.DataFrame(rows, columns=["task_id", "status", "color", "rank", "explanation", "percent", "expected"])


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def status_counts(statuses: Iterable[str], kinds: Iterable[StatusKind]) -> dict[str, int]:
    counts = {k.label: 0 for k in kinds}
    for label in statuses:
        counts[label] = counts.get(label, 0) + 1
    return counts
