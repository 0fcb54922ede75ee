"""Read-models of the 部门记分卡 (and the 通报), cached per data version."""
from __future__ import annotations

import pandas as pd

from core.scorecard import matrix
from core.scoring import Scoreboard, build_scoreboard
from db import scoring_reads
from services.cache import cached, values_in_force


@cached(max_entries=16)
def scoreboard(period: str) -> Scoreboard:
    """The whole 记分卡 of one period (scores of every period up to it, for the trend)."""
    return build_scoreboard(scoring_reads.scoring_inputs(values_in_force()), period)


@cached(max_entries=16)
def scoreboard_and_matrix(period: str) -> tuple[Scoreboard, pd.DataFrame]:
    """The 记分卡 of one period with its matrix cells (core.scorecard.matrix), computed together so one
    cached read holds both."""
    board = scoreboard(period)
    return board, matrix(board.items, board.previous_items)


department_submissions = cached(scoring_reads.department_submissions)
