"""Pure logic of the 区县地图: class breaks, no-data colour, shares, ranking, panel, geometry."""
import pandas as pd
import pytest

from core import district_geo as geo_mod
from core import district_views as dv

DISTRICTS = pd.DataFrame({"adcode": ["A1", "A2", "A3"], "name": ["甲区", "廉江市", "丙县"]})


def _target(tid, comparator="≥", value=90.0, unit="%", kind="numeric"):
    return {"id": tid, "name": f"指标{tid}", "unit": unit, "comparator": comparator, "target_value": value,
            "target_max": None, "target_year": 2020, "kind": kind, "baseline": None, "district_breakdown": True}


def _values(rows):
    return pd.DataFrame(rows, columns=["target_id", "district_adcode", "period_code", "value", "is_demo"])


@pytest.fixture
def grid():
    targets = pd.DataFrame([_target("T1"), _target("T2", comparator="≤", value=5.0),
                            {**_target("T9"), "district_breakdown": False}])
    values = _values([
        ("T1", "A1", "2020Q1", 80.0, True), ("T1", "A1", "2020Q2", 95.0, True),
        ("T1", "A2", "2020Q1", 70.0, True), ("T1", "A2", "2020Q2", 72.0, True),
        ("T2", "A1", "2020Q2", 4.0, True), ("T2", "A2", "2020Q2", 9.0, True),
        ("T9", "", "2020Q2", 50.0, True),
    ])
    return dv.district_grid(targets, values, DISTRICTS, "2020Q2")


def test_grid_has_every_district_for_every_breakdown_target(grid):
    assert len(grid) == 2 * 3  # T9 is not broken down by district
    never = grid[(grid["target_id"] == "T1") & (grid["adcode"] == "A3")].iloc[0]
    assert never["status"] == "未报送"
    assert pd.isna(never["value"]) and never["value_text"] == "—"
    assert grid.set_index(["target_id", "adcode"]).loc[("T1", "A1"), "status"] == "已达标"


def test_class_breaks_are_quantiles_from_min_to_max():
    b = dv.class_breaks(list(range(1, 11)), classes=5)
    assert b[0] == 1 and b[-1] == 10 and list(b) == sorted(b) and len(b) == 6
    assert dv.class_breaks([3.0, 3.0, None]) == (3.0, 3.0)
    assert dv.class_breaks([]) == ()


def test_classify_puts_edges_in_the_upper_class_and_closes_the_last():
    b = (0.0, 10.0, 20.0, 30.0)
    assert [dv.classify(v, b) for v in (0, 9.9, 10, 25, 30)] == [0, 0, 1, 2, 2]
    assert dv.classify(None, b) is None and dv.classify(float("nan"), b) is None


def test_missing_value_gets_the_no_data_colour_used_by_no_class(grid):
    chart = dv.choropleth("value", grid, "2020Q2", "T1", breaks=(72.0, 80.0, 95.0))
    row = chart.frame.set_index("adcode").loc["A3"]
    assert row["color"] == dv.NO_DATA_COLOR and row["class_label"] == dv.NO_DATA_LABEL
    assert chart.legend[-1] == dv.LegendEntry("无数据", dv.NO_DATA_COLOR)
    palettes = {*dv.VALUE_PALETTE, *dv.SHARE_PALETTE, *(e.color for e in dv.status_legend())}
    assert dv.NO_DATA_COLOR not in palettes
    # Higher is better for ≥: the best district gets the darkest colour.
    assert chart.frame.set_index("adcode").loc["A1", "color"] == dv.VALUE_PALETTE[-1]


def test_lower_is_better_reverses_the_palette(grid):
    chart = dv.choropleth("value", grid, "2020Q2", "T2", breaks=(4.0, 6.0, 9.0))
    colors = chart.frame.set_index("adcode")["color"]
    assert colors["A1"] == dv.VALUE_PALETTE[-1] and colors["A2"] == dv.VALUE_PALETTE[0]


def test_status_map_uses_the_engines_colours(grid):
    chart = dv.choropleth("status", grid, "2020Q2", "T1")
    f = chart.frame.set_index("adcode")
    assert f.loc["A1", "class_label"] == "已达标" and f.loc["A1", "color"] == "#1a7f37"
    assert f.loc["A3", "class_label"] == "未报送"


def test_completeness_is_the_share_of_reported_cells(grid):
    chart = dv.choropleth("completeness", grid, "2020Q2")
    f = chart.frame.set_index("adcode")
    assert f.loc["A1", "value"] == 100.0 and f.loc["A3", "value"] == 0.0
    assert f.loc["A1", "value_text"] == "2/2 项（100%）"
    assert "未报送：T1、T2" in f.loc["A3", "explanation"]
    assert f.loc["A3", "color"] == dv.SHARE_PALETTE[0]


def test_share_on_track_counts_met_and_on_track(grid):
    chart = dv.choropleth("on_track", grid, "2020Q2")
    f = chart.frame.set_index("adcode")
    assert f.loc["A1", "value"] == 100.0  # T1 met, T2 (4 ≤ 5) met
    assert f.loc["A3", "value"] == 0.0
    assert "已达标 2 项" in f.loc["A1", "explanation"]


def test_ranking_follows_the_comparator_and_puts_no_data_last(grid):
    up = dv.ranking(dv.choropleth("value", grid, "2020Q2", "T1", (72.0, 95.0)), "≥")
    assert up["adcode"].tolist() == ["A1", "A2", "A3"] and up["place"].tolist() == [1, 2, 3]
    down = dv.ranking(dv.choropleth("value", grid, "2020Q2", "T2", (4.0, 9.0)), "≤")
    assert down["adcode"].tolist()[:2] == ["A1", "A2"]


def test_panel_lists_tasks_naming_the_district_or_its_places(grid):
    tasks = pd.DataFrame({"id": [1, 2, 3], "title": ["甲", "乙", "丙"], "lead_department": ["局"] * 3,
                          "content": ["支持廉江市发展", "与此无关", "建设某园区"]})
    places = pd.DataFrame({"id": ["P1"], "name": ["某园区"], "district": ["廉江市"], "district_adcode": ["A2"],
                           "task_id": [3], "lon": [110.0], "lat": [21.0], "source_clause": ["建设某园区"]})
    panel = dv.district_panel("A2", grid, tasks, places)
    assert panel.name == "廉江市" and panel.tasks["task_id"].tolist() == [1, 3]
    assert "原文提及“廉江”" in panel.tasks.iloc[0]["basis"] and "地点：某园区" in panel.tasks.iloc[1]["basis"]
    assert len(panel.places) == 1 and len(panel.targets) == 2


def test_geojson_labels_fall_inside_zhanjiang_and_rewinding_is_clockwise():
    geo = geo_mod.load_geojson()
    west, south, east, north = geo_mod.bounds(geo)
    labels = geo_mod.label_points(geo)
    assert len(labels) == 9 and set(labels["name"]) >= {"廉江市", "赤坎区"}
    assert labels["lon"].between(west, east).all() and labels["lat"].between(south, north).all()
    d3 = geo_mod.rewound_for_d3(geo)
    for f in d3["features"]:
        polys = f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiPolygon" else [f["geometry"]["coordinates"]]
        assert all(geo_mod._ring_area_centroid(p[0])[0] < 0 for p in polys)
    lon, lat, zoom = geo_mod.fit_view((west, south, east, north), 900, 620)
    assert west < lon < east and south < lat < north and 7 < zoom < 9


def test_map_classes_come_from_the_period_with_the_target_as_an_edge():
    # The 2020Q4 case of the issue: 94.4% missed a 96% target, 96.1% met it: never one colour.
    values = [94.4, 96.1, 97.0, 95.0, 98.2, 93.0, 96.5, 94.9, 99.0]
    edges, legend = dv.target_classes(values, 96.0, "≥", "%")
    assert 96.0 in edges and edges[0] == 93.0 and edges[-1] == 99.0
    colour = {v: legend[dv.classify(v, edges)].color for v in values}
    assert colour[94.4] in dv.MISSED_PALETTE and colour[96.1] in dv.MET_PALETTE
    assert all(("达到目标" in e.label) == (e.color in dv.MET_PALETTE) for e in legend)
    # Lower is better: the class under the target reaches it.
    edges, legend = dv.target_classes([2.0, 4.0, 6.0, 9.0], 5.0, "≤", "%")
    assert legend[dv.classify(2.0, edges)].color == dv.MET_PALETTE[-1]
    assert legend[dv.classify(9.0, edges)].color == dv.MISSED_PALETTE[-1]


def test_main_map_says_how_its_classes_were_made(grid):
    chart = dv.choropleth("value", grid, "2020Q2", "T1")
    assert "按 2020Q2 九个区县的数值分级" in chart.note and "≥90%" in chart.note
    colors = chart.frame.set_index("adcode")["color"]
    assert colors["A1"] in dv.MET_PALETTE and colors["A2"] in dv.MISSED_PALETTE  # 95 met 90, 72 did not
    assert colors["A3"] == dv.NO_DATA_COLOR
