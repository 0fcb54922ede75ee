"""Ties in a ranking, said whole: "并列第22名，8个部门", and cuts (前10名, 后10名) that never split a tie.

One place for the rule, so the 部门记分卡, the meeting's charts and tables, the deck and the 通报 say the same.
Rows are anything with a competition rank (1, 2, 2, 4), best first: a DataFrame with a "rank" column or a list
of dicts with a "rank" key (core.scoring.ranking, the meeting payload's "ranking").
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import pandas as pd


def tie_counts(ranks: Sequence[int]) -> list[int]:
    """For each rank, how many units share it (1 when alone)."""
    ranks = [int(r) for r in ranks]
    counts = Counter(ranks)
    return [counts[r] for r in ranks]


def rank_text(rank: int, tied: int, unit: str = "部门") -> str:
    """第3名, or 并列第22名，8个部门 when several units share the rank."""
    return f"并列第{int(rank)}名，{int(tied)}个{unit}" if tied > 1 else f"第{int(rank)}名"


def rank_texts(ranks: Sequence[int], unit: str = "部门") -> list[str]:
    return [rank_text(r, n, unit) for r, n in zip(ranks, tie_counts(ranks))]


def with_tie_text(table: pd.DataFrame, unit: str = "部门") -> pd.DataFrame:
    """The ranking with `tied` (units sharing the rank) and `rank_text` (名次 as officials write it)."""
    ranks = table["rank"].astype(int).tolist()
    return table.assign(tied=tie_counts(ranks), rank_text=rank_texts(ranks, unit))


def head_with_ties(rows: list[dict], n: int) -> list[dict]:
    """The first n rows, and every further row tied with the n-th."""
    if len(rows) <= n:
        return list(rows)
    last = int(rows[n - 1]["rank"])
    return [r for i, r in enumerate(rows) if i < n or int(r["rank"]) == last]


def tail_with_ties(rows: list[dict], n: int) -> list[dict]:
    """The last n rows, and every earlier row tied with the first of them."""
    if len(rows) <= n:
        return list(rows)
    first = int(rows[len(rows) - n]["rank"])
    return [r for i, r in enumerate(rows) if i >= len(rows) - n or int(r["rank"]) == first]


def tie_groups(rows: list[dict], unit: str = "部门") -> list[str]:
    """Every tie in words, best first: 并列第22名（8个部门，46.2分）：甲、乙、…"""
    groups: dict[int, list[dict]] = {}
    for r in rows:
        groups.setdefault(int(r["rank"]), []).append(r)
    out = []
    for rank, members in groups.items():
        if len(members) > 1:
            score = f"，{float(members[0]['score']):g}分" if "score" in members[0] else ""
            out.append(f"并列第{rank}名（{len(members)}个{unit}{score}）：" + "、".join(m["name"] for m in members))
    return out


def records(table: pd.DataFrame) -> list[dict]:
    """A ranking frame as the list of dicts the helpers above take."""
    return table.to_dict("records")
