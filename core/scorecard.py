"""The scorecard matrix: departments × (targets they lead, tasks they lead or join).

Each cell carries the status engine's label, colour and sentence, and an arrow against the
previous period measured in the score's own terms (the credit its status keeps), so an arrow
up always means the department gained points on that item.
"""
from __future__ import annotations

import pandas as pd

from core.scoring import ScoringRule, load_rule
from core.status import ALL_KINDS, RED_LABELS

UP, DOWN, SAME, NEW = "↑", "↓", "→", "新"
TREND_WORDS = {UP: "好转", DOWN: "变差", SAME: "持平", NEW: "上期无此项"}
MATRIX_COLUMNS = ["department", "key", "label", "kind", "role", "status", "color", "explanation",
                  "previous_status", "trend", "tooltip"]
SORTS = {"score": "按得分（低分在前）", "name": "按部门名称", "red": "按红色事项数（多者在前）"}


def trend_arrow(status: str, previous: str | None, rule: ScoringRule | None = None) -> str:
    if not isinstance(previous, str) or not previous:
        return NEW
    rule = rule or load_rule()
    now, before = rule.credit_of(status), rule.credit_of(previous)
    return UP if now > before else DOWN if now < before else SAME


def matrix(items: pd.DataFrame, previous_items: pd.DataFrame, rule: ScoringRule | None = None) -> pd.DataFrame:
    """One row per (department, item) of this period; items from core.scoring.period_items."""
    rule = rule or load_rule()
    prev = dict(zip(zip(previous_items["department"], previous_items["key"]), previous_items["status"]))
    df = items[["department", "key", "label", "role", "status", "explanation"]].copy()
    df["kind"] = items["component"].map({"targets": "指标", "tasks": "任务"})
    df["color"] = df["status"].map(lambda s: ALL_KINDS[s].color if s in ALL_KINDS else "#8c959f")
    df["previous_status"] = [prev.get(k, "") for k in zip(df["department"], df["key"])]
    df["trend"] = [trend_arrow(s, p, rule) for s, p in zip(df["status"], df["previous_status"])]
    df["tooltip"] = [_tooltip(r) for r in df.to_dict("records")]
    return df[MATRIX_COLUMNS].reset_index(drop=True)


def _tooltip(r: dict) -> str:
    before = f"上期 {r['previous_status']}" if r["previous_status"] else "上期无此项"
    return f"{r['status']} {r['trend']}（{before}）：{r['explanation']}"


def filter_matrix(df: pd.DataFrame, statuses: list[str] | None = None, kinds: list[str] | None = None,
                  departments: list[str] | None = None, red_only: bool = False) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    if statuses:
        mask &= df["status"].isin(statuses)
    if kinds:
        mask &= df["kind"].isin(kinds)
    if departments:
        mask &= df["department"].isin(departments)
    if red_only:
        mask &= df["status"].isin(RED_LABELS)
    return df[mask]


def department_order(df: pd.DataFrame, ranking: pd.DataFrame, by: str = "score") -> list[str]:
    """Rows of the matrix top to bottom: the weakest departments first by default, where they need attention."""
    names = list(dict.fromkeys(df["department"]))
    if by == "name":
        return sorted(names)
    if by == "red":
        reds = df[df["status"].isin(RED_LABELS)].groupby("department").size()
        return sorted(names, key=lambda n: (-int(reds.get(n, 0)), n))
    score = dict(zip(ranking["name"], ranking["score"]))
    return sorted(names, key=lambda n: (score.get(n, 101.0), n))


def item_order(df: pd.DataFrame) -> list[str]:
    """Columns left to right: targets T01… then tasks 任务01…, as in the plan."""
    keys = list(dict.fromkeys(df["key"]))
    return sorted(keys, key=lambda k: (not k.startswith("T"), k))


def cell(df: pd.DataFrame, department: str, key: str) -> dict | None:
    hit = df[(df["department"] == department) & (df["key"] == key)]
    return None if hit.empty else hit.iloc[0].to_dict()


def department_items(df: pd.DataFrame, department: str) -> dict[str, pd.DataFrame]:
    """A department's own rows, split the way the department page shows them."""
    mine = df[df["department"] == department]
    return {
        "lead_tasks": mine[(mine["kind"] == "任务") & (mine["role"] == "牵头")],
        "join_tasks": mine[(mine["kind"] == "任务") & (mine["role"] == "参与")],
        "targets": mine[mine["kind"] == "指标"],
    }
