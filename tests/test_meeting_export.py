"""The meeting deck as PPTX, print-ready HTML and Excel, opened and read back."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from core.meeting import compare_payloads, slides
from core.meeting_export import deck_html, deck_pptx, summary_xlsx
from tests.meeting_samples import two_meetings

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def meeting() -> dict:
    before, after = two_meetings()
    after["changes"] = compare_payloads(before, after)
    after["decisions"] = [{"id": 1, "task_id": 3, "task_title": "任务标题3", "kind": "批示", "text": "十月底前补齐进度",
                           "decided_by": "市长", "decided_at": "2020-07-15", "meeting": "七月督查会",
                           "task_status": "逾期", "task_color": "#82071e"}]
    return after


@pytest.fixture(scope="module")
def pptx(meeting) -> Presentation:
    return Presentation(io.BytesIO(deck_pptx(meeting)))


def title_of(slide) -> str:
    """Our slides have no placeholders: the title is the text box named 标题."""
    return next(sh.text_frame.text for sh in slide.shapes if sh.name == "标题")


def test_pptx_has_a_title_slide_and_one_slide_per_message(pptx, meeting):
    expected = [s.title for s in slides(meeting)]
    titles = [title_of(s) for s in pptx.slides]
    assert titles == ["十月督查会", *expected]
    assert expected[0] == "较上次会议的变化"  # the next meeting opens with what changed
    assert len(pptx.slides) == 8
    assert all(not s.placeholders for s in pptx.slides)  # no 4:3 placeholders left on the 16:9 slides
    texts = " ".join(sh.text_frame.text for sh in pptx.slides[0].shapes if sh.has_text_frame)
    assert "会议日期：2020-10-15" in texts and "2020Q3" in texts


def test_pptx_chart_slides_carry_png_images(pptx):
    by_title = {title_of(s): s for s in pptx.slides}
    for title in ("总体情况", "部门排名", "区县情况"):
        pics = [sh for sh in by_title[title].shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pics) == 1, title
        assert pics[0].image.blob.startswith(PNG) and len(pics[0].image.blob) > 20_000
        assert pics[0].width <= pptx.slide_width


def test_pptx_tables_hold_the_frozen_rows(pptx):
    by_title = {title_of(s): s for s in pptx.slides}
    red = next(sh for sh in by_title["红色清单"].shapes if sh.has_table).table
    assert [red.cell(0, j).text for j in range(4)] == ["事项", "牵头部门", "状态", "说明"]
    # Worst status first: 逾期 before 滞后.
    assert [(red.cell(i, 0).text, red.cell(i, 2).text) for i in (1, 2)] == [("任务3 任务标题3", "逾期"),
                                                                           ("T02 指标T02", "滞后")]
    changes = next(sh for sh in by_title["较上次会议的变化"].shapes if sh.has_table).table
    cells = [changes.cell(i, 2).text for i in range(1, len(changes.rows))]
    assert "正常 → 滞后" in cells and "第 1 名 → 第 3 名（95 → 80 分）" in cells
    decided = next(sh for sh in by_title["会议决定与批示"].shapes if sh.has_table).table
    assert decided.cell(1, 2).text == "十月底前补齐进度" and decided.cell(1, 4).text == "逾期"


def test_html_is_print_ready_and_self_contained(meeting):
    page = deck_html(meeting)
    for s in slides(meeting):
        assert f"<h2>{s.title}</h2>" in page and s.message in page
    assert page.count("<section>") == 1 + len(slides(meeting))
    assert "@page" in page and "break-after: page" in page
    assert page.count('src="data:image/png;base64,') == 3
    assert "http://" not in page and "https://" not in page  # nothing to fetch on the intranet


def test_excel_summary_reads_back(meeting):
    wb = load_workbook(io.BytesIO(summary_xlsx(meeting)))
    assert wb.sheetnames == ["概况", "指标状态", "任务状态", "红色清单", "部门排名", "区县情况", "临期任务",
                             "会议决定与批示", "较上次会议的变化"]
    targets = list(wb["指标状态"].iter_rows(values_only=True))
    assert targets[0][:2] == ("编号", "指标") and [r[6] for r in targets[1:]] == ["已达标", "滞后", "已达标"]
    ranking = list(wb["部门排名"].iter_rows(values_only=True))
    assert ranking[0][:3] == ("名次", "并列", "部门") and ranking[1][:4] == (1, None, "市B局", 92)
    info = {r[0]: r[1] for r in wb["概况"].iter_rows(min_row=2, values_only=True)}
    assert info["会议"] == "十月督查会" and info["部门排名"].startswith("3 个部门参与排名")


def test_followup_slide_opens_the_deck_when_rows_are_given(meeting):
    rows = [{"number": "督2020-01", "item": "补齐任务3进度", "department": "市发展和改革局", "status": "已销号",
             "due": "2020-09-30"},
            {"number": "督2020-02", "item": "T02 追赶序时进度", "department": "市市场监管局", "status": "逾期",
             "due": "2020-09-30"}]
    deck = Presentation(io.BytesIO(deck_pptx(meeting, followups=rows)))
    slide = deck.slides[1]
    texts = {sh.name: sh.text_frame.text for sh in slide.shapes if sh.has_text_frame}
    assert texts["标题"] == "上次会议交办事项办理情况"
    assert texts["要点"] == "上次会议交办 2 项，已销号 1 项，办理中 0 项，逾期 1 项"
    table = next(sh for sh in slide.shapes if sh.has_table).table
    assert [table.cell(i, 0).text for i in (1, 2)] == ["督2020-01", "督2020-02"]
    assert len(deck.slides) == 9  # without rows the deck has no such slide (8)


def test_long_tables_continue_on_the_next_slide(meeting):
    many = dict(meeting, red_list=[dict(meeting["red_list"][0], id=f"T{i:02d}", explanation="说明" * 30)
                                   for i in range(1, 25)])
    deck = Presentation(io.BytesIO(deck_pptx(many)))
    red = [s for s in deck.slides if title_of(s).startswith("红色清单")]
    assert len(red) > 1 and title_of(red[0]) == "红色清单（共 24 项）" and "（续）" in title_of(red[1])
    ids = [t.cell(i, 0).text.split()[0] for s in red for t in [next(sh for sh in s.shapes if sh.has_table).table]
           for i in range(1, len(t.rows))]
    assert ids == [f"T{i:02d}" for i in range(1, 25)]  # every row once, in order
