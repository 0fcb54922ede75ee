"""AppTest of 区县地图."""
import json

from components.district_map import clicked_district
from core import district_views as dv
from core.district_geo import load_geojson
from core.map_image import PNG_SIGNATURE, map_png
from services import districts as district_reads


def _districts_page(app_test):
    return app_test("pages/districts.py")


def test_page_draws_the_nine_districts_offline(app_test):
    at = _districts_page(app_test)
    assert not at.exception
    assert at.title[0].value == "区县地图"
    assert any("badge[演示数据]" in m.value for m in at.main.markdown)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert "mapProvider" not in deck or deck["mapProvider"] in (None, "")
    assert deck.get("mapStyle") in (None, "", "__MAP_STYLE__")
    layers = {layer["id"]: layer for layer in deck["layers"]}
    names = {f["properties"]["name"] for f in layers["districts"]["data"]["features"]}
    assert len(names) == 9 and "廉江市" in names
    assert layers["district-names"]["characterSet"] == "auto"
    assert {r["name"] for r in layers["district-names"]["data"]} == names
    assert all("（示意）" in r["label"] for r in layers["place-names"]["data"])
    # Each label has its own anchor and offset (core.label_layout); the places whose text found no room
    # keep their dot and are named under the map.
    text = layers["place-names"]
    assert text["getTextAnchor"] == "@@=label_anchor" and text["getPixelOffset"] == "@@=label_offset"
    assert len({tuple(r["label_offset"]) for r in text["data"]}) > 1
    assert text["characterSet"] == "auto" and "unlabelledPlaces" not in deck
    dots = [r["name"] for r in layers["places"]["data"]]
    missing = [n for n in dots if n not in {r["name"] for r in text["data"]}]
    assert len(dots) == 15 and 0 < len(missing) < 15
    notes = [c.value for c in at.caption if c.value.startswith("地图上未标注名称的示意地点：")]
    assert notes == [f"地图上未标注名称的示意地点：{'、'.join(missing)}（鼠标悬停于橙色圆点可见名称）。"]
    tip = layers["districts"]["data"]["features"][0]["properties"]["tip_body"]
    assert "目标：" in tip and "状态：" in tip and "说明：" in tip


def test_selecting_lianjiang_shows_its_panel(app_test):
    at = _districts_page(app_test)
    at.selectbox(key="dm_district").set_value("440881").run()
    assert not at.exception
    assert any(s.value.startswith("廉江市（") for s in at.subheader)
    tables = [d.value for d in at.dataframe]
    targets = next(t for t in tables if "编号" in t.columns)
    assert len(targets) == 13 and targets["状态"].str.len().gt(0).all()
    tasks = next(t for t in tables if "关联依据" in t.columns)
    assert any(t.startswith("9.") for t in tasks["任务"]) and any(t.startswith("25.") for t in tasks["任务"])
    places = next(t for t in tables if "名称" in t.columns)
    assert "廉江小家电一站式服务平台" in places["名称"].tolist()
    assert at.query_params["dm_district"] == ["440881"] or at.query_params["dm_district"] == "440881"


def test_completeness_metric_and_ranking(app_test):
    at = _districts_page(app_test)
    at.selectbox(key="dm_metric").set_value("completeness").run()
    assert not at.exception
    assert any(s.value == "区县排名：分区县指标报送完整率" for s in at.subheader)
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    tips = [f["properties"]["tip_body"] for f in deck["layers"][0]["data"]["features"]]
    assert all(t.startswith("报送完整率：") and "/13 项" in t for t in tips)


def test_a_click_on_a_district_or_a_place_selects_the_district():
    feature = {"type": "Feature", "properties": {"adcode": "440881", "name": "廉江市"}}
    assert clicked_district({"objects": {"districts": [feature]}}) == "440881"
    assert clicked_district({"objects": {"places": [{"name": "吴川羽绒", "district_adcode": "440883"}]}}) == "440883"
    assert clicked_district({"objects": {}}) is None and clicked_district(None) is None


def test_download_is_a_png_of_the_shown_map(demo_db):
    chart = dv.choropleth("value", district_reads.grid("2020Q4"), "2020Q4", "T02")
    png = map_png(load_geojson(), chart, scale=1)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 20_000


def test_units_without_a_boundary_are_listed_and_noted_not_drawn(demo_db, app_test):
    from db import models as m
    from db.engine import bump_data_version, session_scope

    with session_scope() as s:
        s.add(m.District(adcode="490001", name="合成县区001", kind="县", sort_order=100))
        s.add(m.District(adcode="490002", name="合成县区002", kind="县", sort_order=101))
        bump_data_version(s)
    at = _districts_page(app_test)
    assert not at.exception
    notes = [c.value for c in at.caption if "无边界数据" in c.value]
    assert notes == ["2 个单位无边界数据，未在地图上显示（合成县区001、合成县区002）；它们仍可在右侧选择，并列入区县排名。"]
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert len(deck["layers"][0]["data"]["features"]) == 9
    assert "490001" in at.selectbox(key="dm_district").options or "合成县区001" in at.selectbox(key="dm_district").options
    at.selectbox(key="dm_district").set_value("490001").run()
    assert not at.exception
    assert any(s.value.startswith("合成县区001（") for s in at.subheader)
    panel = next(d.value for d in at.dataframe if "编号" in d.value.columns)
    assert len(panel) == 13 and set(panel["状态"]) == {"未报送"}


def test_the_map_note_names_at_most_twelve_units():
    from core.district_geo import unmapped_note

    note = unmapped_note([f"县{i}" for i in range(111)])
    assert note.startswith("111 个单位无边界数据，未在地图上显示（县0、县1") and "县11 等）" in note
    assert "县12" not in note
