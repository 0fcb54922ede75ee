"""The warm-up opens the public pages once per active plan (?plan=), as a visitor of that plan would."""
from __future__ import annotations

import textwrap

from service import warm_start
from services import plans as plan_choice
from tests.live_server import served_script
from tests.support.plans import FIRST, SECOND, two_plans  # noqa: F401  (fixture)

APP_FOR_ONE_PLAN = textwrap.dedent("""
    import streamlit as st

    if st.query_params.get("plan") != "2021-2025":
        raise ValueError("not opened for the plan")
    st.title("2021-2025")
""")


def test_one_plan_is_warmed_without_a_plan_in_the_address():
    assert warm_start.plan_queries() == [""]


def test_each_active_plan_is_warmed(two_plans, monkeypatch):
    assert warm_start.plan_queries() == [f"plan={FIRST}", f"plan={SECOND}"]
    real = plan_choice.listed()
    monkeypatch.setattr(plan_choice, "listed", lambda: [
        plan_choice.PlanEntry(e.plan, "archived" if e.plan.id == FIRST else "active", e.is_default) for e in real])
    assert warm_start.plan_queries() == [f"plan={SECOND}"]  # an archived plan's pages do not change


def test_a_visit_carries_the_plan_in_its_address(tmp_path):
    with served_script(tmp_path, APP_FOR_ONE_PLAN) as url:
        with_plan = warm_start.visit_all(url, [], query=f"plan={SECOND}")
        without = warm_start.visit_all(url, [])
    assert [(v.ok, v.query) for v in with_plan] == [(True, f"plan={SECOND}")]
    assert [v.ok for v in without] == [False]
