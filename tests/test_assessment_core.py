"""core/assessment.py: the annual roll-up, caps, veto, grades, ties and 样本不足 (pure, no database)."""
from __future__ import annotations

import pytest

from core.assessment import (
    BONUS,
    PENALTY,
    UNRANKED_SAMPLE,
    Adjustment,
    AssessmentInputError,
    DepartmentYear,
    annual_rule_text,
    assess,
    assess_year,
    clean_score,
    clean_text,
    load_annual_rule,
    rollup,
)

RULE = load_annual_rule()
Q = {"2020Q1": 80.0, "2020Q2": 80.0, "2020Q3": 80.0, "2020Q4": 90.0}


def dept(name="甲", quarters=Q, items=5, adjustments=(), veto=None, self_score=None):
    return DepartmentYear(name, 2020, quarters, items, tuple(adjustments), veto, self_score)


def adj(kind, points, code=None, withdrawn=False, i=0):
    return Adjustment(i, kind, code or ("B1" if kind == BONUS else "P1"), "项", points, "理由", withdrawn=withdrawn)


def test_rule_read_from_scoring_toml():
    assert RULE.quarter_weights == {1: 1.0, 2: 1.0, 3: 1.0, 4: 2.0}
    assert max(RULE.quarter_weights, key=RULE.quarter_weights.get) == 4  # year-end weighs most
    assert RULE.bonus_cap == 5 and RULE.penalty_cap == 20 and RULE.min_items == 2 and RULE.veto_grade == "D"
    assert [i.code for i in RULE.penalty_items] == ["P1", "P2", "P3"]


def test_rollup_weights_q4_double_and_skips_quarters_without_score():
    assert rollup(Q, RULE) == 84.0  # (80*3 + 90*2) / 5
    assert rollup({**Q, "2020Q2": None}, RULE) == pytest.approx(85.0)  # (80*2 + 90*2) / 4
    assert rollup({k: None for k in Q}, RULE) is None


def test_final_is_rollup_minus_penalty_plus_bonus_and_every_line_adds_up():
    r = assess(dept(adjustments=[adj(PENALTY, 2), adj(PENALTY, 5, "P2"), adj(BONUS, 3)]))
    assert (r.rollup, r.penalty, r.bonus, r.final, r.grade) == (84.0, 7.0, 3.0, 80.0, "B")
    assert r.equation == "84.0 − 7.0 + 3.0 = 80.0"
    assert r.lines[-1] == "最终得分 = 汇总分 84.0 − 扣分 7.0 + 加分 3.0 = 80.0"
    assert "(2020Q1 80.0×1 + 2020Q2 80.0×1 + 2020Q3 80.0×1 + 2020Q4 90.0×2) ÷ 5 = 84.0" in r.lines[0]


def test_caps_limit_counted_points_and_say_so():
    r = assess(dept(adjustments=[adj(BONUS, 3), adj(BONUS, 3, "B1"), adj(PENALTY, 5)]))
    assert (r.bonus_recorded, r.bonus) == (6.0, 5.0)
    assert r.final == 84.0 - 5 + 5
    assert any("超过全年上限 5 分，按 5.0 分计" in line for line in r.lines)
    many = assess(dept(adjustments=[adj(PENALTY, 5, "P3", i=i) for i in range(6)]))
    assert (many.penalty_recorded, many.penalty, many.final) == (30.0, 20.0, 64.0)


def test_withdrawn_items_are_kept_but_not_counted():
    r = assess(dept(adjustments=[adj(PENALTY, 5, "P2", withdrawn=True), adj(PENALTY, 2)]))
    assert (r.penalty, r.final) == (2.0, 82.0)


def test_score_is_kept_within_0_and_100():
    r = assess(dept(quarters={k: 99.0 for k in Q}, adjustments=[adj(BONUS, 3), adj(BONUS, 2, "B2")]))
    assert r.final == 100.0 and "按 100.0 分计" in r.lines[-1]


def test_veto_forces_grade_d_and_ranks_last():
    results = assess_year([dept("甲", quarters={k: 98.0 for k in Q}, veto="辖区发生系统性质量安全事件"),
                           dept("乙"), dept("丙", quarters={k: 60.0 for k in Q})])
    vetoed = next(r for r in results if r.department == "甲")
    assert vetoed.final == 98.0 and vetoed.grade == "D" and vetoed.veto
    assert vetoed.grade_text == "D（一票否决）" and vetoed.rank == 3
    assert [r.department for r in results] == ["乙", "丙", "甲"]


def test_ties_share_a_rank_and_say_so():
    results = assess_year([dept("甲"), dept("乙"), dept("丙", quarters={k: 70.0 for k in Q})])
    tie = "并列第1名，2个部门"  # core.ranking's words, as the quarterly ranking says them
    assert [(r.rank, r.rank_text) for r in results] == [(1, tie), (1, tie), (3, "第3名")]
    assert results[-1].department == "丙"


def test_too_few_items_is_not_ranked():
    results = assess_year([dept("甲", items=1, quarters={k: 100.0 for k in Q}), dept("乙")])
    single = next(r for r in results if r.department == "甲")
    assert single.rank is None and single.rank_text == UNRANKED_SAMPLE and single.grade == "A"
    assert next(r for r in results if r.department == "乙").rank == 1
    assert any("样本不足" in line for line in single.lines)


def test_grade_bands_as_quarterly():
    for score, grade in ((90.0, "A"), (89.9, "B"), (80.0, "B"), (79.9, "C"), (60.0, "C"), (59.9, "D")):
        assert assess(dept(quarters={k: score for k in Q})).grade == grade


def test_rule_text_uses_the_numbers():
    text = "\n".join(annual_rule_text(RULE))
    assert "第四季度 2 份" in text and "少于 2 项" in text and "最多计 5 分" in text and "最多计 20 分" in text
    assert "A ≥ 90" in text and "等级为 D" in text and "P2 报送数据经核查不实，每项扣 5 分" in text


def test_text_and_score_checks_give_chinese_messages():
    assert clean_text("  好\x00的 \n", "reason") == "好的"
    with pytest.raises(AssessmentInputError, match="请填写理由"):
        clean_text("   ", "reason")
    with pytest.raises(AssessmentInputError, match="最多 500 个字"):
        clean_text("字" * 501, "reason")
    assert clean_score("88.34") == 88.3
    for bad in ("abc", 101, -1, float("nan"), None, " "):
        with pytest.raises(AssessmentInputError, match="0 到 100"):
            clean_score(bad)
    with pytest.raises(AssessmentInputError, match="不是 scoring.toml 中列出的扣分项"):
        RULE.item(PENALTY, "P9")
