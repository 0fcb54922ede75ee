"""Open reporting periods for tests that exercise uploads, not 报告期关闭.

Every period of the plan (2018Q1–2020Q4) closed by itself close_days after its deadline, years before
these tests run, so an upload to any of them is refused at its cells (services.trust.closed_cells). A
test about parsing, previewing or committing reopens the periods it writes the way the office does
(a PeriodClosure "open" row, newest action wins; core.period_lock decides as always), instead of the
rule being weakened. Tests of the closure itself do not call this and assert the refusal.
The demo database already has its last period 2020Q4 open (db.demo: 演示数据).
"""
from __future__ import annotations

TEST_USER = "测试夹具"


def open_periods(*codes: str) -> None:
    """Reopen `codes` (default: every period of the database) in the current test database."""
    from db import models as m
    from db import queries
    from db.engine import bump_data_version, session_scope

    codes = codes or tuple(queries.periods()["code"])
    with session_scope() as session:
        for code in codes:
            session.add(m.PeriodClosure(period_code=code, action="open", user_name=TEST_USER,
                                        reason="测试：开放报告期以测试报送"))
        bump_data_version(session)
