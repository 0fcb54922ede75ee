"""What the office's documents are drafted from, read once for a period: the scoreboard, the meeting payload
(status engine) and whether demo data is present. The 部门记分卡, 会议模式 and `manage.py export` use these, then
the pure builders in core (core.meeting_deck, core.bulletin_docx); the documents themselves, and the registry of
`manage.py export`, are in services.documents (they also need the supervision loop's read-models)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.scoring import Scoreboard

# Reads import their modules when called: manage.py builds its parser from services.documents.EXPORTS on
# every command.


def period_payload(period: str) -> dict:
    """The meeting payload of `period` without a comparison to an earlier meeting (a 通报 stands alone)."""
    from core.meeting import build_payload
    from db import meetings

    return build_payload(meetings.meeting_inputs(period))


def bulletin_inputs(period: str) -> tuple[Scoreboard, dict, bool]:
    """(scoreboard, payload, demo present) for the 通报 of `period`."""
    from db import queries, scoring_reads

    return scoring_reads.scoreboard(period), period_payload(period), queries.demo_present()
