"""AppTest of 会议模式: slides, paging, freezing, reopening a frozen meeting after new data."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import insert

from tests.auth_fixtures import accounts, run_as, token_for  # noqa: F401  (accounts: fixture)


def _slide_text(at) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def _charts(at) -> list:
    return at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def _pages(period: str = "2020Q4") -> int:
    """Screens of the live deck: the slides, long tables in pages of SCREEN_ROWS rows."""
    from components.meeting_slides import deck
    from db import meetings

    return len(deck(meetings.live_payload(period)))


def test_slides_render_and_page_with_next_and_previous(app_test):
    at = app_test("pages/meeting.py")
    assert not at.exception
    assert at.title[0].value == "会议模式"
    n = _pages()
    from components.meeting_slides import CHARTS, SCREEN_ROWS, slide_table, slides
    from db import meetings

    payload = meetings.live_payload("2020Q4")
    rows = {x.key: 0 if x.key in CHARTS else len(slide_table(x.key, payload)) for x in slides(payload)}
    assert max(rows.values()) > SCREEN_ROWS  # 2020Q4's red list does not fit one screen: it continues
    assert n == 1 + sum(max(1, -(-k // SCREEN_ROWS)) for k in rows.values())  # title + every row on a page
    assert "湛江市质量提升行动督查会议" in _slide_text(at) and f"第 1 / {n} 页" in _slide_text(at)
    assert at.button(key="mt_prev").disabled
    at.button(key="mt_next").click().run()
    text = _slide_text(at)
    assert "总体情况" in text and "个指标中" in text and f"第 2 / {n} 页" in text
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) == 2  # targets and tasks
    at.button(key="mt_next").click().run()
    assert f"红色清单（共 {len(payload['red_list'])} 项）" in _slide_text(at) and "mt-table" in _slide_text(at)
    assert _slide_text(at).count("<tr>") == 1 + 8 and "另有" not in _slide_text(at)
    first = _slide_text(at)
    assert first.count("<td>未完成</td>") == 8  # the worst come first: the 未完成 targets reach the projector
    at.button(key="mt_next").click().run()
    assert "红色清单（续）第 9–16 项" in _slide_text(at)
    at.button(key="mt_prev").click().run()
    at.button(key="mt_prev").click().run()
    assert f"第 2 / {n} 页" in _slide_text(at)
    assert all("windowSize()" not in c.proto.spec for c in _charts(at))  # the preview keeps the built sizes
    # Presenting hides everything but the slide.
    at.button(key="mt_start").click().run()
    assert not at.title and "display: none" in _slide_text(at) and f"第 1 / {n} 页" in _slide_text(at)
    at.button(key="mt_next").click().run()
    specs = [json.loads(c.proto.spec) for c in _charts(at)]
    # On the projector the charts' type grows with the screen height like the slides' vh-sized type.
    assert len(specs) == 2 and all({"name": "mt_type_scale", "expr": "clamp(windowSize()[1] / 720, 1, 1.6)"}
                                   in s["params"] for s in specs)
    assert specs[0]["config"]["title"]["fontSize"] == {"expr": "20 * mt_type_scale"}
    at.button(key="mt_stop").click().run()
    assert at.title[0].value == "会议模式"


def test_freeze_creates_a_snapshot_that_reopens_as_shown_after_new_data(accounts):  # noqa: F811
    from db import meetings
    from db import models as m
    from db.current import refresh_submission
    from db.engine import bump_data_version, session_scope

    at = run_as(token_for(accounts["admin"]), "pages/meeting.py")
    at.button(key="mt_next").click().run()
    shown = next(h.proto.body for h in at.get("html") if "个指标中" in h.proto.body)
    at.text_input(key="mt_name").input("七月督查会")
    at.date_input(key="mt_date").set_value(date(2020, 7, 15))
    at.button(key="FormSubmitter:mt_freeze_form-保存为会议快照").click().run()
    assert not at.exception
    snaps = meetings.list_snapshots()
    assert snaps["name"].tolist() == ["七月督查会"] and str(snaps["meeting_date"][0])[:10] == "2020-07-15"
    assert snaps["created_by"].tolist() == [accounts["admin"]]  # the logged-in account, not a typed name
    assert any("已保存会议快照“七月督查会”" in s.value for s in at.success)
    assert at.radio(key="mt_source").value == "会议快照"

    # New data: every red target of the period is now met.
    payload = meetings.load_snapshot(int(snaps["id"][0]))["payload"]
    red = [t["id"] for t in payload["targets"] if t["status"] in ("滞后", "未完成")]
    assert red
    with session_scope() as session:
        sub = m.Submission(user_name="测试", period_code=payload["period"], source="cli", state="committed")
        session.add(sub)
        session.flush()
        session.execute(insert(m.IndicatorValue), [
            {"target_id": t, "district_adcode": None, "period_code": payload["period"],
             "value": 0.0 if next(x for x in payload["targets"] if x["id"] == t)["target_text"].startswith("≤")
             else 1e6, "submission_id": sub.id} for t in red])
        refresh_submission(session, sub.id)  # written around db.imports: the values in force kept by hand
        bump_data_version(session)

    at.run()  # still on slide 2, now of the frozen meeting
    assert shown in _slide_text(at)  # unchanged by the new data
    at.radio(key="mt_source").set_value("实时数据").run()
    live = _slide_text(at)
    # The live deck now opens (after the title) with what changed since the frozen meeting.
    assert f"第 2 / {_pages(payload['period'])} 页" in live and "较上次会议的变化" in live and "自 七月督查会（2020-07-15） 以来" in live
    for _ in range(_pages(payload["period"])):  # past the changes (paged when long) to the overview
        at.button(key="mt_next").click().run()
        if "<div class='mt-title'>总体情况" in _slide_text(at):
            break
    live_overview = _slide_text(at)
    assert "总体情况" in live_overview and shown not in live_overview  # live counts moved, the frozen ones did not

def test_decision_is_recorded_against_a_task(accounts):  # noqa: F811
    from db import meetings

    at = run_as(token_for(accounts["admin"]), "pages/meeting.py")
    at.selectbox(key="mt_dec_task").set_value(7)
    at.radio(key="mt_dec_kind").set_value("批示")
    at.text_area(key="mt_dec_text").input("本季度内完成")
    assert not [t for t in at.text_input if t.key == "mt_dec_by"]  # the recorder is never typed
    at.button(key="FormSubmitter:mt_decision_form-记录").click().run()
    assert not at.exception
    got = meetings.decisions_for_task(7)
    assert got[["kind", "text", "decided_by"]].values.tolist() == [["批示", "本季度内完成", accounts["admin"]]]
    assert any("已记录对任务 7 的批示" in s.value for s in at.success)


def test_task_detail_block_lists_the_decisions_of_that_task(demo_db):
    from streamlit.testing.v1 import AppTest

    from db import meetings

    meetings.add_decision(4, "下月底前完成验收", "决定", "常务副市长")

    def block():
        from components.meeting_decisions import render_task_decisions

        render_task_decisions(4)
        render_task_decisions(5)

    at = AppTest.from_function(block, default_timeout=30).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table[["会议", "类型", "内容", "记录人"]].values.tolist() == [["本次会议（未归档）", "决定", "下月底前完成验收", "常务副市长"]]
    assert len(at.dataframe) == 1 and "尚未对该任务作出决定" in at.caption[0].value
