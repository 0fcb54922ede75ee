"""AppTest of 目标指标."""


def test_targets_page_lists_every_target_grouped(app_test):
    at = app_test("pages/targets.py")
    assert not at.exception
    assert at.title[0].value == "目标指标"
    headers = [s.value for s in at.subheader]
    assert any(h.startswith("产品工程服务和环境质量") for h in headers)
    total = sum(len(df.value) for df in at.dataframe[:-1]) if len(at.dataframe) > 1 else 0
    from db import queries

    assert sum(len(df.value) for df in at.dataframe if "编号" in df.value.columns) == len(queries.targets())
    assert total > 0


def test_search_filters_rows(app_test):
    at = app_test("pages/targets.py")
    at.text_input(key="tf_query").input("计量").run()
    rows = [r for df in at.dataframe if "编号" in df.value.columns for r in df.value["指标"]]
    assert rows and all("计量" in r for r in rows)


def test_detail_shows_source_clause_and_chart(app_test):
    at = app_test("pages/targets.py", target="T23")
    assert at.selectbox(key="target").value == "T23"
    md = " ".join(m.value for m in at.markdown)
    assert "社会公用计量标准达到250项" in md
    assert len(at.get("vega_lite_chart")) >= 1


def test_demo_badge_shows_in_sidebar_and_title_until_demo_is_cleared(app_test):
    at = app_test("pages/targets.py")
    assert any("演示数据" in m.value for m in at.sidebar.markdown)
    assert any("badge[演示数据]" in m.value for m in at.main.markdown)
    from db.demo import clear_demo

    clear_demo()
    at.run()
    assert not any("演示数据" in m.value for m in at.markdown)


def test_district_breakdown_section(app_test):
    at = app_test("pages/targets.py", target="T02")
    assert any("分区县" in m.value for m in at.markdown)
    table = at.dataframe[-1].value
    assert len(table) == 9 and "区县" in table.columns
