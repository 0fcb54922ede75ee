"""What the office's documents are drafted from, read once for a period: the scoreboard, the meeting payload
(status engine) and whether demo data is present. The 部门记分卡, 会议模式 and `manage.py export` use these, then
the pure builders in core (core.meeting_deck, core.bulletin_docx)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.scoring import Scoreboard

# Reads import their modules when called: manage.py builds its parser from EXPORTS on every command.


def period_payload(period: str) -> dict:
    """The meeting payload of `period` without a comparison to an earlier meeting (a 通报 stands alone)."""
    from core.meeting import build_payload
    from db import meetings

    return build_payload(meetings.meeting_inputs(period))


def bulletin_inputs(period: str) -> tuple[Scoreboard, dict, bool]:
    """(scoreboard, payload, demo present) for the 通报 of `period`."""
    from db import queries, scoring_reads

    return scoring_reads.scoreboard(period), period_payload(period), queries.demo_present()


# --- manage.py export: one entry per kind of document ------------------------------------------


def deck_file(period: str, department: str | None = None) -> bytes:
    """The 会议模式 deck of the live data (with what changed since the last frozen meeting)."""
    from core.meeting_deck import deck_pptx, for_department
    from db import meetings

    payload = meetings.live_payload(period)
    return deck_pptx(for_department(payload, department) if department else payload)


def bulletin_file(period: str, department: str | None = None) -> bytes:
    from datetime import datetime

    from core.bulletin_docx import bulletin_docx
    from core.timeutil import CHINA_TZ

    board, payload, demo = bulletin_inputs(period)
    return bulletin_docx(board, payload, datetime.now(CHINA_TZ).date(), demo, department)


# kind → (what it is, file suffix, builder(period, department) -> bytes). Adding a kind is one entry.
EXPORTS = {
    "deck": ("会议 PPT", ".pptx", deck_file),
    "bulletin": ("通报", ".docx", bulletin_file),
}
