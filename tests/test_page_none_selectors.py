"""Every selector cleared with its ⊗ (None) leaves the page working: no exception, no error box of ours.

Streamlit gives None for a cleared selectbox; each page must read it as "nothing chosen" and say so
in Chinese instead of failing (issue 14, item 10). Pages are driven as an anonymous visitor and, for
进度填报 and 管理, as the logged-in office admin.
"""
from __future__ import annotations

import pytest

from tests.auth_fixtures import accounts, run_as, token_for  # noqa: F401

PUBLIC = ["pages/overview.py", "pages/targets.py", "pages/tasks.py", "pages/districts.py", "pages/departments.py",
          "pages/meeting.py", "pages/login.py"]
LOGGED_IN = ["pages/upload.py", "pages/admin.py"]
OUR_ERROR = "系统内部出错"
CLEARABLE = {"period", "target", "task", "dm_metric", "dm_target", "dm_district"}


def _assert_working(at, what: str) -> None:
    assert not at.exception, f"{what}: {[e.value for e in at.exception]}"
    errors = [e.value for e in at.error]
    assert not any(OUR_ERROR in e for e in errors), f"{what}: {errors}"


def _clear_each_selectbox(at, page: str) -> list[str]:
    keys = [s.key for s in at.selectbox if s.key]
    assert keys, f"{page} has no selector to clear"
    for key in keys:
        boxes = [s for s in at.selectbox if s.key == key]
        if not boxes:  # the selector is gone after an earlier one was cleared: nothing to clear
            continue
        # What the ⊗ sends: no value. A selectbox drawn without a default index then gives None (the
        # bookmarkable ones of components/url_state.py from their second run on); others fall back to it.
        boxes[0].set_value(None).run()
        _assert_working(at, f"{page} {key}=None")
        if key in CLEARABLE:
            assert at.selectbox(key=key).value is None, f"{page} {key} was not cleared"
    return keys


@pytest.mark.parametrize("page", PUBLIC)
def test_public_page_survives_every_selector_cleared(demo_db, page):
    at = run_as(None, page)
    _assert_working(at, page)
    at.run()  # the state after a first interaction: url_state widgets are drawn without a default index
    keys = _clear_each_selectbox(at, page)
    assert "period" in keys  # the sidebar's 报告期 is on every page


@pytest.mark.parametrize("page", LOGGED_IN)
def test_office_pages_survive_every_selector_cleared(accounts, page):  # noqa: F811
    at = run_as(token_for(accounts["admin"]), page)
    _assert_working(at, page)
    _clear_each_selectbox(at, page)


def test_cleared_period_says_which_period_the_page_uses(demo_db):
    at = run_as(None, "pages/targets.py")
    at.run()
    at.selectbox(key="period").set_value(None).run()
    notes = " ".join(c.value for c in at.sidebar.caption)
    assert "未选择报告期" in notes and "2020Q4" in notes


def test_cleared_target_asks_to_choose_one(demo_db):
    at = run_as(None, "pages/targets.py")
    at.run()
    at.selectbox(key="target").set_value(None).run()
    assert any("请选择一个指标" in i.value for i in at.info)


def test_unexpected_error_shows_our_chinese_message(demo_db, monkeypatch):
    from core import target_views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(target_views, "filter_targets", broken)
    import pages  # noqa: F401  (the page imports filter_targets by name at each run)

    at = run_as(None, "pages/targets.py")
    assert not at.exception
    assert any(OUR_ERROR in e.value for e in at.error)
    assert any("湛江市质量提升行动" in m.value for m in at.sidebar.markdown)  # the rest still renders
