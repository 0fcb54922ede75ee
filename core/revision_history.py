"""修订历史, pure: every report of a cell (value, who, when, submission) with its state, from the
append-only log: 生效 (the value in force), 已被更新 (counted, then replaced by a newer report),
待审核, 退回, 已撤回."""
from __future__ import annotations

import pandas as pd

from core.reporting import COUNTED_STATES

IN_FORCE, REPLACED = "生效", "已被更新"
STATE_WORDS = {"pending": "待审核", "returned": "退回", "undone": "已撤回"}


def label_states(rows: pd.DataFrame, cell: list[str]) -> pd.Series:
    """rows: one per report with id, submission_state and the `cell` columns; the state word of each."""
    counted = rows["submission_state"].isin(COUNTED_STATES)
    newest = rows[counted].sort_values("id").groupby(cell, dropna=False)["id"].transform("max")
    in_force = pd.Series(False, index=rows.index)
    in_force.loc[newest.index] = rows.loc[newest.index, "id"] == newest
    words = rows["submission_state"].map(STATE_WORDS).fillna(REPLACED)
    return words.where(~counted, in_force.map({True: IN_FORCE, False: REPLACED})).astype(str)
