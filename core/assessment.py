"""年度考核: a department's annual result from its quarterly scores, the office's 加分/扣分 and 一票否决.

Pure logic (no streamlit, no database). The rule lives in data/plans/2018-2020/scoring.toml [annual]; the page
prints it in words from the same numbers (annual_rule_text), so what officials read is what was computed.

Every line adds up: final = roll-up − counted 扣分 + counted 加分 (each within its cap), kept within
0–100; a 一票否决 leaves the score as computed but forces the grade (D) and ranks after all others.
"""
from __future__ import annotations

import json
import math
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from core import ranking
from core.scoring import ScoringRule, load_rule, scoring_file

# The flow of one department's year: nothing yet → 自评 (department) → 核查 (office) → 核定 (office, locks).
NOT_STARTED, SELF, CHECKED, DECIDED = "未自评", "自评", "核查", "核定"
STATES = (NOT_STARTED, SELF, CHECKED, DECIDED)
BONUS, PENALTY = "bonus", "penalty"
KIND_LABELS = {BONUS: "加分", PENALTY: "扣分"}
# Appeal answers: the deduction stands, or it is withdrawn (the appeal succeeded).
UPHELD, WITHDRAWN = "维持扣分", "撤销扣分"
APPEAL_OUTCOMES = (UPHELD, WITHDRAWN)
# What each change of a department's year is called (its history, and the audit log as assessment_<key>).
ACTION_WORDS = {"self": "提交自评", "findings": "记录核查意见", "bonus": "记录加分", "penalty": "记录扣分",
                "withdraw": "撤销加分/扣分", "veto": "一票否决", "lift_veto": "撤销一票否决", "appeal": "提出申诉",
                "answer": "答复申诉", "decide": "核定并锁定"}
UNRANKED_SAMPLE = "样本不足（不排名）"
UNRANKED_NOTHING = "无考核内容"

# Bounds of every text a person types here (characters), with the Chinese name used in messages.
TEXT_LIMITS = {
    "narrative": ("自评说明", 2000), "findings": ("核查意见", 2000), "reason": ("理由", 500),
    "evidence": ("佐证材料（文件名或说明）", 200), "appeal": ("申诉理由", 1000), "answer": ("答复", 1000),
    "admin_reason": ("修改理由", 300),
}


class AssessmentInputError(ValueError):
    """Bad input (wrong number, text too long, unknown item): the Chinese message says what to fix."""


# --- The rule ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdjustmentItem:
    code: str
    name: str
    points: float


@dataclass(frozen=True)
class AnnualRule:
    quarter_weights: dict[int, float]  # quarter number → weight
    min_items: int
    veto_grade: str
    bonus_items: tuple[AdjustmentItem, ...]
    bonus_cap: float
    penalty_items: tuple[AdjustmentItem, ...]
    penalty_cap: float
    quarterly: ScoringRule  # grade bands are the quarterly ones

    def items(self, kind: str) -> tuple[AdjustmentItem, ...]:
        return self.bonus_items if kind == BONUS else self.penalty_items

    def cap(self, kind: str) -> float:
        return self.bonus_cap if kind == BONUS else self.penalty_cap

    def item(self, kind: str, code: str) -> AdjustmentItem:
        for it in self.items(kind):
            if it.code == code:
                return it
        allowed = "、".join(f"{i.code} {i.name}" for i in self.items(kind))
        label = KIND_LABELS.get(kind, kind)
        raise AssessmentInputError(f"“{code}”不是 scoring.toml 中列出的{label}项；可选：{allowed}")


def _items(raw: list[dict]) -> tuple[AdjustmentItem, ...]:
    return tuple(AdjustmentItem(str(i["code"]), str(i["name"]), float(i["points"])) for i in raw)


def load_annual_rule(path: Path | None = None) -> AnnualRule:
    """The annual rule of `path`, by default the current plan's scoring.toml (memoised per file)."""
    return _load_annual_rule(Path(path) if path is not None else scoring_file())


@lru_cache(maxsize=8)
def _load_annual_rule(path: Path) -> AnnualRule:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["annual"]
    weights = {int(k.lstrip("Qq")): float(v) for k, v in raw["quarter_weights"].items()}
    return AnnualRule(
        quarter_weights=weights, min_items=int(raw["min_items"]), veto_grade=str(raw["veto_grade"]),
        bonus_items=_items(raw["bonus"]["items"]), bonus_cap=float(raw["bonus"]["cap"]),
        penalty_items=_items(raw["penalty"]["items"]), penalty_cap=float(raw["penalty"]["cap"]),
        quarterly=load_rule(path),
    )


def _n(x: float) -> str:
    return f"{x:g}"


def annual_rule_text(rule: AnnualRule) -> list[str]:
    """The annual rule in words, from the numbers it is computed with."""
    names = "一二三四"
    weights = "、".join(f"第{names[q - 1]}季度 {_n(w)} 份" for q, w in sorted(rule.quarter_weights.items()))
    heaviest = max(rule.quarter_weights, key=rule.quarter_weights.get)
    bonus = "；".join(f"{i.code} {i.name}，每项加 {_n(i.points)} 分" for i in rule.bonus_items)
    penalty = "；".join(f"{i.code} {i.name}，每项扣 {_n(i.points)} 分" for i in rule.penalty_items)
    bands = "，".join(f"{g} ≥ {_n(v)}" for g, v in rule.quarterly.grade_bands)
    return [
        f"年度汇总分是本年四个季度部门得分（见季度评分规则）的加权平均：{weights}；"
        f"第{names[heaviest - 1]}季度反映年末完成情况，权重最大。"
        "某季度本部门没有可考核的内容时该季度不计入，其余季度按原权重计算。",
        f"全年考核的指标与任务合计少于 {rule.min_items} 项的部门显示“样本不足”，不参与排名：只有一项工作时，"
        "一次报送就能让得分在 0 分与 100 分之间摆动。其得分和等级照常列出，供参考。",
        f"加分项（督查办按部门、按年度逐项记录，并写明理由和佐证）：{bonus}。全年加分最多计 {_n(rule.bonus_cap)} 分。",
        f"扣分项：{penalty}。全年扣分最多计 {_n(rule.penalty_cap)} 分。",
        "最终得分 = 年度汇总分 − 扣分 + 加分（扣分、加分各在上限以内），低于 0 分按 0 分计、高于 100 分按 100 分计。"
        f"等级：{bands}，其余为 D。",
        f"一票否决：发生区域性、系统性质量安全事件等情形，督查办记录理由后，该部门等级为 {rule.veto_grade}，"
        "排在未被否决的部门之后；得分照常计算并列出。",
        "流程：部门填报员提交自评分和自评说明（自评）→ 督查办记录核查意见（核查）→ 督查办核定（核定）。"
        "核定后该部门本年度考核锁定，季度得分与汇总分按核定时冻结；此后任何修改须由管理员写明理由，并记入审计日志。",
        "部门对每一项扣分可提出一次申诉并说明理由，由督查办答复（维持扣分或撤销扣分），申诉和答复都予保留；"
        "尚有未答复的申诉时不能核定。",
    ]


# --- Inputs and text checks ----------------------------------------------------------------------


def clean_text(value: object, field_key: str, required: bool = True) -> str:
    """Trimmed text within its bound, control characters (but line breaks and tabs) removed."""
    label, limit = TEXT_LIMITS[field_key]
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if required and not text:
        raise AssessmentInputError(f"请填写{label}")
    if len(text) > limit:
        raise AssessmentInputError(f"{label}最多 {limit} 个字，现有 {len(text)} 个字，请删减后再提交")
    return text


def clean_score(value: object, label: str = "自评分") -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AssessmentInputError(f"请填写{label}（0 到 100 之间的数字）")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise AssessmentInputError(f"{label}应为 0 到 100 之间的数字，收到“{value}”") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise AssessmentInputError(f"{label}应为 0 到 100 之间的数字，收到“{value}”")
    return round(number, 1)


@dataclass(frozen=True)
class Adjustment:
    """One recorded 加分 or 扣分 of a department's year (withdrawn ones are kept but not counted)."""

    id: int
    kind: str  # bonus | penalty
    code: str
    name: str
    points: float
    reason: str
    evidence: str = ""
    withdrawn: bool = False


@dataclass(frozen=True)
class DepartmentYear:
    """What the annual result of one department is computed from."""

    department: str
    year: int
    quarter_scores: Mapping[str, float | None]  # "2020Q1" → score; None: nothing to assess that quarter
    items: int  # targets and tasks the department is judged on in the year
    adjustments: Sequence[Adjustment] = ()
    veto_reason: str | None = None
    self_score: float | None = None
    state: str = NOT_STARTED
    locked: bool = False


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualResult:
    department: str
    year: int
    quarter_scores: Mapping[str, float | None]
    items: int
    rollup: float | None  # None: no quarter had anything to assess
    sample_ok: bool
    bonus_recorded: float
    bonus: float  # counted, within the cap
    penalty_recorded: float
    penalty: float
    veto: bool
    veto_reason: str
    self_score: float | None
    final: float | None
    grade: str | None
    state: str
    locked: bool
    lines: tuple[str, ...] = ()
    rank: int | None = None
    tied: int = 1  # departments sharing the rank (core.ranking's count)

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def rank_text(self) -> str:
        if self.final is None:
            return UNRANKED_NOTHING
        if not self.sample_ok:
            return UNRANKED_SAMPLE
        return ranking.rank_text(self.rank, self.tied)

    @property
    def grade_text(self) -> str:
        """The grade as shown everywhere: a veto always says so beside it."""
        if self.grade is None:
            return "—"
        return f"{self.grade}（一票否决）" if self.veto else self.grade

    @property
    def equation(self) -> str:
        if self.final is None:
            return ""
        return f"{self.rollup:.1f} − {self.penalty:.1f} + {self.bonus:.1f} = {self.final:.1f}"


def rollup(quarter_scores: Mapping[str, float | None], rule: AnnualRule) -> float | None:
    pairs = [(rule.quarter_weights[_quarter(code)], s) for code, s in quarter_scores.items() if s is not None]
    weight = sum(w for w, _ in pairs)
    if not pairs or weight <= 0:
        return None
    return round(sum(w * s for w, s in pairs) / weight, 1)


def _quarter(code: str) -> int:
    return int(str(code).split("Q")[1])


def rollup_text(quarter_scores: Mapping[str, float | None], rule: AnnualRule) -> str:
    parts = [(code, rule.quarter_weights[_quarter(code)], s) for code, s in quarter_scores.items() if s is not None]
    skipped = [code for code, s in quarter_scores.items() if s is None]
    value = rollup(quarter_scores, rule)
    if value is None:
        return "本年各季度均无可考核的内容，不计年度得分。"
    terms = " + ".join(f"{code} {s:.1f}×{_n(w)}" for code, w, s in parts)
    total = sum(w for _, w, _ in parts)
    text = f"年度汇总分 = ({terms}) ÷ {_n(total)} = {value:.1f}"
    if skipped:
        text += f"（{'、'.join(skipped)} 无可考核内容，不计入）"
    return text


def _counted(adjustments: Sequence[Adjustment], kind: str, cap: float) -> tuple[float, float]:
    recorded = round(float(sum(a.points for a in adjustments if a.kind == kind and not a.withdrawn)), 1)
    return recorded, round(min(recorded, cap), 1)


def assess(dept: DepartmentYear, rule: AnnualRule | None = None) -> AnnualResult:
    """One department's year, unranked (rank_year ranks a whole year)."""
    rule = rule or load_annual_rule()
    value = rollup(dept.quarter_scores, rule)
    bonus_rec, bonus = _counted(dept.adjustments, BONUS, rule.bonus_cap)
    penalty_rec, penalty = _counted(dept.adjustments, PENALTY, rule.penalty_cap)
    veto = bool(dept.veto_reason)
    lines = [rollup_text(dept.quarter_scores, rule)]
    final = grade = None
    if value is not None:
        for a in dept.adjustments:
            if not a.withdrawn:
                sign = "+" if a.kind == BONUS else "−"
                lines.append(f"{KIND_LABELS[a.kind]} {a.code} {a.name}：{sign}{a.points:.1f} 分")
        for kind, recorded, counted in ((PENALTY, penalty_rec, penalty), (BONUS, bonus_rec, bonus)):
            if recorded > counted:
                lines.append(f"已记录{KIND_LABELS[kind]} {recorded:.1f} 分，超过全年上限 {_n(rule.cap(kind))} 分，"
                             f"按 {counted:.1f} 分计")
        raw = round(value - penalty + bonus, 1)
        final = round(min(100.0, max(0.0, raw)), 1)
        line = f"最终得分 = 汇总分 {value:.1f} − 扣分 {penalty:.1f} + 加分 {bonus:.1f} = {raw:.1f}"
        if final != raw:
            line += f"，按 {final:.1f} 分计（得分在 0 到 100 分之间）"
        lines.append(line)
        grade = rule.veto_grade if veto else rule.quarterly.grade(final)
        if veto:
            lines.append(f"一票否决：{dept.veto_reason}；等级为 {rule.veto_grade}")
    sample_ok = dept.items >= rule.min_items
    if value is not None and not sample_ok:
        lines.append(f"全年考核的指标与任务仅 {dept.items} 项，少于 {rule.min_items} 项：样本不足，不参与排名")
    return AnnualResult(
        department=dept.department, year=dept.year, quarter_scores=dict(dept.quarter_scores), items=dept.items,
        rollup=value, sample_ok=sample_ok, bonus_recorded=bonus_rec, bonus=bonus, penalty_recorded=penalty_rec,
        penalty=penalty, veto=veto, veto_reason=dept.veto_reason or "", self_score=dept.self_score, final=final,
        grade=grade, state=dept.state, locked=dept.locked, lines=tuple(lines),
    )


def rank_year(results: Sequence[AnnualResult]) -> list[AnnualResult]:
    """Rank the departments with enough items: not vetoed first, then by final score; equal places
    share a rank (1, 2, 2, 4) and say it as core.ranking does (并列第1名，2个部门). Order: ranked best first,
    then the unranked by name."""
    ranked = sorted((r for r in results if r.final is not None and r.sample_ok),
                    key=lambda r: (r.veto, -r.final, r.department))
    keys = [(r.veto, r.final) for r in ranked]
    ranks = [keys.index(k) + 1 for k in keys]
    out = [replace(r, rank=n, tied=t) for r, n, t in zip(ranked, ranks, ranking.tie_counts(ranks))]
    rest = sorted((r for r in results if r.final is None or not r.sample_ok),
                  key=lambda r: (r.final is None, r.department))
    return out + list(rest)


def assess_year(departments: Sequence[DepartmentYear], rule: AnnualRule | None = None) -> list[AnnualResult]:
    rule = rule or load_annual_rule()
    return rank_year([assess(d, rule) for d in departments])


def result_record(r: AnnualResult) -> dict:
    """One department's year as plain data (the CLI's JSON, the export, tests)."""
    return {
        "department": r.department, "year": r.year,
        "quarterly": {k: v for k, v in r.quarter_scores.items()},
        "items": r.items, "sample": "足" if r.sample_ok else "样本不足",
        "rollup": r.rollup, "penalty_recorded": r.penalty_recorded, "penalty": r.penalty,
        "bonus_recorded": r.bonus_recorded, "bonus": r.bonus, "veto": r.veto, "veto_reason": r.veto_reason,
        "self_score": r.self_score, "final": r.final, "grade": r.grade, "rank": r.rank, "rank_text": r.rank_text,
        "state": r.state, "locked": r.locked, "equation": r.equation,
    }


# --- From the stored rows to the inputs ------------------------------------------------------------


def _is_true(value: object) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def department_years(year: int, departments: Sequence[str], quarters: Sequence[str], history: pd.DataFrame,
                     items: Mapping[str, int], records: pd.DataFrame, adjustments: pd.DataFrame,
                     vetoes: pd.DataFrame) -> list[DepartmentYear]:
    """The inputs of every department's year: quarterly scores (history: name, period, score of
    core.scoring), items judged, and what was recorded. A locked year uses what was frozen at 核定."""
    scores = {(n, p): s for n, p, s in history[["name", "period", "score"]].itertuples(index=False)}
    recs = {r["department"]: r for r in records.to_dict("records")}
    by_dept: dict[str, list[Adjustment]] = {}
    for a in adjustments.to_dict("records"):
        by_dept.setdefault(a["department"], []).append(Adjustment(
            int(a["id"]), a["kind"], a["code"], a["name"], float(a["points"]), a["reason"], a["evidence"] or "",
            _is_true(a["withdrawn"])))
    veto = {v["department"]: v["reason"] for v in vetoes.to_dict("records") if not _is_true(v["lifted"])}
    out = []
    for name in departments:
        rec = recs.get(name)
        locked = rec is not None and _is_true(rec["locked"])
        if locked and rec["frozen_quarters"]:
            quarter_scores = json.loads(rec["frozen_quarters"])
            count = int(rec["frozen_items"])
        else:
            quarter_scores = {q: _score(scores.get((name, q))) for q in quarters}
            count = int(items.get(name, 0))
        self_score = rec["self_score"] if rec is not None and not pd.isna(rec["self_score"]) else None
        out.append(DepartmentYear(name, year, quarter_scores, count, tuple(by_dept.get(name, ())), veto.get(name),
                                  self_score, rec["state"] if rec is not None else NOT_STARTED, locked))
    return out


def _score(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
