"""部门记分卡: a 0–100 score per department and period, with every deducted point explained.

Four parts (weights in data/plans/2018-2020/scoring.toml): (a) status of the targets the department leads,
(b) status of the tasks it leads or joins, (c) reporting by the deadline, (d) data quality.
Statuses come from core/status.py only, so a red cell here is red everywhere.
Each deduction is rounded to 0.1 point and the score is 100 minus the deductions as shown,
so an official can add up the lines of the breakdown and get the score.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import pandas as pd

from core.catalogue_versions import Version, roles_in_force, targets_in_force, tasks_in_force
from core.periods import period_from_code
from core.plans import plan_file
from core.settings import Settings, load_settings
from core.status import RED_LABELS, evaluate_targets, evaluate_task, evaluate_tasks
from core.timeutil import CHINA_TZ


def scoring_file() -> Path:
    """The current plan's scoring.toml (each plan scores by its own rule)."""
    return plan_file("scoring.toml")
COMPONENTS = {"targets": "(a) 牵头指标", "tasks": "(b) 工作任务", "reporting": "(c) 按时报送",
              "data_quality": "(d) 数据质量"}
ITEM_COLUMNS = ["component", "key", "label", "department", "role", "weight", "status", "explanation"]


@dataclass(frozen=True)
class ScoringRule:
    weights: dict[str, float]
    lead_weight: float
    join_weight: float
    credit: dict[str, float]
    late_per_day: float
    late_floor: float
    returned_penalty: float
    rejected_upload_penalty: float
    grade_bands: tuple[tuple[str, float], ...]  # highest band first; below the last is D

    def credit_of(self, status: str) -> float:
        return float(self.credit.get(status, 0.0))

    def grade(self, score: float) -> str:
        for grade, lowest in self.grade_bands:
            if score >= lowest - 1e-9:
                return grade
        return "D"


def load_rule(path: Path | None = None) -> ScoringRule:
    """The scoring rule of `path`, by default the current plan's (memoised per file)."""
    return _load_rule(Path(path) if path is not None else scoring_file())


@lru_cache(maxsize=8)
def _load_rule(path: Path) -> ScoringRule:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    w, t, r, q = raw["weights"], raw["tasks"], raw["reporting"], raw["data_quality"]
    bands = tuple(sorted(((g, float(v)) for g, v in raw["grades"].items()), key=lambda b: -b[1]))
    return ScoringRule(
        weights={k: float(w[k]) for k in COMPONENTS},
        lead_weight=float(t["lead"]), join_weight=float(t["join"]),
        credit={k: float(v) for k, v in raw["credit"].items()},
        late_per_day=float(r["late_per_day"]), late_floor=float(r["late_floor"]),
        returned_penalty=float(q["returned"]), rejected_upload_penalty=float(q["rejected_upload"]),
        grade_bands=bands,
    )


def _n(x: float) -> str:
    return f"{x:g}"


def rule_text(rule: ScoringRule) -> list[str]:
    """The rule in words, built from the same numbers the scores are computed with."""
    w = rule.weights
    partial = "、".join(f"{s}保留 {_n(c * 100)}%" for s, c in rule.credit.items() if 0 < c < 1)
    zero = "、".join(s for s, c in rule.credit.items() if c <= 0)
    bands = "，".join(f"{g} ≥ {_n(v)}" for g, v in rule.grade_bands)
    return [
        f"每个部门每季度满分 100 分，分四项：(a) 牵头指标 {_n(w['targets'])} 分、(b) 工作任务 {_n(w['tasks'])} 分、"
        f"(c) 按时报送 {_n(w['reporting'])} 分、(d) 数据质量 {_n(w['data_quality'])} 分。",
        f"(a) 本部门牵头的每个指标分值相同（经基期与责任备案指定由参与部门负责的指标，计入该部门）；(b) 牵头的任务按 {_n(rule.lead_weight)} 份、参与的任务按 "
        f"{_n(rule.join_weight)} 份分配分值。指标、任务的状态由全看板统一的状态引擎判定："
        f"已达标、正常、已完成、超前、按期、即将到期得全分，{partial}，{zero}不得分。",
        f"(c) 在报送截止日（季度结束后的规定天数内，北京时间）当天及以前报送得全分；每逾期一天扣该项的 "
        f"{_n(rule.late_per_day * 100)}%，最多扣到只剩 {_n(rule.late_floor * 100)}%；未报送不得分。",
        f"(d) 每有一次报送被退回扣该项的 {_n(rule.returned_penalty * 100)}%，每有一次上传含被拒收的数据行扣 "
        f"{_n(rule.rejected_upload_penalty * 100)}%，扣完为止。",
        "某项没有可考核的内容（如不牵头任何指标，或本期没有任何报送可评数据质量）时，该项分值按比例分给其余各项，"
        "并在扣分明细中注明；既无指标也无任务的部门不参与排名。",
        f"等级：{bands}，其余为 D。每条扣分保留一位小数，得分等于 100 减去所列各条扣分之和。",
    ]


# --- Inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What one department sent for one period (db.scoring_reads.report_summary)."""

    first_at: datetime | None = None  # first report that was not returned or undone
    submissions: int = 0  # every report except undone ones
    returned: int = 0
    rejected_uploads: int = 0
    rejected_rows: int = 0


@dataclass(frozen=True)
class ScoringInputs:
    """Everything a scoreboard needs, read once; each period evaluates its own slice."""

    targets: pd.DataFrame  # db.queries.targets()
    values: pd.DataFrame  # db.queries.current_values()
    tasks: pd.DataFrame  # db.queries.tasks()
    roles: pd.DataFrame  # db.queries.task_departments()
    progress: pd.DataFrame  # db.queries.current_progress()
    reports: pd.DataFrame  # db.scoring_reads.report_summary()
    periods: pd.DataFrame  # db.queries.periods() (code, deadline)
    departments: pd.DataFrame  # db.queries.departments()
    districts: pd.DataFrame  # db.queries.districts()
    # Catalogue versions (db.catalogue_versions.versions()): each period judged by the definitions in force then.
    versions: tuple[Version, ...] = ()

    def targets_at(self, period: str) -> pd.DataFrame:
        return targets_in_force(self.targets, self.versions, period)

    @cached_property
    def city_values(self) -> pd.DataFrame:
        # Split once: every period's target items look only at whole-city values.
        return self.values[self.values["district_adcode"] == ""]


def target_items(targets: pd.DataFrame, values: pd.DataFrame, period: str,
                 settings: Settings | None = None) -> pd.DataFrame:
    """Part (a): one row per target, charged to its responsible department (基期与责任备案: the
    registered one, else the plan's lead), with its city status. A target assigned away from its
    lead is the assignee's 责任 item; the lead is no longer charged for it."""
    city = values[values["district_adcode"] == ""]
    st = evaluate_targets(targets, city, period, settings).set_index("target_id")
    charged = targets["responsible_department"] if "responsible_department" in targets else targets["lead_department"]
    return pd.DataFrame({
        "component": "targets", "key": targets["id"], "label": targets["id"] + " " + targets["name"],
        "department": charged, "role": (charged == targets["lead_department"]).map({True: "牵头", False: "责任"}),
        "weight": 1.0,
        "status": targets["id"].map(st["status"]), "explanation": targets["id"].map(st["explanation"]),
    }, columns=ITEM_COLUMNS).reset_index(drop=True)


def task_items(tasks: pd.DataFrame, roles: pd.DataFrame, progress: pd.DataFrame, period: str,
               rule: ScoringRule, settings: Settings | None = None) -> pd.DataFrame:
    """Part (b): one row per (task, department) role; a role without a report is 未报送."""
    s = settings or load_settings()
    own = roles[roles["department_kind"] == "department"]  # groups report through their members
    st = evaluate_tasks(tasks, progress, period, s, per_department=True)
    found = {(t, d): (status, why) for t, d, status, why in
             st[["task_id", "department", "status", "explanation"]].itertuples(index=False)}
    missing = evaluate_task(None, None, period_from_code(period), s)
    titles = dict(zip(tasks["id"], tasks["title"]))
    rows = []
    for tid, dept, role in own[["task_id", "department", "role"]].itertuples(index=False):
        status, why = found.get((tid, dept), (missing.label, missing.explanation))
        rows.append({
            "component": "tasks", "key": f"任务{int(tid):02d}", "label": f"任务 {int(tid)} {titles.get(tid, '')}",
            "department": dept, "role": role, "weight": rule.lead_weight if role == "牵头" else rule.join_weight,
            "status": status, "explanation": why,
        })
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def period_items(inputs: ScoringInputs, period: str, rule: ScoringRule,
                 settings: Settings | None = None) -> pd.DataFrame:
    v = inputs.versions
    return pd.concat([target_items(inputs.targets_at(period), inputs.city_values, period, settings),
                      task_items(tasks_in_force(inputs.tasks, v, period), roles_in_force(inputs.roles, v, period),
                                 inputs.progress, period, rule, settings)],
                     ignore_index=True)


def reports_for(reports: pd.DataFrame, period: str) -> dict[str, Report]:
    cur = reports[reports["period_code"] == period]
    out = {}
    for r in cur.to_dict("records"):
        first = r["first_at"]
        out[r["department"]] = Report(
            first_at=None if first is None or pd.isna(first) else first.to_pydatetime()
            if hasattr(first, "to_pydatetime") else first,
            submissions=int(r["submissions"]), returned=int(r["returned"]),
            rejected_uploads=int(r["rejected_uploads"]), rejected_rows=int(r["rejected_rows"]))
    return out


# --- Scores --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deduction:
    component: str
    item: str
    status: str
    points: float
    explanation: str = ""

    @property
    def text(self) -> str:
        return f"{self.item} {self.status}：扣 {self.points:.1f} 分"


@dataclass(frozen=True)
class ComponentScore:
    key: str
    weight: float  # as set in scoring.toml
    points: float  # after redistribution; 0 when the part does not apply
    lost: float
    applicable: bool
    note: str = ""

    @property
    def label(self) -> str:
        return COMPONENTS[self.key]

    @property
    def earned(self) -> float:
        return round(self.points - self.lost, 1)


@dataclass(frozen=True)
class DepartmentScore:
    department: str
    period: str
    score: float | None  # None: nothing to assess, not ranked
    grade: str | None
    components: tuple[ComponentScore, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    notes: tuple[str, ...] = ()
    timeliness: str = ""  # 按时 / 逾期 N 天 / 未报送 / ""

    @property
    def lines(self) -> list[str]:
        """The breakdown in words: why parts moved, then every deducted point."""
        return [*self.notes, *(d.text for d in self.deductions)]

    def component(self, key: str) -> ComponentScore:
        return next(c for c in self.components if c.key == key)


def timeliness(report: Report | None, deadline: date) -> tuple[str, int | None]:
    """('on_time' | 'late' | 'missing', days late). Days count on the Beijing calendar."""
    if report is None or report.first_at is None:
        return "missing", None
    sent = report.first_at.astimezone(CHINA_TZ).date() if report.first_at.tzinfo else report.first_at.date()
    days = (sent - deadline).days
    return ("on_time", 0) if days <= 0 else ("late", days)


def timeliness_text(report: Report | None, deadline: date) -> str:
    kind, days = timeliness(report, deadline)
    if kind == "on_time":
        return "按时"
    if kind == "late":
        return f"逾期 {days} 天"
    if report is not None and report.returned:
        return "未报送（报送被退回后未重报）"
    return "未报送"


def _effective_points(rule: ScoringRule, applicable: dict[str, bool]) -> dict[str, float]:
    total = sum(rule.weights[k] for k, ok in applicable.items() if ok)
    return {k: (rule.weights[k] * 100 / total if ok and total else 0.0) for k, ok in applicable.items()}


def _item_deductions(items: list[dict], points: float, rule: ScoringRule, key: str) -> list[Deduction]:
    total = sum(r["weight"] for r in items)
    out = []
    for r in items:
        lost = round(points * r["weight"] / total * (1 - rule.credit_of(r["status"])), 1)
        if lost > 0:
            role = f"（{r['role']}）" if key == "tasks" else ""
            out.append(Deduction(key, f"{r['label']}{role}", r["status"], lost, r["explanation"]))
    return out


def _reporting_deductions(report: Report | None, deadline: date, period: str, points: float,
                          rule: ScoringRule) -> list[Deduction]:
    kind, days = timeliness(report, deadline)
    if kind == "on_time":
        return []
    if kind == "late":
        share = min(days * rule.late_per_day, 1 - rule.late_floor)
        why = f"{period} 报送截止 {deadline:%Y-%m-%d}，{report.first_at.astimezone(CHINA_TZ):%Y-%m-%d} 才报送"
        return [Deduction("reporting", f"{period} 报送", f"逾期 {days} 天", round(points * share, 1), why)]
    why = f"截至目前未收到 {period} 的有效报送（截止 {deadline:%Y-%m-%d}）"
    return [Deduction("reporting", f"{period} 报送", timeliness_text(report, deadline), round(points, 1), why)]


def _quality_deductions(report: Report, period: str, points: float, rule: ScoringRule) -> list[Deduction]:
    out, left = [], points
    if report.returned:
        lost = round(min(left, points * rule.returned_penalty * report.returned), 1)
        left -= lost
        out.append(Deduction("data_quality", f"{period} 报送", f"被退回 {report.returned} 次", lost,
                             "报送被督查办退回，需修改后重报"))
    if report.rejected_uploads and left > 0:
        lost = round(min(left, points * rule.rejected_upload_penalty * report.rejected_uploads), 1)
        out.append(Deduction("data_quality", f"{period} 上传", f"{report.rejected_uploads} 次含拒收数据", lost,
                             f"共 {report.rejected_rows} 行数据未通过校验被拒收"))
    return [d for d in out if d.points > 0]


def score_department(department: str, period: str, items: pd.DataFrame, report: Report | None,
                     deadline: date, rule: ScoringRule | None = None) -> DepartmentScore:
    """Score one department from its items (rows of period_items for it) and its report."""
    rule = rule or load_rule()
    return _score_records(department, period, items[items["department"] == department].to_dict("records"),
                          report, deadline, rule)


def _score_records(department: str, period: str, mine: list[dict], report: Report | None, deadline: date,
                   rule: ScoringRule) -> DepartmentScore:
    groups = {k: [r for r in mine if r["component"] == k] for k in ("targets", "tasks")}
    has_duty = bool(mine)
    applicable = {"targets": bool(groups["targets"]), "tasks": bool(groups["tasks"]),
                  "reporting": has_duty, "data_quality": has_duty and report is not None and report.submissions > 0}
    if not has_duty:
        return DepartmentScore(department, period, None, None, notes=("本部门既不牵头指标也不承担任务，无考核内容，不参与排名。",))
    points = _effective_points(rule, applicable)
    deductions = (_item_deductions(groups["targets"], points["targets"], rule, "targets") if applicable["targets"] else [])
    deductions += _item_deductions(groups["tasks"], points["tasks"], rule, "tasks") if applicable["tasks"] else []
    deductions += _reporting_deductions(report, deadline, period, points["reporting"], rule)
    if applicable["data_quality"]:
        deductions += _quality_deductions(report, period, points["data_quality"], rule)
    notes = _redistribution_notes(applicable, points, rule, groups["tasks"])
    comps = tuple(
        ComponentScore(k, rule.weights[k], round(points[k], 1),
                       round(sum(d.points for d in deductions if d.component == k), 1), applicable[k],
                       note=_not_applicable_reason(k, groups["tasks"]) if not applicable[k] else "")
        for k in COMPONENTS)
    score = max(0.0, round(100 - sum(d.points for d in deductions), 1))
    return DepartmentScore(department, period, score, rule.grade(score), comps, tuple(deductions), tuple(notes),
                           timeliness_text(report, deadline))


def _not_applicable_reason(key: str, tasks: list[dict]) -> str:
    return {"targets": "本部门不牵头任何指标",
            "tasks": "本部门不承担任何任务",
            "reporting": "无报送义务",
            "data_quality": "本期没有任何报送，无可评价的数据质量"}[key]


def _redistribution_notes(applicable: dict[str, bool], points: dict[str, float], rule: ScoringRule,
                          tasks: list[dict]) -> list[str]:
    skipped = [k for k, ok in applicable.items() if not ok]
    if not skipped:
        return []
    notes = [f"{COMPONENTS[k]}：{_not_applicable_reason(k, tasks)}，该项 {_n(rule.weights[k])} 分按比例分给其余各项"
             for k in skipped]
    shares = "、".join(f"{COMPONENTS[k]} {points[k]:.1f} 分" for k, ok in applicable.items() if ok)
    notes.append(f"调整后各项满分：{shares}")
    if not applicable["targets"] and applicable["tasks"] and all(r["role"] == "参与" for r in tasks):
        notes.append(f"本部门只参与任务（不牵头），每项任务按 {_n(rule.join_weight)} 份计分")
    return notes


def score_period(inputs: ScoringInputs, period: str, rule: ScoringRule | None = None,
                 settings: Settings | None = None, items: pd.DataFrame | None = None) -> list[DepartmentScore]:
    """Every department (not groups) scored for one period, in catalogue order."""
    rule = rule or load_rule()
    items = period_items(inputs, period, rule, settings) if items is None else items
    reports = reports_for(inputs.reports, period)
    deadline = _deadline(inputs.periods, period)
    names = inputs.departments.loc[inputs.departments["kind"] == "department", "name"]
    by_dept: dict[str, list[dict]] = {}
    for r in items.to_dict("records"):
        by_dept.setdefault(r["department"], []).append(r)
    return [_score_records(d, period, by_dept.get(d, []), reports.get(d), deadline, rule) for d in names]


def _deadline(periods: pd.DataFrame, period: str) -> date:
    raw = periods.loc[periods["code"] == period, "deadline"].iloc[0]
    return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])


# --- Ranking -------------------------------------------------------------------------------------

RANK_COLUMNS = ["rank", "name", "score", "grade", "previous_score", "change", "most_improved", "lost_points",
                "main_loss", "timeliness"]


def ranking(current: Sequence[DepartmentScore], previous: Sequence[DepartmentScore] | None = None) -> pd.DataFrame:
    """Scored units best first; ties share a rank (1, 2, 2, 4). Unscored units are left out."""
    prev = {s.department: s.score for s in previous or () if s.score is not None}
    rows = []
    for s in current:
        if s.score is None:
            continue
        worst = max(s.deductions, key=lambda d: d.points, default=None)
        before = prev.get(s.department)
        rows.append({"name": s.department, "score": s.score, "grade": s.grade, "previous_score": before,
                     "change": None if before is None else round(s.score - before, 1),
                     "lost_points": round(100 - s.score, 1), "main_loss": worst.text if worst else "",
                     "timeliness": s.timeliness})
    df = pd.DataFrame(rows, columns=[c for c in RANK_COLUMNS if c not in ("rank", "most_improved")])
    if df.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    df = df.sort_values(["score", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    df.insert(0, "rank", df["score"].rank(method="min", ascending=False).astype(int))
    change = pd.to_numeric(df["change"], errors="coerce")
    best = change.max()
    df["most_improved"] = (change == best) & (change > 0) if pd.notna(best) else False
    return df[RANK_COLUMNS]


def most_improved(table: pd.DataFrame) -> list[str]:
    return table.loc[table["most_improved"].astype(bool), "name"].tolist()


# --- County-level peer group ---------------------------------------------------------------------


def district_items(targets: pd.DataFrame, values: pd.DataFrame, districts: pd.DataFrame, period: str,
                   settings: Settings | None = None) -> pd.DataFrame:
    """Part (a) for the 9 county-level units: every district-level target, status per district.

    Only districts with at least one district-level value up to `period` are included, so a
    county with no district data is not ranked rather than ranked last.
    """
    own = values[(values["district_adcode"] != "") & (values["period_code"] <= period)]
    reporting = set(own["district_adcode"])
    units = [a for a in districts["adcode"] if a in reporting]
    names = dict(zip(districts["adcode"], districts["name"]))
    local = targets[targets["district_breakdown"].astype(bool)]
    st = evaluate_targets(local, own, period, settings, district_level=True, units=units)
    return pd.DataFrame({
        "component": "targets", "key": st["target_id"],
        "label": st["target_id"] + " " + st["target_id"].map(dict(zip(local["id"], local["name"]))),
        "department": st["district_adcode"].map(names), "role": "区县", "weight": 1.0, "status": st["status"],
        "explanation": st["explanation"],
    }, columns=ITEM_COLUMNS)


def score_districts(items: pd.DataFrame, districts: pd.DataFrame, period: str,
                    rule: ScoringRule | None = None) -> list[DepartmentScore]:
    """Counties score on their district-level targets only (100 points): reporting and data
    quality are the departments' duties, not the counties'."""
    rule = rule or load_rule()
    by_name: dict[str, list[dict]] = {}
    for r in items.to_dict("records"):
        by_name.setdefault(r["department"], []).append(r)
    out = []
    for name in districts["name"]:
        mine = by_name.get(name, [])
        if not mine:
            out.append(DepartmentScore(name, period, None, None, notes=("截至本期无分区县数据，不参与区县排名。",)))
            continue
        deductions = tuple(_item_deductions(mine, 100.0, rule, "targets"))
        score = max(0.0, round(100 - sum(d.points for d in deductions), 1))
        comp = ComponentScore("targets", 100.0, 100.0, round(100 - score, 1), True)
        note = f"区县按 {len(mine)} 个分区县指标的状态评分，满分 100 分；按时报送与数据质量是部门的考核项，不适用于区县"
        out.append(DepartmentScore(name, period, score, rule.grade(score), (comp,), deductions, (note,)))
    return out


# --- One period, complete ------------------------------------------------------------------------


@dataclass
class Scoreboard:
    period: str
    previous_period: str | None
    scores: list[DepartmentScore]
    ranking: pd.DataFrame
    items: pd.DataFrame  # this period's items (targets and tasks) per department
    previous_items: pd.DataFrame
    county_scores: list[DepartmentScore]
    county_ranking: pd.DataFrame
    history: pd.DataFrame  # name, period, score, grade for every period up to this one
    rule_lines: list[str] = field(default_factory=list)

    def score_of(self, department: str) -> DepartmentScore | None:
        return next((s for s in self.scores if s.department == department), None)


def build_scoreboard(inputs: ScoringInputs, period: str, rule: ScoringRule | None = None,
                     settings: Settings | None = None) -> Scoreboard:
    rule = rule or load_rule()
    codes = [c for c in inputs.periods["code"] if c <= period]
    prev = codes[-2] if len(codes) > 1 else None
    history, by_period, items_by_period = [], {}, {}
    for code in codes:
        items = period_items(inputs, code, rule, settings)
        items_by_period[code] = items
        by_period[code] = score_period(inputs, code, rule, settings, items)
        history += [{"name": s.department, "period": code, "score": s.score, "grade": s.grade}
                    for s in by_period[code] if s.score is not None]
    county_now = score_districts(district_items(inputs.targets_at(period), inputs.values, inputs.districts, period,
                                                settings),
                                 inputs.districts, period, rule)
    county_prev = (score_districts(district_items(inputs.targets_at(prev), inputs.values, inputs.districts, prev,
                                                  settings),
                                   inputs.districts, prev, rule) if prev else None)
    empty = pd.DataFrame(columns=ITEM_COLUMNS)
    return Scoreboard(
        period=period, previous_period=prev, scores=by_period[period],
        ranking=ranking(by_period[period], by_period.get(prev)),
        items=items_by_period[period], previous_items=items_by_period.get(prev, empty),
        county_scores=county_now, county_ranking=ranking(county_now, county_prev),
        history=pd.DataFrame(history, columns=["name", "period", "score", "grade"]),
        rule_lines=rule_text(rule),
    )


def red_list(board: Scoreboard) -> pd.DataFrame:
    """Every red item (滞后、未完成、逾期) and every missing report of the period, worst department first."""
    order = {n: i for i, n in enumerate(board.ranking.sort_values("score")["name"])}
    red = board.items[board.items["status"].isin(RED_LABELS)]
    rows = [{"department": r["department"], "kind": "指标" if r["component"] == "targets" else "任务",
             "item": r["label"], "role": r["role"], "status": r["status"], "explanation": r["explanation"]}
            for r in red.to_dict("records")]
    rows += [{"department": s.department, "kind": "报送", "item": f"{board.period} 报送", "role": "",
              "status": s.timeliness, "explanation": "未在规定时间内报送，或报送被退回后未重报"}
             for s in board.scores if s.timeliness.startswith("未报送")]
    df = pd.DataFrame(rows, columns=["department", "kind", "item", "role", "status", "explanation"])
    df["_o"] = df["department"].map(order).fillna(len(order))
    return df.sort_values(["_o", "kind", "item"], kind="stable").drop(columns="_o").reset_index(drop=True)


def submission_timeliness(submissions: pd.DataFrame) -> pd.Series:
    """按时 / 逾期 N 天 for each report (created_at in Beijing time, deadline of its period)."""
    out = []
    for created, deadline in zip(submissions["created_at"], submissions["deadline"]):
        if deadline is None or pd.isna(deadline) or pd.isna(created):
            out.append("")
            continue
        due = deadline if isinstance(deadline, date) else date.fromisoformat(str(deadline)[:10])
        days = (created.astimezone(CHINA_TZ).date() - due).days
        out.append("按时" if days <= 0 else f"逾期 {days} 天")
    return pd.Series(out, index=submissions.index, dtype="str")
