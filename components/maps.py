"""pydeck map builders (each returns pdk.Deck). Drawn from our own GeoJSON only: no basemap.

map_provider=None and no map_style at all: any map_style, even None, makes the browser ask
a tile server for a style, and the intranet reaches none.
"""
from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from core.district_geo import (
    bounds,
    fit_view,
    label_points,
    simplified,
    with_properties,
)
from core.district_views import Choropleth
from core.label_layout import (
    DotStyle,
    TextStyle,
    layout_labels,
    name_boxes,
    place_names,
    project,
    unproject,
    view_frame,
)

DISTRICT_LAYER = "districts"
PLACE_LAYER = "places"
# System CJK fonts only (fonts-noto-cjk on the server image, YaHei/PingFang on office PCs); no web font.
CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MAP_HEIGHT = 620
MAP_WIDTH_GUESS = 900  # the map column's width on a 1600 px screen; only used to fit the first view
PLACE_COLOR = [255, 140, 0, 235]
PLACE_RADIUS = 6  # px
DISTRICT_NAME_SIZE = 17
PLACE_NAME_SIZE = 12
LEADER_LENGTHS = (40, 70, 100)  # px: a place label with no room beside its dot moves out along a line
LEADER_COLOR = [120, 60, 0, 200]
TOOLTIP = {
    "html": "<b>{tip_title}</b><div style='white-space: pre-line; max-width: 360px'>{tip_body}</div>",
    "style": {"backgroundColor": "#ffffff", "color": "#1f2328", "fontSize": "13px",
              "border": "1px solid #d0d7de", "fontFamily": CJK_FONTS},
}


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON; for our boundaries that triples what every rerun sends to the browser.

    unlabelled_places: names of the places drawn without their text at the first view (for the
    caption under the map); kept out of the JSON.
    """

    def __init__(self, *args, unlabelled_places: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.unlabelled_places = tuple(unlabelled_places)

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=_compact_serialize, separators=(",", ":"),
                          ensure_ascii=False)


def _compact_serialize(o):
    attrs = default_serialize(o)
    if isinstance(o, CompactDeck):
        attrs.pop("unlabelledPlaces", None)
    return attrs


def rgba(hex_color: str, alpha: int = 255) -> list[int]:
    h = hex_color.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [alpha]


def _district_tips(chart: Choropleth, metric_label: str) -> pd.DataFrame:
    f = chart.frame
    demo = f["is_demo"].map({True: "\n（含演示数据）", False: ""})
    return pd.DataFrame({
        "adcode": f["adcode"],
        "fill": [rgba(c, 215) for c in f["color"]],
        "tip_title": f["district"] + "　" + chart.period,
        "tip_body": (metric_label + "：" + f["value_text"] + "\n目标：" + f["target_text"] + "\n状态：" + f["status"]
                     + "\n说明：" + f["explanation"] + demo),
    })


def _place_rows(places: pd.DataFrame) -> pd.DataFrame:
    task = places["task_id"].map(lambda t: "—" if pd.isna(t) else f"任务 {int(t)}")
    return places.assign(
        label=places["name"] + "（示意）",
        tip_title=places["name"],
        tip_body=("所在区县：" + places["district"] + "\n所属：" + task
                  + "\n位置为示意：依方案文字大致标出，并非测绘坐标\n方案原文：" + places["source_clause"]),
    )[["id", "name", "label", "district", "district_adcode", "lon", "lat", "tip_title", "tip_body"]]


def district_deck(geo: dict, chart: Choropleth, metric_label: str, places: pd.DataFrame | None = None,
                  selected: str | None = None) -> pdk.Deck:
    """The choropleth of the 9 districts with their Chinese names, the places as approximate points,
    and the selected district outlined."""
    # 4 decimals (about 10 m) is finer than a screen pixel at any zoom an official will use.
    geo = simplified(geo, digits=4)
    shaped = with_properties(geo, _district_tips(chart, metric_label))
    names = label_points(geo)
    layers = [
        pdk.Layer("GeoJsonLayer", shaped, id=DISTRICT_LAYER, pickable=True, stroked=True, filled=True,
                  get_fill_color="properties.fill", get_line_color=[255, 255, 255, 255], line_width_min_pixels=1.5,
                  auto_highlight=True, highlight_color=[255, 255, 255, 90]),
    ]
    if selected:
        one = {"type": "FeatureCollection",
               "features": [f for f in geo["features"] if f["properties"]["adcode"] == selected]}
        layers.append(pdk.Layer("GeoJsonLayer", one, id="selected-district", pickable=False, stroked=True,
                                filled=False, get_line_color=[31, 35, 40, 255], line_width_min_pixels=3.5))
    view = fit_view(bounds(geo), MAP_WIDTH_GUESS, MAP_HEIGHT)
    shown_places = places is not None and not places.empty
    rows = _place_rows(places) if shown_places else None
    names, labels = first_view_labels(names, rows, view)
    layers.append(_text_layer("district-names", names[["adcode", "name", "lon", "lat", "label_offset"]], "name",
                              size=DISTRICT_NAME_SIZE, color=[31, 35, 40, 255], offset="label_offset"))
    unlabelled: list[str] = []
    if shown_places:
        layers.append(pdk.Layer("ScatterplotLayer", rows, id=PLACE_LAYER, pickable=True, get_position=["lon", "lat"],
                                get_fill_color=PLACE_COLOR, get_line_color=[255, 255, 255, 255], stroked=True,
                                radius_units=pdk.types.String("pixels"), get_radius=PLACE_RADIUS,
                                line_width_min_pixels=1.5))
        shown = labels["label_position"].notna()
        unlabelled = labels.loc[~shown, "name"].tolist()
        text_rows, lines = place_text_rows(labels[shown], view)
        if not lines.empty:
            layers.append(pdk.Layer("LineLayer", lines, id="place-leaders", pickable=False, get_source_position="from",
                                    get_target_position="to", get_color=LEADER_COLOR, get_width=1,
                                    width_units=pdk.types.String("pixels")))
        # Plain strings are accessors of each row's field: every label has its own anchor and offset.
        layers.append(_text_layer("place-names", text_rows, "label", size=PLACE_NAME_SIZE, color=[120, 60, 0, 255],
                                  anchor="label_anchor", offset="label_offset"))
    lon, lat, zoom = view
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom),
                       map_provider=None, tooltip=TOOLTIP, height=MAP_HEIGHT, unlabelled_places=tuple(unlabelled))


def first_view_labels(names: pd.DataFrame, places: pd.DataFrame | None, view: tuple[float, float, float]):
    """(district names with their offsets, place labels) at the first view: the names step aside from
    the places' dots (core.label_layout.place_names), then the places' labels keep clear of the names
    where they are drawn. Without places, the labels frame is None."""
    dots = places if places is not None else names.iloc[0:0]
    names = place_names(names, dots, view, TextStyle(DISTRICT_NAME_SIZE), DotStyle(radius=PLACE_RADIUS + 1.5))
    return names, (place_label_layout(places, names, view) if places is not None else None)


def place_text_rows(labels: pd.DataFrame, view: tuple[float, float, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The place-names rows and the leader lines. A label beside its dot keeps a pixel offset from it; a
    label at the end of a leader is placed at that end's own lon/lat (offset 0), so the line and the text
    stay together at every zoom."""
    rows, lines = [], []
    for r in labels.to_dict("records"):
        row = {k: r[k] for k in ("id", "name", "label", "lon", "lat", "label_anchor", "label_offset")}
        if r.get("label_leader"):
            x, y = project(r["lon"], r["lat"], view)
            lon, lat = unproject(x + r["label_offset"][0], y + r["label_offset"][1], view)
            lines.append({"id": r["id"], "from": [r["lon"], r["lat"]], "to": [round(lon, 5), round(lat, 5)]})
            row.update(lon=round(lon, 5), lat=round(lat, 5), label_offset=[0, 0])
        rows.append(row)
    return (pd.DataFrame(rows, columns=["id", "name", "label", "lon", "lat", "label_anchor", "label_offset"]),
            pd.DataFrame(lines, columns=["id", "from", "to"]))


def place_label_layout(rows: pd.DataFrame, names: pd.DataFrame, view: tuple[float, float, float]) -> pd.DataFrame:
    """Where each place's label goes at the first view (core.label_layout): clear of the other labels,
    the district names (where place_names put them, when it has) and the other dots; label_position is
    missing for a place left without text."""
    district_names = (list(names["label_box"]) if "label_box" in names
                      else name_boxes(names, view, TextStyle(DISTRICT_NAME_SIZE)))
    return layout_labels(rows, view, TextStyle(PLACE_NAME_SIZE), DotStyle(radius=PLACE_RADIUS + 1.5),
                         obstacles=district_names, frame=view_frame(MAP_WIDTH_GUESS, MAP_HEIGHT),
                         leaders=LEADER_LENGTHS)


def _text_layer(layer_id: str, data: pd.DataFrame, field: str, size: int, color: list[int],
                anchor: str | pdk.types.String = pdk.types.String("middle"),
                offset: str | list[int] | None = None) -> pdk.Layer:
    """anchor and offset: constants (pdk.types.String, a list), or the name of a field of each row."""
    return pdk.Layer(
        "TextLayer", data, id=layer_id, pickable=False, get_position=["lon", "lat"], get_text=field,
        get_size=size, get_color=color, get_text_anchor=anchor, get_alignment_baseline=pdk.types.String("center"),
        get_pixel_offset=offset or [0, 0], font_family=pdk.types.String(CJK_FONTS),
        character_set=pdk.types.String("auto"), font_settings={"sdf": True}, outline_width=3,
        outline_color=[255, 255, 255, 230],
    )
