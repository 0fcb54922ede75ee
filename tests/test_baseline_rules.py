"""基期与责任备案 rules on the real catalogue: who may answer for a target, what a registration may hold."""
import pytest

from core.baseline_rules import Registration, assignable_departments, assignment_basis, registration_problems
from core.catalogue import load_catalogue

CAT = load_catalogue()
T = {t.id: t for t in CAT.targets}


def test_task_12_targets_may_go_to_its_participants():
    depts = assignable_departments(T["T47"], CAT)
    assert depts[0] == "市政务服务数据管理局"
    assert "市卫生健康局" in depts
    # 市公安局 is reached through the participant 市直相关单位 (雪亮工程).
    assert "市公安局" in depts and "市直相关单位" not in depts
    assert assignment_basis(T["T47"], "市卫生健康局", CAT) == "附件任务12参与部门"
    assert "市直相关单位" in assignment_basis(T["T52"], "市公安局", CAT)


def test_a_department_outside_the_task_cannot_be_responsible():
    assert "市卫生健康局" not in assignable_departments(T["T02"], CAT)
    problems = registration_problems(T["T02"], None, Registration(90.0, 2017, "", "市卫生健康局"), CAT,
                                     before=None, confirmed=False, reason="")
    assert any("不能指定为责任部门" in p for p in problems)


@pytest.mark.parametrize("reg, district, expected", [
    (Registration(120.0, 2017, "", None), None, "不在 0–100% 之间"),
    (Registration(90.0, None, "", None), None, "请填写基期年份"),
    (Registration(90.0, 1999, "", None), None, "应在 2000–2020 年之间"),
    (Registration(90.0, 2017, "x" * 201, None), None, "不能超过 200 字"),
    (Registration(90.0, 2017, "", None), "440802", None),
    (Registration(90.0, 2017, "", "市农业农村局"), "440802", "不按区县"),
    (Registration(float("nan"), 2017, "", None), None, "有限的数字"),
])
def test_registration_values_are_bounded(reg, district, expected):
    problems = registration_problems(T["T02"], district, reg, CAT, before=None, confirmed=False, reason="")
    assert (expected is None and problems == []) or any(expected in p for p in problems)


def test_district_baseline_only_where_broken_down():
    problems = registration_problems(T["T01"], "440802", Registration(90.0, 2017, "", None), CAT, before=None,
                                     confirmed=False, reason="")
    assert any("不分区县" in p for p in problems)


def test_change_after_confirmation_needs_a_reason():
    old, new = Registration(80.0, 2017, "年鉴", None), Registration(82.0, 2017, "年鉴", None)
    kw = dict(before=old, confirmed=True)
    assert any("须填写变更原因" in p for p in registration_problems(T["T02"], None, new, CAT, reason="", **kw))
    assert registration_problems(T["T02"], None, new, CAT, reason="统计局更正", **kw) == []
    assert registration_problems(T["T02"], None, old, CAT, reason="", **kw) == []  # unchanged: no reason needed
