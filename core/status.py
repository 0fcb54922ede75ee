"""The one status engine: every page, export and the CLI ask it, so a colour means one thing.

Targets (指标): 已达标 when the latest value meets the target; otherwise the value is held
against 序时进度, a straight path from the baseline to the target at the end of the target
year: q = (actual - baseline) / (expected - baseline). Bands come from settings.toml.
Tasks (任务): reported progress against the elapsed share of the plan period.
Every status carries one Chinese sentence that explains it.

The plan's wording is kept: a target written 超过 (more than) is met only strictly above its
value; one written 左右 (about) is met within settings' about_tolerance below it. The baseline
is the one registered by the office (基期与责任备案); a target without one says 基期未备案.
A task reported complete is 已完成 only at 100% and, where the office checks completions,
once it has been verified (待核验 until then).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable, Mapping

import pandas as pd

from core.periods import Period, period_from_code, period_range
from core.settings import Settings, load_settings
from core.timeutil import today_beijing


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
# Reported complete at 100%, waiting for the office's check (完成核验); blue like the other
# "waiting for something" status. It scores as scoring.toml [credit] says.
PENDING_CHECK = StatusKind("pending_check", "待核验", "#0969da", 4)

TARGET_KINDS = (MET, ON_TRACK, WARNING, LAGGING, FAILED, MISSING)
TASK_KINDS = (DONE, PENDING_CHECK, AHEAD, ON_TIME, DUE_SOON, WARNING, LAGGING, OVERDUE, MISSING)
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
    # The plan's own qualifier of the comparator: "超过" (strictly more than) or "左右" (about).
    qualifier: str = ""
    baseline_year: int | None = None  # the registered baseline is the value at the end of this year
    # False: the office has not registered a baseline (the explanation says 基期未备案);
    # None: not known to the caller (hand-built specs), nothing is said.
    baseline_registered: bool | None = None
    frequency: str = "quarterly"  # annual: reported once a year, in the fourth quarter


    @classmethod
    def from_row(cls, row: Mapping) -> "TargetSpec":
        def num(v):
            return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else float(v)

        year = num(row.get("baseline_year"))
        registered = row.get("baseline_registered")
        qualifier, frequency = row.get("qualifier"), row.get("frequency")
        return cls(row["name"], row["unit"], row["comparator"], float(row["target_value"]), num(row.get("target_max")),
                   int(row["target_year"]), row["kind"], num(row.get("baseline")),
                   qualifier if isinstance(qualifier, str) else "", None if year is None else int(year),
                   None if registered is None or pd.isna(registered) else bool(registered),
                   frequency if frequency in ("quarterly", "annual") else "quarterly")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "是/否":
        return "是" if value >= 1 else "否"
    text = f"{value:,.{1 if unit == '%' else 2}f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}".strip()


STRICT, ABOUT = "超过", "左右"
DEFAULT_ABOUT_TOLERANCE = 0.05


def about_floor(spec: TargetSpec, tolerance: float = DEFAULT_ABOUT_TOLERANCE) -> float:
    """The lowest value that still counts as "target 左右"."""
    return spec.target_value * (1 - tolerance)


def meets(spec: TargetSpec, value: float, tolerance: float = DEFAULT_ABOUT_TOLERANCE) -> bool:
    if spec.kind == "yesno":
        return value >= 1
    if spec.comparator == "≤":
        return value <= spec.target_value + 1e-9
    if spec.comparator == "=":
        return abs(value - spec.target_value) < 1e-9
    if spec.comparator == "≥" and spec.qualifier == STRICT:
        return value > spec.target_value + 1e-9  # 超过95%: 95% itself is not more than 95%
    if spec.comparator == "≥" and spec.qualifier == ABOUT:
        return value >= about_floor(spec, tolerance) - 1e-9
    return value >= spec.target_value - 1e-9  # ≥, and 区间 is met from its lower bound


def effective_comparator(spec: TargetSpec, tolerance: float = DEFAULT_ABOUT_TOLERANCE) -> str:
    """The comparator as judged: ">" for 超过, "≈(±5%)" for 左右, else the catalogue's."""
    if spec.comparator == "≥" and spec.qualifier == STRICT:
        return ">"
    if spec.comparator == "≥" and spec.qualifier == ABOUT:
        return f"≈(±{tolerance * 100:g}%)"
    return spec.comparator


def target_text(spec: TargetSpec, with_unit: bool = True) -> str:
    """The target as officials write it (≥96%, 超过95%, 16%左右, 2–3个, 是); without the unit where a column
    beside it has one."""
    unit = spec.unit if with_unit else ""
    if spec.kind == "yesno":
        return "是"
    if spec.comparator == "区间":
        return f"{fmt(spec.target_value, '')}–{fmt(spec.target_max, unit)}"
    if spec.comparator == "≥" and spec.qualifier == STRICT:
        return f"超过{fmt(spec.target_value, unit)}"
    if spec.comparator == "≥" and spec.qualifier == ABOUT:
        return f"{fmt(spec.target_value, unit)}左右"
    return f"{spec.comparator}{fmt(spec.target_value, unit)}"


def _wording_note(spec: TargetSpec, tolerance: float) -> str:
    """How the plan's 超过 / 左右 is judged, said in the sentence that depends on it."""
    if spec.comparator != "≥":
        return ""
    if spec.qualifier == STRICT:
        return f"（方案写“超过”，须高于 {fmt(spec.target_value, spec.unit)}，等于不算达到）"
    if spec.qualifier == ABOUT:
        return (f"（方案写“左右”，按目标 ±{tolerance * 100:g}% 判定，不低于 "
                f"{fmt(about_floor(spec, tolerance), spec.unit)} 即达到）")
    return ""


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
    if spec.frequency == "annual" and actual is None and period.quarter != 4 and last is not None:
        # An annual indicator is asked for once a year: between its reports the last one stands,
        # judged at its own period (the path does not move on while no new value is due).
        held = _judge_value(spec, period_from_code(last), s, last_value, last, last_value, first, first_value)
        st = replace(held, explanation=f"年度指标（每年第四季度报送），沿用 {last} 的数值：{held.explanation}")
    else:
        st = _judge_value(spec, period, s, actual, last, last_value, first, first_value)
    if spec.baseline_registered is False and spec.kind != "yesno":
        # Said on every status of the target: without a registered baseline the path starts at the
        # department's own first report, which a late or low first report makes easier.
        return replace(st, explanation=f"{st.explanation}；基期未备案")
    return st


def _judge_value(spec: TargetSpec, period: Period, s: Settings, actual: float | None,
                 last: str | None, last_value: float | None, first: str | None, first_value: float | None) -> Status:
    """The status from what is known up to `period`: its own value (None if not reported), and the
    latest and earliest reported periods with their values (the earliest is the baseline when none
    is registered)."""
    end = Period(spec.target_year, 4)
    tolerance = s.about_tolerance
    if actual is None:
        tail = f"最近一次为 {last} 的 {fmt(last_value, spec.unit)}" if last else "此前也无报送"
        return Status(MISSING, f"{period.code} 未报送；{tail}")
    capped = ""
    if spec.unit == "%" and spec.comparator != "≤" and actual > 100.0:
        # A rate cannot pass 100%; a typo above it is not extra credit.
        capped = f"（报送值 {fmt(actual, spec.unit)}，按 100% 计）"
        actual = 100.0
    if meets(spec, actual, tolerance):
        extra = capped + _wording_note(spec, tolerance)
        if spec.comparator == "区间" and spec.target_max is not None and actual > spec.target_max:
            extra += f"（超过区间上限 {fmt(spec.target_max, spec.unit)}）"
        if spec.kind == "yesno":  # in the target's own words, not "实际 是，已达到目标 是"
            return Status(MET, f"已实现：{spec.name}", actual, q=None)
        return Status(MET, f"实际 {fmt(actual, spec.unit)}，已达到目标 {target_text(spec)}{extra}", actual, q=None)
    if spec.qualifier == STRICT and abs(actual - spec.target_value) < 1e-9:
        capped += _wording_note(spec, tolerance)
    # The value reported for the last quarter of the target year is the year-end value:
    # once it is in and short of the target, no time is left to catch up.
    if period >= end and spec.kind == "yesno":
        return Status(FAILED, f"目标期限（{spec.target_year} 年底）已到，尚未实现：{spec.name}", actual,
                      spec.target_value)
    if period >= end:
        # The final judgement states how the plan's 超过/左右 was read (once, where it is not said already).
        rule = "" if _wording_note(spec, tolerance) in capped else _wording_note(spec, tolerance)
        return Status(FAILED, f"目标期限（{spec.target_year} 年底）已到，实际 {fmt(actual, spec.unit)}{capped}，"
                              f"未达到目标 {target_text(spec)}{rule}", actual, spec.target_value)
    left = _quarters(period, end)
    if spec.kind == "yesno":
        kind = LAGGING if left < 2 else WARNING
        return Status(kind, f"尚未实现：{spec.name}（目标 {spec.target_year} 年底前实现），"
                            f"距目标年底还有 {left} 个季度", actual)
    if spec.baseline is not None:
        # A registered baseline is the value at the end of its year; without a year, the quarter
        # before reporting starts.
        base_period = (Period(spec.baseline_year, 4) if spec.baseline_year
                       else period_from_code(s.first_period).previous())
        base = spec.baseline
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
        city_spec = TargetSpec.from_row(t)
        local = district_specs(city_spec, t.get("district_baselines")) if district_level else {}
        dists = units if units is not None else keys_of.get(t["id"], [])
        if not district_level and not dists:
            dists = [""]
        for dist in dists:
            spec = local.get(dist, local.get("*", city_spec))
            i = position.get((t["id"], dist))
            st = (_judge(spec, p, s, *(None if pd.isna(columns[c][i]) else columns[c][i] for c in _FACTS))
                  if i is not None else _judge(spec, p, s, None, None, None, None, None))
            rows.append((t["id"], dist, st.label, st.color, st.kind.rank, st.explanation, st.actual, st.expected,
                         st.q))
    return pd.DataFrame(rows, columns=_STATUS_COLUMNS)


_FACTS = ("actual", "last", "last_value", "first", "first_value")


def district_specs(city: TargetSpec, registered: object) -> dict[str, TargetSpec]:
    """The spec of each district of a target: its own registered baseline (JSON {adcode: [value, year]},
    db.queries.targets' district_baselines). Where registrations are tracked ("*"), a district without
    one says 基期未备案 rather than borrowing the city's; where not (None/NaN), the city spec holds."""
    if not isinstance(registered, str):
        return {}
    import json

    cells = json.loads(registered) if registered else {}
    out = {"*": replace(city, baseline=None, baseline_year=None, baseline_registered=False)}
    for adcode, (value, year) in cells.items():
        out[adcode] = replace(city, baseline=value, baseline_year=year, baseline_registered=value is not None)
    return out


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


VERIFIED, RETURNED = "已核验", "退回"


def evaluate_task(percent: float | None, reported_status: str | None, period: Period,
                  settings: Settings | None = None, due: Period | None = None,
                  today: date | None = None, verification: str | None = None,
                  verification_reason: str = "") -> Status:
    """A task's (or one department's share of it) progress for `period`.

    Expected progress is the elapsed share of the plan period (first..last period of settings),
    so by the end of the last quarter 100% is due. The 即将到期 reminder counts days from the
    period's end, or from `today` while that period is still running, to the due date.

    Complete means 100%: a report of 已完成 below 100% is judged on its percent and says so.
    verification: the office's check of a complete report (完成核验) — None where the caller does
    not track checks (judged 已完成 as reported), "" not yet checked (待核验), "已核验", or "退回"
    (returned with verification_reason: judged 预警 until it is checked again).
    """
    s = settings or load_settings()
    first, last = period_from_code(s.first_period), due or period_from_code(s.last_period)
    if percent is None and reported_status is None:
        return Status(MISSING, f"{period.code} 未报送进展")
    pct = max(0.0, min(100.0, float(percent or 0.0)))
    if pct >= 100:
        if verification == "":
            return Status(PENDING_CHECK, f"报告已完成（{period.code} 完成 100%），待督查办核验", pct)
        if verification == RETURNED:
            why = f"：{verification_reason}" if verification_reason else ""
            return Status(WARNING, f"报告已完成（{period.code} 完成 100%），督查办核验退回{why}；补充材料后重新核验",
                          pct)
        checked = "，督查办已核验" if verification == VERIFIED else ""
        return Status(DONE, f"已完成（{period.code} 报告完成 {pct:.0f}%{checked}）", pct)
    flagged = f"自报已完成但完成比例为 {pct:.0f}%，未达 100%，按进度判定；" if reported_status == "已完成" else ""
    today = today or today_beijing()
    if period >= last and today > last.end:
        # The report for the due quarter describes the state at the due date: unfinished is late.
        return Status(OVERDUE, f"{flagged}计划期已于 {last.end:%Y年%m月%d日} 结束，"
                               f"截至 {period.code} 完成 {pct:.0f}%，已逾期",
                      pct, 100.0, pct / 100.0)
    total = len(period_range(first.code, last.code))
    elapsed = min(len(period_range(first.code, period.code)), total)
    expected = 100.0 * elapsed / total
    q = round(pct / expected, 9) if expected else 1.0
    gap = round(pct) - round(expected)
    where = "与序时进度持平" if gap == 0 else f"{'领先' if gap > 0 else '落后'} {abs(gap)} 个百分点"
    text = f"{flagged}完成 {pct:.0f}%，按序时进度应达 {expected:.0f}%，{where}"
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
    or per (task, department) when per_department.

    A progress frame with a "verification" column (db.queries.current_progress) has complete
    reports checked: 待核验 until the office verifies; a verification of an earlier period holds
    for the later complete reports of the same task and department."""
    p = period_from_code(period)
    s = settings or load_settings()
    cur = progress[progress["period_code"] == period]
    check = _verification_lookup(progress, period)
    rows = []
    if per_department:
        for r in cur.to_dict("records"):
            state, why = check(r)
            st = evaluate_task(_number(r["percent"]), r["status"], p, s, today=today, verification=state,
                               verification_reason=why)
            rows.append({"task_id": r["task_id"], "department": r["department"], "status": st.label,
                         "color": st.color, "rank": st.kind.rank, "explanation": st.explanation,
                         "percent": st.actual, "expected": st.expected})
        return pd.DataFrame(rows, columns=["task_id", "department", "status", "color", "rank", "explanation",
                                           "percent", "expected"])
    # Plain dicts, not per-task DataFrame filters: the cockpit evaluates every period of the plan.
    by_task: dict[int, list[dict]] = {}
    wanted = [c for c in ("task_id", "department", "status", "percent", "verification", "verification_reason")
              if c in cur.columns]
    for r in cur[wanted].to_dict("records"):
        by_task.setdefault(int(r["task_id"]), []).append(r)
    for t in tasks.to_dict("records"):
        reports = by_task.get(int(t["id"]), [])
        percent = status_word = state = None
        why = ""
        if reports:
            src = [r for r in reports if r["department"] == t["lead_department"]] or reports
            known = [_number(r["percent"]) for r in src if _number(r["percent"]) is not None]
            percent = sum(known) / len(known) if known else 0.0
            status_word = src[0]["status"] if len(src) == 1 else None
            state, why = _combined_check([check(r) for r in src])
        st = evaluate_task(percent, status_word, p, s, today=today, verification=state, verification_reason=why)
        rows.append({"task_id": t["id"], "status": st.label, "color": st.color, "rank": st.kind.rank,
                     "explanation": st.explanation, "percent": st.actual, "expected": st.expected})
    return pd.DataFrame(rows, columns=["task_id", "status", "color", "rank", "explanation", "percent", "expected"])


def _verification_lookup(progress: pd.DataFrame, period: str):
    """(state, reason) of a progress row for evaluate_task; (None, "") where checks are not tracked."""
    if "verification" not in progress.columns:
        return lambda r: (None, "")
    earlier = progress[(progress["period_code"] < period) & (progress["verification"] == VERIFIED)]
    verified_before = set(zip(earlier["task_id"].astype(int), earlier["department"]))

    def check(r: dict) -> tuple[str | None, str]:
        state = r.get("verification")
        state = state if isinstance(state, str) else ""
        if state == "" and (int(r["task_id"]), r["department"]) in verified_before:
            state = VERIFIED
        why = r.get("verification_reason")
        return state, why if isinstance(why, str) else ""
    return check


def _combined_check(checks: list[tuple[str | None, str]]) -> tuple[str | None, str]:
    """A task's check from its reporting departments': verified only when every one is."""
    if not checks or any(state is None for state, _ in checks):
        return None, ""
    returned = [why for state, why in checks if state == RETURNED]
    if returned:
        return RETURNED, returned[0]
    return (VERIFIED, "") if all(state == VERIFIED for state, _ in checks) else ("", "")


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def status_counts(statuses: Iterable[str], kinds: Iterable[StatusKind]) -> dict[str, int]:
    counts = {k.label: 0 for k in kinds}
    for label in statuses:
        counts[label] = counts.get(label, 0) + 1
    return counts
