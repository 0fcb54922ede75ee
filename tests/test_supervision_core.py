"""core.supervision: who may move a notice where, colours, numbers, bulk selection, counts, who owes what."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from core import supervision as sv
from core.auth import ADMIN, REPORTER, VIEWER

AGRI, MARKET = "市农业农村局", "市市场监管局"


@pytest.mark.parametrize("action,state,to", [
    (sv.ACK, sv.PENDING_ACK, sv.IN_PROGRESS), (sv.REPLY, sv.IN_PROGRESS, sv.PENDING_VERIFY),
    (sv.CLOSE, sv.PENDING_VERIFY, sv.CLOSED), (sv.RETURN, sv.PENDING_VERIFY, sv.IN_PROGRESS)])
def test_legal_transitions(action, state, to):
    role, dept = (ADMIN, None) if action in (sv.CLOSE, sv.RETURN) else (REPORTER, AGRI)
    assert sv.transition_problem(action, state, role, dept, AGRI) is None
    assert sv.next_state(action) == to


def test_illegal_transitions_are_refused_in_chinese():
    assert sv.transition_problem(sv.CLOSE, sv.CLOSED, ADMIN, None, AGRI) == "该督办单已销号，不能重复销号"
    assert "只有该部门的填报员" in sv.transition_problem(sv.REPLY, sv.IN_PROGRESS, REPORTER, MARKET, AGRI)
    assert "只有督查办管理员" in sv.transition_problem(sv.CLOSE, sv.PENDING_VERIFY, REPORTER, AGRI, AGRI)
    assert "当前为“待签收”" in sv.transition_problem(sv.REPLY, sv.PENDING_ACK, REPORTER, AGRI, AGRI)
    assert sv.transition_problem(sv.ACK, sv.PENDING_ACK, VIEWER, None, AGRI) is not None
    # An admin does not sign for a department.
    assert sv.transition_problem(sv.ACK, sv.PENDING_ACK, ADMIN, None, AGRI) is not None


def test_allowed_actions_are_the_buttons_to_offer():
    assert sv.allowed_actions(sv.PENDING_VERIFY, ADMIN, None, AGRI) == [sv.CLOSE, sv.RETURN]
    assert sv.allowed_actions(sv.IN_PROGRESS, REPORTER, AGRI, AGRI) == [sv.REPLY]
    assert sv.allowed_actions(sv.IN_PROGRESS, REPORTER, MARKET, AGRI) == []
    assert sv.allowed_actions(sv.CLOSED, ADMIN, None, AGRI) == []


def test_colour_rule_red_over_yellow_over_blue():
    today = date(2021, 1, 10)
    far, near, past = today + timedelta(days=60), today + timedelta(days=5), today - timedelta(days=1)
    assert sv.notice_colour("滞后", far, today, sv.IN_PROGRESS, 30) == sv.RED
    assert sv.notice_colour("未完成", far, today, sv.IN_PROGRESS, 30) == sv.RED
    assert sv.notice_colour("逾期", far, today, sv.IN_PROGRESS, 30) == sv.RED
    assert sv.notice_colour("预警", far, today, sv.IN_PROGRESS, 30) == sv.YELLOW
    assert sv.notice_colour("预警", near, today, sv.IN_PROGRESS, 30) == sv.YELLOW
    assert sv.notice_colour("预警", past, today, sv.IN_PROGRESS, 30) == sv.RED  # past its own due date
    assert sv.notice_colour("", near, today, sv.PENDING_ACK, 30) == sv.BLUE
    assert sv.notice_colour("", far, today, sv.PENDING_ACK, 30) == sv.NONE
    assert sv.notice_colour("", near, today, sv.PENDING_ACK, 3) == sv.NONE  # due_soon_days from settings
    assert sv.notice_colour("滞后", past, today, sv.CLOSED, 30) == sv.NONE
    assert sv.is_overdue(sv.IN_PROGRESS, past, today) and not sv.is_overdue(sv.CLOSED, past, today)


def test_numbers_per_year():
    assert sv.notice_number(2020, 12, "湛质督") == "湛质督〔2020〕12号"
    assert sv.notice_number(2020, 1) == "湛质督〔2020〕1号"  # prefix from settings.toml
    assert sv.next_seq([]) == 1 and sv.next_seq([1, 2, 7]) == 8


def test_item_keys():
    assert sv.item_key(sv.TARGET, "T05") == "target:T05"
    assert sv.item_key(sv.TARGET, "T05", "440802") == "target:T05:440802"
    assert sv.item_key(sv.TASK, 12) == "task:12"
    with pytest.raises(sv.SupervisionRefused):
        sv.item_key("district", 1)


def _statuses():
    ts = pd.DataFrame({"target_id": ["T01", "T02", "T03", "T04"], "name": ["甲", "乙", "丙", "丁"],
                       "lead_department": [AGRI, MARKET, AGRI, MARKET],
                       "status": ["正常", "预警", "滞后", "未完成"], "explanation": ["a", "b", "c", "d"]})
    ks = pd.DataFrame({"task_id": [1, 2, 3], "title": ["任务一", "任务二", "任务三"],
                       "lead_department": [AGRI, AGRI, MARKET], "status": ["逾期", "按期", "预警"],
                       "explanation": ["e", "f", "g"]})
    return ts, ks


def test_bulk_candidates_pick_warning_lagging_overdue_and_mark_open_ones():
    ts, ks = _statuses()
    out = sv.bulk_candidates(ts, ks, {"target:T03"})
    assert out["key"].tolist() == ["target:T02", "target:T03", "target:T04", "task:1", "task:3"]
    assert out["colour"].tolist() == [sv.YELLOW, sv.RED, sv.RED, sv.RED, sv.YELLOW]
    assert out["already_open"].tolist() == [False, True, False, False, False]
    assert out.set_index("key").loc["task:1", "department"] == AGRI


def test_bounded_text():
    assert sv.bounded_text("  好  ", 5, "反馈") == "好"
    with pytest.raises(sv.SupervisionRefused, match="请填写反馈"):
        sv.bounded_text("  ", 5, "反馈")
    with pytest.raises(sv.SupervisionRefused, match="最多 5 字"):
        sv.bounded_text("一二三四五六", 5, "反馈")


def test_summary_and_followup():
    t0 = datetime(2021, 1, 1, tzinfo=timezone.utc)
    df = pd.DataFrame({
        "state": [sv.CLOSED, sv.IN_PROGRESS, sv.PENDING_ACK, sv.PENDING_VERIFY],
        "colour": [sv.NONE, sv.RED, sv.BLUE, sv.RED],
        "overdue": [False, True, False, False],
        "created_at": [t0] * 4,
        "acknowledged_at": [t0 + timedelta(days=1), t0 + timedelta(days=3), pd.NaT, t0 + timedelta(days=2)],
        "closed_at": [t0 + timedelta(days=10), pd.NaT, pd.NaT, pd.NaT],
    })
    s = sv.summary(df)
    assert s["colours"] == {"红": 2, "黄": 0, "蓝": 1, "无": 1}
    assert s["states"][sv.CLOSED] == 1 and s["overdue"] == 1
    assert s["avg_days_to_ack"] == 2.0 and s["avg_days_to_close"] == 10.0
    f = sv.followup(df)
    assert (f["issued"], f["closed"], f["in_progress"], f["overdue"]) == (4, 1, 2, 1)
    assert f["sentence"] == "上次会议交办 4 项，已销号 1 项，办理中 2 项，逾期 1 项"
    assert sv.summary(df.iloc[:0])["avg_days_to_ack"] is None


def test_owed_cells_per_department():
    targets = pd.DataFrame({"id": ["T01", "T02"], "lead_department": [AGRI, MARKET],
                            "district_breakdown": [True, False]})
    tds = pd.DataFrame({"task_id": [1, 1], "department": [AGRI, MARKET], "department_kind": ["department"] * 2})
    expected = sv.expected_cells(targets, tds, ["赤坎区", "霞山区"])
    assert len(expected[expected["department"] == AGRI]) == 4  # T01 city + 2 districts + task 1
    received = pd.DataFrame({"kind": ["指标", "指标", "任务"], "item": ["T01", "T01", "1"],
                             "district": ["", "赤坎区", ""], "department": [AGRI, AGRI, MARKET]})
    out = sv.owed(expected, received).set_index("department")
    assert out.loc[AGRI, ["expected", "received", "missing"]].tolist() == [4, 2, 2]
    assert out.loc[AGRI, "missing_cells"] == "T01（霞山区）、任务1"
    assert out.loc[MARKET, "missing_cells"] == "T02"


def test_default_requirement_asks_for_causes_only_where_something_is_wrong():
    red = sv.default_requirement("T30 省级农业标准化示范区总数", "未完成", "目标期限已到", "2020Q4")
    blue = sv.default_requirement("任务5 质量基础设施", "正常", "领先 1 个百分点", "2020Q4")
    assert "查明原因" in red and "落实整改" in red
    assert "查明原因" not in blue and "办理期限临近" in blue and "佐证材料" in blue
