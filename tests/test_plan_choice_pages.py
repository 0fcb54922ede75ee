"""AppTest: which plan a browser session sees (?plan=, the sidebar selector, the archived banner), and
the cache keyed by plan. Until plans15 merges every plan reads the one database: these tests check
the choice, the address, the selector, the banner and the cache key, not which rows a plan shows."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.plan_switch import KEY, PICK_KEY, READ_ONLY
from core.plan_context import current_plan_id, use_plan
from services import cache
from services import plans as plan_choice
from tests.auth_fixtures import accounts, run_as, token_for  # noqa: F401  (fixture)
from tests.support.plans import FIRST, FIRST_NAME, SECOND, SECOND_NAME, two_plans  # noqa: F401  (fixture)


def captions(at) -> str:
    return " ".join(c.value for c in [*at.caption, *at.sidebar.caption])


def selectors(at) -> list[str]:
    return [s.key for s in at.sidebar.selectbox]


def test_one_plan_has_no_selector_and_no_plan_in_the_address(app_test):
    at = app_test()
    assert not at.exception
    assert PICK_KEY not in selectors(at) and "plan" not in at.query_params
    assert at.session_state[KEY] == FIRST
    assert f"《{FIRST_NAME}》（2018Q1–2020Q4）" in captions(at)
    assert "方案：" not in " ".join(c.value for c in at.main.caption)  # no plan line beside the title


def test_two_plans_show_the_selector_and_keep_the_plan_in_the_address(app_test, two_plans):
    at = app_test()
    assert not at.exception
    pick = at.sidebar.selectbox(key=PICK_KEY)
    assert pick.value == FIRST and at.query_params["plan"] == FIRST
    assert pick.options == ["质量提升行动（2018—2020年）（2018Q1–2020Q4）", "质量提升后续方案（测试）（2021Q1–2025Q4）"]
    pick.set_value(SECOND).run()
    assert not at.exception
    assert at.session_state[KEY] == SECOND and at.query_params["plan"] == SECOND
    assert f"方案：《{SECOND_NAME}》（2021Q1–2025Q4）" in captions(at)
    assert FIRST_NAME not in captions(at)
    at.switch_page("pages/targets.py").run()
    assert not at.exception
    assert at.query_params["plan"] == SECOND and at.sidebar.selectbox(key=PICK_KEY).value == SECOND


def test_plan_in_the_address_selects_it_and_the_title_names_it(app_test, two_plans):
    at = app_test(plan=SECOND)
    assert not at.exception and "不存在" not in " ".join(w.value for w in at.warning)
    assert at.session_state[KEY] == SECOND and at.query_params["plan"] == SECOND
    assert f"方案：《{SECOND_NAME}》（2021Q1–2025Q4）" in " ".join(c.value for c in at.main.caption)
    assert f"数据依据：《{SECOND_NAME}》" in " ".join(c.value for c in at.sidebar.caption)


def test_unknown_plan_in_the_address_warns_and_falls_back(app_test, two_plans):
    at = app_test(plan="2030-2035")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # shown through md_text
    assert "“2030-2035”不存在" in warning and FIRST in warning and SECOND in warning
    assert f"默认方案《{FIRST_NAME}》" in warning
    assert at.session_state[KEY] == FIRST and at.query_params["plan"] == FIRST
    at.run()
    assert "不存在" not in " ".join(w.value for w in at.warning)  # said once


def test_unknown_plan_with_one_plan_warns_and_leaves_the_address_as_before(app_test):
    at = app_test(plan="nonsense")
    assert "“nonsense”不存在" in " ".join(w.value for w in at.warning)


def test_an_address_cannot_put_markdown_into_the_warning(app_test):
    at = app_test(plan="[点此](http://evil.example)")
    shown = " ".join(w.value for w in at.warning)
    assert "\\[点此\\]\\(http" in shown  # escaped: shown as text, not as a link
    assert at.session_state[KEY] == FIRST and "plan" not in at.query_params


def test_changing_plan_drops_a_period_the_new_plan_does_not_have(app_test, two_plans):
    at = app_test(period="2019Q2")
    assert at.session_state["period"] == "2019Q2" and at.query_params["period"] == "2019Q2"
    at.sidebar.selectbox(key=PICK_KEY).set_value(SECOND).run()
    assert not at.exception
    assert at.session_state["period"] != "2019Q2" and "period" not in at.query_params


def test_archived_plan_shows_the_banner_and_disables_the_upload(accounts, two_plans, monkeypatch):
    monkeypatch.setattr(plan_choice, "is_archived", lambda plan_id: plan_id == SECOND)
    monkeypatch.setattr(plan_choice, "listed", lambda: [
        plan_choice.PlanEntry(e.plan, "archived" if e.plan.id == SECOND else "active", e.is_default)
        for e in _real_listed()])
    token = token_for("office")
    at = run_as(token, "pages/upload.py", plan=SECOND)
    assert not at.exception
    assert READ_ONLY in [i.value for i in at.info]
    uploader = at.file_uploader(key="up_file")
    assert uploader.proto.disabled and uploader.proto.help == READ_ONLY
    # Online entry: 确认入库 stays blocked and says why (the banner is an st.info; this warning is the button's).
    assert at.button(key="up_on_commit").proto.disabled and READ_ONLY in [w.value for w in at.warning]
    assert at.sidebar.selectbox(key=PICK_KEY).options[1].endswith("（已归档）")
    at.sidebar.selectbox(key=PICK_KEY).set_value(FIRST).run()  # the active plan: writable again
    assert READ_ONLY not in [i.value for i in at.info]
    assert not at.file_uploader(key="up_file").proto.disabled


_real_listed = plan_choice.listed


def _callback_app():
    import streamlit as st

    from components import plan_switch
    from core.plan_context import current_plan_id

    plan_switch.install()

    def seen() -> None:
        st.session_state["seen"] = current_plan_id()

    st.button("看", key="b", on_click=seen)


def test_a_widget_callback_sees_the_sessions_plan_before_the_page_runs():
    at = AppTest.from_function(_callback_app)
    at.session_state[KEY] = SECOND
    at.run()
    at.button(key="b").click().run()
    assert at.session_state["seen"] == SECOND
    assert current_plan_id() == FIRST  # outside a script run the resolver has no opinion


@cache.cached
def _probe(x: int) -> tuple[str, int]:
    _calls.append(current_plan_id())
    return current_plan_id(), x


_calls: list[str] = []


def test_a_cached_read_under_one_plan_is_not_served_under_another(demo_db, two_plans):
    plan_choice.ensure_ready(SECOND)  # its own database, whose data version may equal the first's
    _calls.clear()
    cache.clear()
    with use_plan(FIRST):
        assert _probe(1) == (FIRST, 1)
    with use_plan(SECOND):
        assert _probe(1) == (SECOND, 1)  # same data version, same argument: still its own entry
    with use_plan(FIRST):
        assert _probe(1) == (FIRST, 1)
    assert _calls == [FIRST, SECOND]


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/departments.py"])
def test_pages_run_for_the_second_plan(app_test, two_plans, page):
    at = app_test(page, plan=SECOND)
    assert not at.exception and at.query_params["plan"] == SECOND


WRITES = {"supervision": {"确认交办", "记录催办", "交办"},
          "admin": {"审核通过", "退回", "保存备案", "关闭报告期", "重新开放"}}


@pytest.mark.parametrize("page", ["supervision", "admin"])
def test_archived_plan_disables_the_office_writes(accounts, two_plans, monkeypatch, page):
    monkeypatch.setattr(plan_choice, "is_archived", lambda plan_id: plan_id == SECOND)
    token = token_for("office")
    at = run_as(token, f"pages/{page}.py", plan=SECOND)
    assert not at.exception
    shown = {b.label.split(" ")[0]: b.proto for b in at.button}
    writes = [label for label in shown if label in WRITES[page]]
    assert writes, sorted(shown)
    assert all(shown[label].disabled and shown[label].help == READ_ONLY for label in writes)
    at = run_as(token, f"pages/{page}.py", plan=FIRST)
    assert not any(b.proto.help == READ_ONLY for b in at.button)


def test_the_scoring_rules_caption_names_the_current_plans_file(app_test, two_plans):
    at = app_test("pages/departments.py")
    assert "`data/plans/2018-2020/scoring.toml`" not in captions(at)  # ZJ_PLANS_DIR is a copy elsewhere
    assert f"{two_plans.as_posix()}/{FIRST}/scoring.toml" in captions(at)
    at = app_test("pages/departments.py", plan=SECOND)
    assert f"{two_plans.as_posix()}/{SECOND}/scoring.toml" in captions(at)


def test_the_default_plans_files_are_named_from_the_project_root(app_test):
    assert "`data/plans/2018-2020/scoring.toml`" in captions(app_test("pages/departments.py"))
