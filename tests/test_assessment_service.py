"""年度考核 through services.assessment on the demo database: the arithmetic of every demo year, veto, lock,
appeals, and authorisation re-checked inside each write (token, active account, role, department)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from core.assessment import BONUS, PENALTY, UPHELD, WITHDRAWN, AssessmentInputError, load_annual_rule
from db import models as m
from db.engine import session_scope
from services import assessment as svc
from services.assessment import AssessmentRefused
from tests.auth_fixtures import AGRI, MARKET, accounts, token_for  # noqa: F401

RULE = load_annual_rule()


def _count(model) -> int:
    with session_scope() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def _result(year: int, department: str):
    return svc.annual_view(year).result(department)


@pytest.fixture
def tokens(accounts):  # noqa: F811
    return {k: token_for(v) for k, v in accounts.items()}


def test_every_demo_department_and_year_adds_up(demo_db):
    checked = 0
    for year in (2019, 2020):
        view = svc.annual_view(year)
        adj = view.adjustments[~view.adjustments["withdrawn"]]
        records = {r["department"]: r for r in view.records.to_dict("records")}
        for r in view.results:
            assert r.final is not None  # every demo department has something to assess in both years
            mine = adj[adj["department"] == r.department]
            assert r.penalty == min(round(mine.loc[mine["kind"] == PENALTY, "points"].sum(), 1), RULE.penalty_cap)
            assert r.bonus == min(round(mine.loc[mine["kind"] == BONUS, "points"].sum(), 1), RULE.bonus_cap)
            assert r.final == round(min(100, max(0, r.rollup - r.penalty + r.bonus)), 1)
            assert r.equation == f"{r.rollup:.1f} − {r.penalty:.1f} + {r.bonus:.1f} = {r.final:.1f}"
            expected = "D" if r.veto else RULE.quarterly.grade(r.final)
            assert r.grade == expected
            weights = {q: RULE.quarter_weights[int(q[-1])] for q, s in r.quarter_scores.items() if s is not None}
            rollup = sum(r.quarter_scores[q] * w for q, w in weights.items()) / sum(weights.values())
            assert r.rollup == pytest.approx(rollup, abs=0.05)
            rec = records.get(r.department)
            if rec is not None and rec["locked"]:  # a decided year keeps what it was decided with
                assert (rec["final_score"], rec["final_grade"]) == (r.final, r.grade)
                assert rec["frozen_rollup"] == r.rollup
            checked += 1
        ranked = [r for r in view.results if r.rank is not None]
        assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)
        assert all(r.items >= RULE.min_items for r in ranked)
        assert any(r.rank_text == "样本不足（不排名）" for r in view.results)  # the one-item departments
    assert checked == 2 * 38


def test_demo_years_hold_bonuses_penalties_one_veto_one_answered_appeal(demo_db):
    y2019, y2020 = svc.annual_view(2019), svc.annual_view(2020)
    assert y2019.records["locked"].all() and len(y2019.records) == 38
    assert not y2020.records["locked"].any()
    both = [y2019.adjustments, y2020.adjustments]
    assert sum((a["kind"] == BONUS).sum() for a in both) >= 3 and sum((a["kind"] == PENALTY).sum() for a in both) >= 3
    assert len(y2019.vetoes) + len(y2020.vetoes) == 1
    vetoed = [r for r in y2020.results if r.veto]
    assert len(vetoed) == 1 and vetoed[0].grade_text == "D（一票否决）"
    appeals = [a for a in both if a["appeal_id"].notna().any()]
    appeal = appeals[0][appeals[0]["appeal_id"].notna()].iloc[0]
    assert len(appeals) == 1 and appeal["appeal_outcome"] == UPHELD and appeal["appeal_answer"]
    texts = [*y2019.adjustments["reason"], appeal["appeal_reason"], *y2020.vetoes["reason"]]
    assert all("演示数据" in t for t in texts)
    assert y2019.demo and y2020.demo


def test_a_veto_forces_d_and_lifting_it_restores_the_grade(tokens):
    best = next(r for r in svc.annual_view(2020).results if r.rank == 1)
    assert best.grade == "A"
    svc.set_veto(tokens["admin"], best.department, 2020, "辖区发生系统性质量安全事件")
    after = svc.annual_view(2020)
    vetoed = after.result(best.department)
    assert vetoed.grade == "D" and vetoed.final == best.final
    assert vetoed.rank > max(r.rank for r in after.results if r.rank is not None and not r.veto)
    with pytest.raises(AssessmentRefused, match="已被一票否决"):
        svc.set_veto(tokens["admin"], best.department, 2020, "重复")
    svc.lift_veto(tokens["admin"], best.department, 2020, "复核后认定事件不属本部门职责")
    assert _result(2020, best.department).grade == "A"
    assert len(svc.annual_view(2020).vetoes.query("department == @best.department")) == 1  # kept, lifted


def test_locked_year_refuses_changes_without_a_reason_and_audits_those_with_one(tokens):
    before_rows, before_audit = _count(m.AssessmentAdjustment), _count(m.AuditLog)
    with pytest.raises(AssessmentRefused, match="已核定锁定：修改须填写修改理由"):
        svc.add_adjustment(tokens["admin"], MARKET, 2019, PENALTY, "P1", "补记交办事项逾期")
    assert _count(m.AssessmentAdjustment) == before_rows and _count(m.AuditLog) == before_audit
    was = _result(2019, MARKET)
    svc.add_adjustment(tokens["admin"], MARKET, 2019, PENALTY, "P1", "补记交办事项逾期",
                       admin_reason="市政府督查室 2020 年 3 月复核通报")
    now = _result(2019, MARKET)
    assert now.final == round(was.final - 2, 1) and now.rollup == was.rollup and now.locked
    with session_scope() as s:
        row = s.execute(select(m.AuditLog).order_by(m.AuditLog.id.desc())).scalars().first()
        rec = s.execute(select(m.AnnualAssessment).join(m.Department).where(
            m.Department.name == MARKET, m.AnnualAssessment.year == 2019)).scalar()
        assert rec.final_score == now.final
    assert row.action == "assessment_penalty"
    from db.audit import ACTION_LABELS

    assert ACTION_LABELS[row.action] == "年度考核·记录扣分"  # the admin page can filter and name it
    assert json.loads(row.detail)["locked_change_reason"] == "市政府督查室 2020 年 3 月复核通报"
    history = svc.annual_view(2019).history
    assert history.iloc[0]["admin_reason"] == "市政府督查室 2020 年 3 月复核通报"
    # The department itself can no longer change a decided year.
    with pytest.raises(AssessmentRefused, match="已核定锁定"):
        svc.submit_self_assessment(tokens["market"], MARKET, 2019, 95, "补充说明")


def test_appeal_is_recorded_answered_once_and_both_kept(tokens):
    adj_id = svc.add_adjustment(tokens["admin"], AGRI, 2020, PENALTY, "P2", "报送数据与台账不符", "核查记录.pdf")
    assert _result(2020, AGRI).penalty == 5.0
    with pytest.raises(AssessmentRefused, match=f"只有{AGRI}的填报员"):
        svc.file_appeal(tokens["market"], adj_id, "不是我们的扣分")
    appeal_id = svc.file_appeal(tokens["agri"], adj_id, "台账已于当月更正，附更正说明")
    with pytest.raises(AssessmentRefused, match="只能申诉一次"):
        svc.file_appeal(tokens["agri"], adj_id, "再次申诉")
    with pytest.raises(AssessmentRefused, match="无权答复申诉"):
        svc.answer_appeal(tokens["agri"], appeal_id, WITHDRAWN, "自己答复")
    svc.answer_appeal(tokens["admin"], appeal_id, WITHDRAWN, "核实台账已更正，撤销该项扣分")
    with pytest.raises(AssessmentRefused, match="答复不能覆盖"):
        svc.answer_appeal(tokens["admin"], appeal_id, UPHELD, "改为维持")
    row = svc.annual_view(2020).adjustments.query("id == @adj_id").iloc[0]
    assert row["withdrawn"] and row["appeal_reason"] == "台账已于当月更正，附更正说明"
    assert row["appeal_outcome"] == WITHDRAWN and row["appeal_answer"] == "核实台账已更正，撤销该项扣分"
    assert row["withdrawn_reason"].startswith("申诉成立")
    assert _result(2020, AGRI).penalty == 0.0
    with pytest.raises(AssessmentRefused, match="只能对有效的扣分项"):
        svc.file_appeal(tokens["agri"], adj_id, "已撤销的再申诉")


def test_self_assessment_only_by_the_departments_reporter_and_until_checked(tokens):
    with pytest.raises(AssessmentRefused, match=f"只有{AGRI}的填报员"):
        svc.submit_self_assessment(tokens["admin"], AGRI, 2020, 90, "督查办代填")
    with pytest.raises(AssessmentRefused, match=f"只有{AGRI}的填报员"):
        svc.submit_self_assessment(tokens["viewer"], AGRI, 2020, 90, "浏览账号")
    open_dept = next(r.department for r in svc.annual_view(2020).results if r.state in ("未自评", "自评"))
    agri_state = _result(2020, AGRI).state
    assert agri_state == "核查"  # the demo office already checked 市农业农村局 (it has a 加分)
    with pytest.raises(AssessmentRefused, match="已开始核查"):
        svc.submit_self_assessment(tokens["agri"], AGRI, 2020, 90, "晚了")
    assert open_dept


def test_self_assessment_flow_to_decision(tokens):
    from tests.auth_fixtures import make_user

    dept = next(r.department for r in svc.annual_view(2020).results if r.state == "未自评")
    reporter = token_for(make_user("zp_tb", department=dept))
    svc.submit_self_assessment(reporter, dept, 2020, "91.26", "全年按期完成各项任务")
    r = _result(2020, dept)
    assert (r.self_score, r.state) == (91.3, "自评")
    with pytest.raises(AssessmentRefused, match="请先记录"):
        svc.decide(tokens["admin"], dept, 2020)
    svc.record_findings(tokens["admin"], dept, 2020, "抽查 3 项任务，进度属实")
    adj = svc.add_adjustment(tokens["admin"], dept, 2020, PENALTY, "P1", "交办事项逾期")
    appeal = svc.file_appeal(reporter, adj, "已办结")
    with pytest.raises(AssessmentRefused, match="1 项申诉未答复"):
        svc.decide(tokens["admin"], dept, 2020)
    svc.answer_appeal(tokens["admin"], appeal, UPHELD, "逾期属实")
    message = svc.decide(tokens["admin"], dept, 2020)
    decided = _result(2020, dept)
    assert decided.locked and decided.state == "核定" and f"{decided.final:.1f} 分" in message
    assert decided.final == round(decided.rollup - 2, 1)
    with pytest.raises(AssessmentRefused, match="已核定"):
        svc.decide(tokens["admin"], dept, 2020)


def test_writes_refuse_stale_sessions_and_wrong_roles(tokens, accounts):  # noqa: F811
    from db import users

    for token in (None, "not-a-token"):
        with pytest.raises(AssessmentRefused, match="重新登录"):
            svc.add_adjustment(token, AGRI, 2020, BONUS, "B3", "理由")
    for who in ("agri", "viewer"):
        with pytest.raises(AssessmentRefused, match="须由督查办管理员操作"):
            svc.add_adjustment(tokens[who], AGRI, 2020, BONUS, "B3", "理由")
    # A token taken before the account was disabled no longer writes (checked inside the transaction).
    stale = token_for(accounts["market"])
    users.set_active(accounts["market"], False, by="测试")
    with pytest.raises(AssessmentRefused, match="重新登录"):
        svc.submit_self_assessment(stale, MARKET, 2020, 80, "说明")


def test_bad_input_writes_nothing_and_says_what_to_fix(tokens):
    before = _count(m.AssessmentAdjustment), _count(m.AssessmentHistory)
    with pytest.raises(AssessmentInputError, match="理由最多 500 个字"):
        svc.add_adjustment(tokens["admin"], AGRI, 2020, BONUS, "B3", "长" * 501)
    with pytest.raises(AssessmentInputError, match="不是 scoring.toml 中列出的加分项"):
        svc.add_adjustment(tokens["admin"], AGRI, 2020, BONUS, "B9", "理由")
    with pytest.raises(AssessmentInputError, match="不是计划目录中的部门"):
        svc.add_adjustment(tokens["admin"], "市不存在局", 2020, BONUS, "B3", "理由")
    with pytest.raises(AssessmentInputError, match="2031 年不在报告期内"):
        svc.add_adjustment(tokens["admin"], AGRI, 2031, BONUS, "B3", "理由")
    with pytest.raises(AssessmentInputError, match="0 到 100"):
        svc.submit_self_assessment(tokens["agri"], AGRI, 2020, 130, "说明")
    assert (_count(m.AssessmentAdjustment), _count(m.AssessmentHistory)) == before


def test_demo_clear_removes_the_demo_assessments_and_a_reload_keeps_real_ones(demo_db):
    from core.catalogue import load_catalogue
    from db.demo import clear_demo, load_demo
    from tests.auth_fixtures import make_user

    assert _count(m.AnnualAssessment) > 0
    assert clear_demo()["assessments"] == 2 * 38
    assert sum(_count(t) for t in (m.AnnualAssessment, m.AssessmentAdjustment, m.AssessmentAppeal,
                                   m.AssessmentVeto, m.AssessmentHistory)) == 0
    svc.submit_self_assessment(token_for(make_user("real_tb", department=AGRI)), AGRI, 2020, 77, "真实自评")
    assert load_demo(load_catalogue())["assessments"] == 2 * 38 - 1
    real = svc.annual_view(2020).record(AGRI)
    assert real["self_narrative"] == "真实自评" and not real["is_demo"]
    assert clear_demo()["assessments"] == 2 * 38 - 1 and _count(m.AnnualAssessment) == 1
