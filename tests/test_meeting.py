"""Meeting payloads, frozen snapshots, comparison between meetings and decisions."""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from sqlalchemy import insert

from core.meeting import compare_payloads, slides
from tests.meeting_samples import payload, rank, target, task, two_meetings

# --- Comparison on hand-built payloads -----------------------------------------------------------


def test_compare_finds_colour_changes_ranking_moves_and_red_items():
    before, after = two_meetings()
    c = compare_payloads(before, after)
    assert c["from"] == "七月督查会（2020-07-15）" and c["to"] == "十月督查会（2020-10-15）"
    got = {(x["id"], x["before"], x["after"], x["direction"]) for x in c["targets"]}
    assert got == {("T01", "滞后", "已达标", "好转"), ("T02", "正常", "滞后", "变差")}
    assert c["targets"][0]["id"] == "T02"  # worse changes first
    assert c["tasks"] == []  # task 3 stayed 逾期 though its percent moved
    moves = {m["name"]: (m["rank_before"], m["rank_after"], m["move"]) for m in c["ranking"]}
    assert moves == {"市A局": (1, 3, -2), "市B局": (2, 1, 1), "市C局": (3, 2, 1)}
    assert [r["id"] for r in c["new_red"]] == ["T02"]
    assert [r["id"] for r in c["closed_red"]] == ["T01"]


def test_compare_of_identical_meetings_is_empty_and_new_department_is_listed():
    before, _ = two_meetings()
    same = compare_payloads(before, copy.deepcopy(before))
    assert same["targets"] == same["tasks"] == same["ranking"] == same["new_red"] == same["closed_red"] == []
    later = payload(before["targets"], before["tasks"], [*before["ranking"], rank(4, "市D局", 60.0, "C")])
    moves = compare_payloads(before, later)["ranking"]
    assert moves == [{"name": "市D局", "rank_before": None, "rank_after": 4, "move": None,
                      "score_before": None, "score_after": 60.0}]


def test_changes_slide_opens_the_deck_only_when_there_was_an_earlier_meeting():
    before, after = two_meetings()
    assert [s.key for s in slides(before)] == ["overview", "red_list", "ranking", "districts", "due_soon", "decisions"]
    after["changes"] = compare_payloads(before, after)
    deck = slides(after)
    assert deck[0].key == "changes"
    assert deck[0].message == ("自 七月督查会（2020-07-15） 以来：1 项好转、1 项变差；新增红灯 1 项、消除红灯 1 项；"
                               "3 个部门排名变动")


def test_slide_messages_state_the_numbers():
    p = payload([target("T01", "滞后"), target("T02", "已达标"), target("T03", "未报送")],
                [task(1, "逾期", 10.0), task(2, "已完成", 100.0)], [rank(1, "市A局", 95.0, "A"), rank(2, "市B局", 40.0, "D")])
    msgs = {s.key: s.message for s in slides(p)}
    assert msgs["overview"] == "3 个指标中 1 个正常或已达标、1 个亮红灯；2 项任务中 1 项按进度推进、1 项亮红灯"
    assert msgs["red_list"].startswith("共 2 项亮红灯")
    assert msgs["ranking"] == "2 个部门参与排名：第一 市A局 95 分，末位 市B局 40 分"
    assert msgs["districts"] == "分区县指标正常及达标占比：最高 廉江市 100%，最低 赤坎区 20%"


# --- Live payloads and snapshots on the demo database --------------------------------------------


def _write_value(target_id: str, period: str, value: float) -> None:
    from db import models as m
    from db.current import refresh_submission
    from db.engine import bump_data_version, session_scope

    with session_scope() as session:
        sub = m.Submission(user_name="测试", period_code=period, source="cli", state="committed")
        session.add(sub)
        session.flush()
        session.execute(insert(m.IndicatorValue), [{"target_id": target_id, "district_adcode": None,
                                                    "period_code": period, "value": value, "submission_id": sub.id}])
        refresh_submission(session, sub.id)  # written around db.imports: the values in force kept by hand
        bump_data_version(session)


def _status(p: dict, target_id: str) -> str:
    return next(t["status"] for t in p["targets"] if t["id"] == target_id)


def test_live_payload_uses_the_status_engine_and_scoring(demo_db):
    from core.status import RED_LABELS
    from db import meetings, queries

    p = meetings.live_payload("2020Q3")
    assert len(p["targets"]) == len(queries.targets()) and len(p["tasks"]) == 30
    assert sum(c["count"] for c in p["overview"]["targets"]) == len(p["targets"])
    assert p["red_list"] and all(r["status"] in RED_LABELS for r in p["red_list"])
    assert {r["id"] for r in p["red_list"] if r["kind"] == "指标"} == \
        {t["id"] for t in p["targets"] if t["status"] in RED_LABELS}
    scores = [r["score"] for r in p["ranking"]]
    assert scores == sorted(scores, reverse=True) and p["ranking"][0]["rank"] == 1
    assert len(p["districts"]["rows"]) == 9
    assert p["is_demo"] is True
    json.dumps(p, ensure_ascii=False)  # the payload must freeze as JSON


def test_snapshot_stays_unchanged_after_a_new_value(demo_db):
    from db import meetings

    live = meetings.live_payload("2020Q3")
    lagging = next(t for t in live["targets"] if t["status"] in ("滞后", "预警"))
    sid = meetings.save_snapshot("七月督查会", date(2020, 7, 15), live, "督查办")
    frozen_before = meetings.load_snapshot(sid)

    _write_value(lagging["id"], "2020Q3", 1e6 if lagging["target_text"][0] != "≤" else 0.0)

    now = meetings.live_payload("2020Q3")
    assert _status(now, lagging["id"]) == "已达标"  # the new value counts live ...
    reopened = meetings.load_snapshot(sid)
    assert _status(reopened["payload"], lagging["id"]) == lagging["status"]  # ... but not in the frozen meeting
    assert reopened["payload"] == frozen_before["payload"]
    assert reopened["payload"]["meeting"] == {"name": "七月督查会", "date": "2020-07-15"}
    assert {**reopened["payload"], "meeting": None} == live  # exactly what was shown, plus its name and date
    # The next meeting opens with what changed since the frozen one.
    change = next(c for c in now["changes"]["targets"] if c["id"] == lagging["id"])
    assert (change["before"], change["after"], change["direction"]) == (lagging["status"], "已达标", "好转")
    assert now["changes"]["from"] == "七月督查会（2020-07-15）"


def test_snapshot_needs_a_name(demo_db):
    from db import meetings

    with pytest.raises(meetings.MeetingError, match="会议名称"):
        meetings.save_snapshot("  ", date(2020, 7, 15), {"period": "2020Q3"})
    assert meetings.list_snapshots().empty


def test_decisions_show_on_the_task_and_in_the_next_deck(demo_db):
    from db import meetings

    did = meetings.add_decision(5, "九月底前完成标准体系建设", "批示", "市长")
    on_task = meetings.decisions_for_task(5)
    assert on_task[["id", "kind", "text", "decided_by"]].values.tolist() == [[did, "批示", "九月底前完成标准体系建设", "市长"]]
    assert on_task["meeting_name"].isna().all()
    assert meetings.decisions_for_task(6).empty

    p = meetings.live_payload("2020Q3")
    assert [(d["task_id"], d["meeting"], d["kind"]) for d in p["decisions"]] == [(5, "本次会议", "批示")]
    sid = meetings.save_snapshot("七月督查会", date(2020, 7, 15), p)
    assert meetings.decisions_for_task(5)["meeting_snapshot_id"].tolist() == [sid]

    nxt = meetings.live_payload("2020Q4")
    row = nxt["decisions"][0]
    assert (row["meeting"], row["text"]) == ("七月督查会", "九月底前完成标准体系建设")
    assert row["task_status"] == next(t["status"] for t in nxt["tasks"] if t["id"] == 5)


def test_decision_refuses_empty_text_unknown_kind_and_task(demo_db):
    from db import meetings

    with pytest.raises(meetings.MeetingError, match="内容"):
        meetings.add_decision(5, "   ")
    with pytest.raises(meetings.MeetingError, match="类型"):
        meetings.add_decision(5, "内容", "通知")
    with pytest.raises(meetings.MeetingError, match="没有任务 99"):
        meetings.add_decision(99, "内容")
    assert meetings.all_decisions().empty
