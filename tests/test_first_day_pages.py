"""What a new official meets on the pages (AppTest): an empty search says what to do next, every
problem of an upload can be read in full, the login page says who gives out accounts."""
from __future__ import annotations

from components.upload_review import _problem_details
from core.importer.model import Problem


def test_empty_target_search_says_what_to_do(app_test):
    at = app_test("pages/targets.py")
    at.text_input(key="tf_query").input("没有这样的指标名称").run()
    assert not at.exception
    assert any("没有符合条件的指标" in i.value and "清除" in i.value for i in at.info)


def test_empty_task_search_says_what_to_do(app_test):
    at = app_test("pages/tasks.py")
    at.text_input(key="tl_query").input("没有这样的任务").run()
    assert not at.exception
    assert any("没有符合条件的任务" in i.value for i in at.info)


def test_login_page_says_who_gives_out_accounts(app_test):
    at = app_test("pages/login.py")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "还没有账号" in text and "督查办" in text
    assert at.button(key="FormSubmitter:au_login-登录") is not None
    assert any("登录（填报员、督查办）" in p.proto.label for p in at.sidebar.get("page_link"))


def test_problem_messages_are_listed_in_full_and_as_text(monkeypatch):
    shown = []
    import streamlit as st

    monkeypatch.setattr(st, "markdown", lambda text, **kw: shown.append(text))
    long = "该单元格应为 0–100 之间的数字" + "，请核对后重新填写" * 10
    _problem_details([Problem(sheet="进度表", cell="G7", value="<b>abc</b>", message=long, fix="改为数字", row=7)])
    assert long in shown[0].replace("\\", "") and "\\<b\\>" in shown[0]


def test_a_selected_district_is_outlined_on_a_fresh_map_widget(app_test):
    """The front end greys every district but the one clicked for as long as its map widget holds that
    click; a new widget per selected district holds none, and our outline layer marks the choice."""
    import json

    at = app_test("pages/districts.py")
    first = at.get("deck_gl_json_chart")[0].proto.id
    at.selectbox(key="dm_district").set_value("440881").run()
    assert not at.exception
    chart = at.get("deck_gl_json_chart")[0]
    assert chart.proto.id != first and "dm_map_440881" in chart.proto.id
    layers = {layer["id"]: layer for layer in json.loads(chart.proto.json)["layers"]}
    outlined = layers["selected-district"]["data"]["features"]
    assert [f["properties"]["adcode"] for f in outlined] == ["440881"]
    assert not layers["selected-district"]["filled"]  # the others keep their own colours
