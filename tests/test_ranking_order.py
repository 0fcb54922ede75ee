"""Ties said whole and red lists in severity order (core.ranking, core.red_order), and where they show."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from docx import Document

from core.meeting import red_list
from core.meeting_charts import ranking_parts
from core.meeting_deck import followup_message
from core.notice_docx import NoticeError, notices_docx
from core.ranking import head_with_ties, rank_text, rank_texts, tail_with_ties, tie_counts, tie_groups
from core.red_order import natural_key, shortfall
from tests.meeting_samples import payload, rank, target, task


def test_tie_counts_and_texts():
    ranks = [1, 2, 2, 4, 5, 5, 5]
    assert tie_counts(ranks) == [1, 2, 2, 1, 3, 3, 3]
    assert rank_texts(ranks)[:3] == ["第1名", "并列第2名，2个部门", "并列第2名，2个部门"]
    assert rank_text(22, 8) == "并列第22名，8个部门" and rank_text(3, 1, "区县") == "第3名"


def test_cuts_never_split_a_tie():
    rows = [{"rank": r, "name": f"部门{i}", "score": 100 - r} for i, r in enumerate([1, 2, 3, 3, 3, 6, 7, 7])]
    assert [r["name"] for r in head_with_ties(rows, 3)] == ["部门0", "部门1", "部门2", "部门3", "部门4"]
    assert [r["name"] for r in tail_with_ties(rows, 2)] == ["部门6", "部门7"]
    assert [r["name"] for r in tail_with_ties(rows, 4)] == ["部门2", "部门3", "部门4", "部门5", "部门6", "部门7"]
    assert tie_groups(rows)[0] == "并列第3名（3个部门，97分）：部门2、部门3、部门4"


def test_bottom_ten_chart_holds_every_tied_department():
    # 2020Q4's shape: 38 departments, 8 tied at 46.2 on places 22-29, so the tie reaches into the last ten.
    scores = [100 - i for i in range(21)] + [46.2] * 8 + [40 - i for i in range(9)]
    rows, pos = [], 1
    for i, s in enumerate(scores):
        pos = pos if i and s == scores[i - 1] else i + 1
        rows.append(rank(pos, f"部门{i:02d}", s))
    p = payload([], [], rows)
    top, bottom = ranking_parts(p)
    shown = bottom.data if isinstance(bottom.data, pd.DataFrame) else bottom.layer[0].data
    tied = [r["name"] for r in rows if r["rank"] == 22]
    assert len(tied) == 8 and set(tied) <= set(shown["name"])  # all eight shown, not the one in the last ten
    assert len(shown) == 17 and len(top.data if isinstance(top.data, pd.DataFrame) else top.layer[0].data) == 10
    assert shown["label"].str.contains("（并列）").sum() == 8


def test_red_list_worst_first_then_furthest_behind_then_number_as_number():
    targets = [dict(target("T11", "滞后"), behind=0.2), dict(target("T02", "滞后"), behind=0.2),
               dict(target("T05", "未完成"), behind=0.1), dict(target("T07", "滞后"), behind=0.4)]
    tasks = [dict(task(11, "逾期"), behind=0.5), dict(task(2, "逾期"), behind=0.5), dict(task(3, "预警"), behind=0.9)]
    order = [r["id"] for r in red_list(targets, tasks)]
    assert order == ["T05", "任务2", "任务11", "T07", "T02", "T11"]  # 预警 is not red
    assert natural_key("任务2") < natural_key("任务11")
    assert shortfall(60.0, 80.0) == 0.25 and shortfall(12.0, 10.0, lower_is_better=True) == 0.2
    assert shortfall(None, 10.0) is None


def test_live_2020q4_red_list_starts_with_failed_targets(demo_db):
    from db.document_reads import period_payload

    red = period_payload("2020Q4")["red_list"]
    statuses = [r["status"] for r in red]
    first_other = next(i for i, s in enumerate(statuses) if s != "未完成")
    assert first_other >= 8 and set(statuses[first_other:]) <= {"逾期", "滞后"}
    assert all(r["kind"] == "指标" for r in red[:first_other])
    behind = [r["behind"] for r in red[:first_other]]
    assert behind == sorted(behind, reverse=True)


def test_followup_message_counts_each_state():
    rows = [{"status": "已销号"}, {"status": "办理中"}, {"status": "逾期"}, {"status": "已销号"}]
    assert followup_message(rows) == "上次会议交办 4 项，已销号 2 项，办理中 1 项，逾期 1 项"


NOTICES = [
    {"number": "督办〔2020〕7号", "department": "市市场监管局", "item": "T23 规上工业企业质量管理体系认证率",
     "requirement": "对照序时进度补齐差距，报送整改方案", "due": "2021年1月31日", "colour": "红"},
    {"number": "督办〔2020〕8号", "department": "市市场监管局", "item": "任务2 质量基础设施建设",
     "requirement": "明确完成时限", "due": "2021年2月15日", "colour": "黄色", "basis": "十月督查会决定"},
]


def test_notices_one_page_each_with_signoff():
    doc = Document(io.BytesIO(notices_docx(NOTICES, "督办单")))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert text.count("湛江市质量提升行动督办单") == 2 and text.count("签收人") == 2
    for n in NOTICES:
        assert n["number"] in text and n["item"] in cells and n["due"] in cells
    assert "红色督办" in cells and "黄色督办" in cells and "十月督查会决定" in cells


def test_notice_with_a_missing_field_is_refused_by_name():
    with pytest.raises(NoticeError, match="第 1 份催办通知.*办结期限"):
        notices_docx([dict(NOTICES[0], due="")], "催办通知")
    with pytest.raises(NoticeError, match="督办等级"):
        notices_docx([dict(NOTICES[0], colour="紫")])


def test_bulletin_names_reminder_counts_when_the_supervision_loop_gives_them(demo_db):
    from datetime import date

    from core.bulletin_docx import bulletin_docx, bulletin_figures
    from db.document_reads import bulletin_inputs

    board, payload, demo = bulletin_inputs("2020Q4")
    chased = {"市市场监管局": 3, "市水务局": 1, "市教育局": 0}
    doc = Document(io.BytesIO(bulletin_docx(board, payload, date(2021, 1, 20), demo, reminders=chased)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本期被催办的单位：市市场监管局（催办3次）、市水务局（催办1次）。" in text and "市教育局（催办" not in text
    assert bulletin_figures(board, payload, reminders=chased)["市市场监管局:催办"] == "3"
    plain = Document(io.BytesIO(bulletin_docx(board, payload, date(2021, 1, 20), demo)))
    assert "催办" not in "\n".join(p.text for p in plain.paragraphs)
