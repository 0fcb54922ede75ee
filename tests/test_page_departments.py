"""AppTest of 部门记分卡 on the demo database."""
from __future__ import annotations

import pytest

PAGE = "pages/departments.py"


@pytest.fixture
def board(demo_db):
    from services.scoring import scoreboard

    return scoreboard("2020Q4")


def ranking_table(at):
    return next(df.value for df in at.dataframe if "名次" in df.value.columns and "部门" in df.value.columns)


def all_markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_ranking_for_2020q4_lists_every_department_with_grade(app_test, board):
    from db import queries

    at = app_test(PAGE)
    assert not at.exception
    assert at.title[0].value == "部门记分卡"
    assert "部门排名（2020Q4）" in [s.value for s in at.subheader]
    table = ranking_table(at)
    departments = queries.departments()
    assert len(table) == (departments["kind"] == "department").sum() == 38
    names = table["部门"].str.replace(" ★进步最大", "", regex=False).tolist()
    assert names == board.ranking["name"].tolist()
    assert table["等级"].str[-1].isin(list("ABCD")).all()
    assert table["得分"].tolist() == board.ranking["score"].tolist()
    missing = table[table["报送情况"] == "未报送"]
    assert len(missing) == 3  # the demo's departments that skipped 2020Q4
    assert "badge[演示数据]" in all_markdown(at)
    # Whether anyone improved depends on the demo (registered baselines and 待核验 move 2020Q4 scores).
    from core.scoring import most_improved

    expected = "进步最大" if most_improved(board.ranking) else "本期没有得分上升的单位"
    assert any(expected in s.value for s in at.success)


def test_rule_in_words_is_on_the_page(app_test):
    at = app_test(PAGE)
    text = all_markdown(at)
    assert "(a) 牵头指标 35 分" in text and "A ≥ 90" in text and "0.3 份" in text


def test_selecting_a_department_shows_its_breakdown_and_bookmarks_it(app_test, board):
    at = app_test(PAGE)
    at.selectbox(key="dept").select("市生态环境局").run()
    assert not at.exception
    assert at.query_params["dept"] == "市生态环境局"
    s = board.score_of("市生态环境局")
    text = all_markdown(at)
    assert s.deductions and all(d.text in text for d in s.deductions)
    breakdown = next(df.value for df in at.dataframe if "考核项" in df.value.columns)
    assert breakdown["扣分"].sum() == pytest.approx(100 - s.score, abs=0.05)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["得分"] == f"{s.score:.1f}" and metrics["等级"] == s.grade
    subs = next(df.value for df in at.dataframe if "及时性" in df.value.columns)
    assert len(subs) == 12 and set(subs["及时性"]) <= {"按时"} | {f"逾期 {n} 天" for n in range(1, 30)}


def test_bookmarked_department_opens_directly(app_test, board):
    at = app_test(PAGE, dept="市水务局")
    assert at.selectbox(key="dept").value == "市水务局"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["2020Q4 报送"] == "未报送"
    assert "2020Q4 报送 未报送" in all_markdown(at)


def test_matrix_county_ranking_and_download_present(app_test, board):
    at = app_test(PAGE)
    assert len(at.get("vega_lite_chart")) >= 3  # targets matrix, tasks matrix, department trend
    county = next(df.value for df in at.dataframe if "区县" in df.value.columns and "名次" in df.value.columns)
    assert county["区县"].str.replace(" ★进步最大", "", regex=False).tolist() == board.county_ranking["name"].tolist()
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["下载通报（Excel）", "下载通报（Word 公文）"]


def test_ties_are_shown_whole(app_test, board):
    at = app_test(PAGE)
    table = ranking_table(at)
    # The demo's largest tie and a rank held alone, from the board itself (the demo moves with the rules).
    counts = board.ranking["rank"].value_counts()
    rank, n = int(counts.idxmax()), int(counts.max())
    alone = int(counts[counts == 1].index.min())
    score = board.ranking.loc[board.ranking["rank"] == rank, "score"].iloc[0]
    tied = table[table["名次"] == rank]
    assert n > 1 and len(tied) == n and set(tied["并列"]) == {f"并列第{rank}名，{n}个部门"}
    assert (table.loc[table["名次"] == alone, "并列"] == "").all()  # a rank held alone says nothing more
    caption = next(c.value for c in at.caption if c.value.startswith("同分并列"))
    names = "、".join(tied["部门"].str.replace(" ★进步最大", "", regex=False))
    assert f"并列第{rank}名（{n}个部门，{score:.1f}分）：{names}" in caption


def test_word_bulletin_download_builds_the_period_document(demo_db, board):
    import io

    from docx import Document

    from components.scorecard_export import _docx

    doc = Document(io.BytesIO(_docx(board, True)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "关于2020年第四季度全市质量提升行动工作进展情况的通报" in text and "演示数据" in text
    assert f"本期{len(board.ranking)}个部门参与排名" in text


def test_red_only_filter_narrows_the_matrix(app_test):
    at = app_test(PAGE)
    before = next(c.value for c in at.caption if c.value.startswith("当前显示"))
    at.toggle(key="sc_red_only").set_value(True).run()
    after = next(c.value for c in at.caption if c.value.startswith("当前显示"))
    assert before != after
    cells = lambda text: int(text.split("、")[1].split(" ")[0])  # noqa: E731
    assert 0 < cells(after) < cells(before)


def test_changing_period_rescores(app_test):
    at = app_test(PAGE, period="2020Q3")
    assert not at.exception
    assert "部门排名（2020Q3）" in [s.value for s in at.subheader]
    from services.scoring import scoreboard

    assert ranking_table(at)["得分"].tolist() == scoreboard("2020Q3").ranking["score"].tolist()
