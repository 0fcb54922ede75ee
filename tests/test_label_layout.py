"""Place labels of the district map (core.label_layout): never over another label, a district name or a dot."""
import itertools
import math

import pandas as pd
import pytest

from core import label_layout as ll
from core.district_geo import boundaries, bounds, fit_view, label_points, simplified
from core.paths import PLAN_DIR

TEXT = ll.TextStyle(12)
NAME = ll.TextStyle(17)
DOT = ll.DotStyle(radius=7.5)
VIEW = (110.0, 21.0, 10.0)


def _overlap(a: ll.Box, b: ll.Box) -> bool:
    # Written out again rather than Box.intersects, so the check does not trust the code it checks.
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0


def _at(points: list[tuple[float, float]], labels: list[str], view=VIEW) -> pd.DataFrame:
    """Places at pixel positions (from the view's centre, y downwards), turned back into lon/lat."""
    lon0, lat0, zoom = view
    scale = ll.WORLD_PX * 2 ** zoom
    y0 = math.log(math.tan(math.pi / 4 + math.radians(lat0) / 2))
    rows = []
    for (x, y), label in zip(points, labels):
        lat = math.degrees(2 * math.atan(math.exp(y0 - y / scale * 2 * math.pi)) - math.pi / 2)
        rows.append({"name": label, "label": label + "（示意）", "lon": lon0 + x / scale * 360, "lat": lat})
    return pd.DataFrame(rows)


def _check(out: pd.DataFrame, view, obstacles=(), frame=None, text=TEXT, dot=DOT) -> None:
    """Every placed label: drawn where its box says, clear of every other label, obstacle and other dot."""
    points = [ll.project(lon, lat, view) for lon, lat in zip(out["lon"], out["lat"])]
    dots = [ll.dot_box(x, y, dot) for x, y in points]
    placed = [(i, b) for i, b in enumerate(out["label_box"]) if b is not None]
    for i, box in placed:
        row = out.iloc[i]
        assert box == ll.text_box(*points[i], row["label"], text, row["label_anchor"], *row["label_offset"])
        assert all(isinstance(v, int) for v in row["label_offset"])
        assert not any(_overlap(box, o) for o in obstacles), row["name"]
        assert not any(_overlap(box, d) for j, d in enumerate(dots) if j != i), row["name"]
        x, y = points[i]  # its own dot is round: the box stays outside the circle
        assert math.dist((x, y), (min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1))) > dot.radius
        if frame is not None:
            assert box.inside(frame)
    for (i, a), (j, b) in itertools.combinations(placed, 2):
        assert not _overlap(a, b), (out.iloc[i]["name"], out.iloc[j]["name"])
    assert (out["label_position"].isna() == out["label_box"].isna()).all()


def test_text_width_counts_cjk_as_one_font_size():
    assert ll.text_width("廉江（示意）", 12) == 72
    assert ll.text_width("湛江—北海", 10) == 50
    assert ll.text_width("A1", 10) == pytest.approx(12)


def test_projection_matches_deck_gl_512_px_world():
    x, y = ll.project(110.0 + 360 / 512, 21.0, (110.0, 21.0, 0))
    assert x == pytest.approx(1) and y == pytest.approx(0)
    assert ll.project(110.0, 21.1, VIEW)[1] < 0  # north is up


def test_a_lone_place_gets_the_first_position_right_of_its_dot():
    out = ll.layout_labels(_at([(0, 0)], ["甲园区"]), VIEW, TEXT, DOT)
    row = out.iloc[0]
    assert row["label_position"] == "right" and row["label_anchor"] == "start" and row["label_offset"] == [10, 0]
    _check(out, VIEW)


def test_positions_are_tried_in_the_fixed_order():
    order = [p.name for p in ll.candidate_positions(TEXT, DOT)]
    assert order == ["right", "left", "above", "below", "above-right", "below-right", "above-left", "below-left"]
    # A district name on the right: the label goes left; names on both sides: above.
    right = ll.text_box(50, 0, "遂溪县", NAME)
    out = ll.layout_labels(_at([(0, 0)], ["甲园区"]), VIEW, TEXT, DOT, obstacles=[right])
    assert out.iloc[0]["label_position"] == "left" and out.iloc[0]["label_anchor"] == "end"
    right = ll.Box(20, -5, 100, 5)
    left = ll.Box(-100, -5, -20, 5)
    out = ll.layout_labels(_at([(0, 0)], ["甲园区"]), VIEW, TEXT, DOT, obstacles=[right, left])
    assert out.iloc[0]["label_position"] == "above" and out.iloc[0]["label_offset"][1] < 0
    _check(out, VIEW, obstacles=[right, left])


def test_a_label_stays_inside_the_frame():
    frame = ll.view_frame(400, 300)
    out = ll.layout_labels(_at([(180, 0)], ["东海岛园区"]), VIEW, TEXT, DOT, frame=frame)
    assert out.iloc[0]["label_position"] == "left"
    _check(out, VIEW, frame=frame)


def test_a_crowded_spot_drops_labels_rather_than_overlapping():
    points = [(0, 0), (3, 2), (-2, 4), (1, -3), (30, 10), (28, -12), (-25, 0)]
    places = _at(points, [f"第{i}号产业园区" for i in range(len(points))])
    out = ll.layout_labels(places, VIEW, TEXT, DOT)
    _check(out, VIEW)
    # The first two dots lie on top of each other and of two more: no room at all for their text.
    assert out["label_position"].isna().tolist()[:2] == [True, True]
    assert out["label_position"].notna().sum() >= 4


def test_a_place_ringed_by_dots_keeps_its_dot_but_loses_its_text():
    ring = [(round(20 * math.cos(a * math.pi / 4)), round(14 * math.sin(a * math.pi / 4))) for a in range(8)]
    out = ll.layout_labels(_at([(0, 0)] + ring, ["中心园区"] + [f"周边{i}" for i in range(8)]), VIEW, TEXT, DOT)
    assert pd.isna(out.iloc[0]["label_position"]) and out.iloc[0]["label_box"] is None
    _check(out, VIEW)


def test_the_search_labels_more_places_than_first_come_first_served():
    # A's first choice (right) would take the only room B has; A can go left instead.
    places = _at([(0, 0), (130, 0)], ["甲甲甲甲", "乙乙乙乙"])
    wall = [ll.Box(120, -40, 160, -9), ll.Box(120, 9, 160, 40), ll.Box(140, -9, 220, 9)]
    greedy_first = ll.text_box(0, 0, "甲甲甲甲（示意）", TEXT, "start", 10, 0)
    only_room = ll.text_box(130, 0, "乙乙乙乙（示意）", TEXT, "end", -10, 0)
    assert greedy_first.intersects(only_room)
    out = ll.layout_labels(places, VIEW, TEXT, DOT, obstacles=wall)
    assert out["label_position"].tolist() == ["left", "left"]
    _check(out, VIEW, obstacles=wall)


def test_the_layout_is_deterministic_and_ignores_the_index():
    points = [(0, 0), (3, 2), (30, 10), (28, -12), (-25, 0), (0, 40)]
    places = _at(points, [f"园区{i}" for i in range(len(points))])
    first = ll.layout_labels(places, VIEW, TEXT, DOT)
    again = ll.layout_labels(places.copy(), VIEW, TEXT, DOT)
    shifted = ll.layout_labels(places.set_axis(range(100, 100 + len(places))), VIEW, TEXT, DOT)
    cols = ["label_position", "label_anchor", "label_offset"]
    assert first[cols].astype(str).equals(again[cols].astype(str))
    assert first[cols].astype(str).reset_index(drop=True).equals(shifted[cols].astype(str).reset_index(drop=True))


def test_a_large_crowd_finishes_within_the_search_budget():
    points = [((i % 6) * 9, (i // 6) * 7) for i in range(36)]
    out = ll.layout_labels(_at(points, [f"园区{i}" for i in range(36)]), VIEW, TEXT, DOT)
    _check(out, VIEW)


def test_the_plans_places_at_the_first_view_overlap_nothing():
    from components.maps import MAP_HEIGHT, MAP_WIDTH_GUESS, PLACE_NAME_SIZE, PLACE_RADIUS, first_view_labels

    places = pd.read_csv(PLAN_DIR / "places.csv", dtype={"id": str})
    places["label"] = places["name"] + "（示意）"
    geo = simplified(boundaries(), digits=4)
    view = fit_view(bounds(geo), MAP_WIDTH_GUESS, MAP_HEIGHT)
    names, out = first_view_labels(label_points(geo), places, view)
    name_boxes = list(names["label_box"])
    _check(out, view, obstacles=name_boxes, frame=ll.view_frame(MAP_WIDTH_GUESS, MAP_HEIGHT),
           text=ll.TextStyle(PLACE_NAME_SIZE), dot=ll.DotStyle(radius=PLACE_RADIUS + 1.5))
    # The district names stepped aside: none sits on a place's dot or on another name.
    dots = [ll.dot_box(*ll.project(lon, lat, view), ll.DotStyle(radius=PLACE_RADIUS + 1.5))
            for lon, lat in zip(places["lon"], places["lat"])]
    assert not any(n.intersects(d) for n in name_boxes for d in dots)
    assert not any(a.intersects(b) for i, a in enumerate(name_boxes) for b in name_boxes[i + 1:])
    placed = dict(zip(out["id"], out["label_position"]))
    dropped = out.loc[out["label_position"].isna(), "name"].tolist()
    print("\n".join(f"{k} {v}" for k, v in placed.items()), "\nunlabelled:", dropped)
    # The 廉江 cluster, where the labels used to run together: three of its four places keep their text.
    assert placed["P06"] and placed["P07"] and placed["P14"]
    # Dropped: one city-centre place with no free spot even at the end of a leader line, and the 廉江 test
    # centre, whose dot lies between two others. Two more city-centre places sit at the end of a leader.
    assert set(dropped) == {"霞山智慧产业城", "湛江市小家电省级产业计量测试中心"}
    leaders = out.loc[out["label_leader"], "name"].tolist()
    assert {"赤坎海田物流园", "麻章森工产业园"} <= set(leaders)
    # A leader crosses no other place's dot and no district name.
    for r in out[out["label_leader"]].itertuples():
        x, y = ll.project(r.lon, r.lat, view)
        others = [d for d, pid in zip(dots, places["id"]) if pid != r.id]
        assert not ll._segment_hits(x, y, x + r.label_offset[0], y + r.label_offset[1], [*others, *name_boxes])
    note = ll.unlabelled_note(dropped)
    assert note.startswith("地图上未标注名称的示意地点：霞山智慧产业城、") and "鼠标悬停" in note
