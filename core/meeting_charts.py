"""Altair charts of a meeting payload, in projector type sizes.

They live in core (not components) because the same charts are drawn in the browser and
rendered to PNG on the server for the PPTX and the print version; they read only the
payload, so a frozen meeting redraws exactly as shown.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.district_geo import label_points, load_geojson, rewound_for_d3, simplified, with_properties
from core.ranking import head_with_ties, tail_with_ties, tie_counts

# Installed CJK fonts only (fonts-noto-cjk on the server, YaHei/PingFang on office PCs): no web font.
FONT = "Noto Sans CJK SC"
BROWSER_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
LABEL = 16
TITLE = 18
SCREEN_BASE = 720  # screen height in px that LABEL and TITLE are chosen for (1280×720 projectors)


def _axis(**extra) -> alt.Axis:
    return alt.Axis(**{"labelAngle": 0, "labelFontSize": LABEL, "titleFontSize": TITLE, **extra})


def finish(chart, font: str = BROWSER_FONT):
    """Top-level configuration (fonts, sizes); Vega-Lite allows it only on the outermost chart."""
    return chart.configure(font=font).configure_view(stroke=None).configure_legend(
        labelFontSize=LABEL, titleFontSize=LABEL).configure_title(fontSize=TITLE + 2, anchor="start")


def _status_bars(rows: list[dict], title: str, height: int) -> alt.LayerChart:
    df = pd.DataFrame(rows)
    order = df["status"].tolist()
    base = alt.Chart(df, title=title).encode(
        y=alt.Y("status:N", sort=order, title=None, axis=_axis()),
        x=alt.X("count:Q", title="数量", axis=_axis(tickMinStep=1, tickCount=5)),
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(color=alt.Color("color:N", scale=None),
                                                   tooltip=[alt.Tooltip("status:N", title="状态"),
                                                            alt.Tooltip("count:Q", title="数量")])
    text = base.mark_text(align="left", dx=6, fontSize=LABEL, fontWeight="bold").encode(text="count:Q")
    return (bars + text).properties(width=400, height=height)


def overview_parts(payload: dict, height: int = 340) -> list:
    """Targets and tasks per status, each bar in the status's own colour."""
    o = payload["overview"]
    return [_status_bars(o["targets"], f"指标（共 {o['target_total']} 个）", height),
            _status_bars(o["tasks"], f"任务（共 {o['task_total']} 项）", height)]


RANK_SHOWN = 10  # a projector holds ten names a side; the full ranking is in print and Excel
GRADE_COLORS = alt.Scale(domain=["A", "B", "C", "D"], range=["#1a7f37", "#2da44e", "#d4a72c", "#cf222e"])


def _ranking_bars(df: pd.DataFrame, title: str, height: int) -> alt.LayerChart:
    # A shared rank is marked on every bar of the tie (the title and the slide's message say it whole).
    tied = pd.Series(tie_counts(df["rank"].tolist()), index=df.index) if len(df) else pd.Series(dtype=int)
    df = df.assign(label=df["rank"].astype(str) + ". " + df["name"] + tied.map(lambda n: "（并列）" if n > 1 else ""))
    base = alt.Chart(df, title=title).encode(
        y=alt.Y("label:N", sort=df["label"].tolist(), title=None, axis=_axis(labelLimit=320)),
        x=alt.X("score:Q", title="得分", scale=alt.Scale(domain=[0, 100]), axis=_axis(tickCount=5)),
    )
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        color=alt.Color("grade:N", title="等级", scale=GRADE_COLORS, legend=None),
        tooltip=[alt.Tooltip("name:N", title="部门"), alt.Tooltip("score:Q", title="得分"),
                 alt.Tooltip("grade:N", title="等级"), alt.Tooltip("main_loss:N", title="主要失分")])
    text = base.mark_text(align="left", dx=4, fontSize=LABEL - 1).encode(
        text=alt.Text("score:Q", format=".1f"))
    return (bars + text).properties(width=330, height=height)


def ranking_parts(payload: dict, height: int = 340) -> list:
    """The first and the last RANK_SHOWN departments (all of them when there are few); a tie at the cut is
    shown whole (core.ranking), and the bars get thinner rather than a tied department being left out."""
    cols = ["rank", "name", "score", "grade", "change", "main_loss"]
    rows = [{c: r.get(c) for c in cols} for r in payload["ranking"]]
    if len(rows) <= 2 * RANK_SHOWN:
        half = (len(rows) + 1) // 2
        parts = [(rows[:half], "排名（上）"), (rows[half:], "排名（下）")]
    else:
        top, bottom = head_with_ties(rows, RANK_SHOWN), tail_with_ties(rows, RANK_SHOWN)
        parts = [(top, _cut_title("前", top)), (bottom, _cut_title("后", bottom) + f"，共 {len(rows)} 个部门")]
    longest = max(len(p) for p, _ in parts)
    high = max(height, longest * 24)  # bars no thinner than the type
    return [_ranking_bars(pd.DataFrame(p, columns=cols), title, high) for p, title in parts]


def _cut_title(side: str, shown: list[dict]) -> str:
    return f"{side} {RANK_SHOWN} 名" + (f"（含并列共 {len(shown)} 个）" if len(shown) > RANK_SHOWN else "")


def district_parts(payload: dict, height: int = 420, geo: dict | None = None) -> list:
    """The 9 districts coloured by their share of district-level targets on track, drawn from our
    own GeoJSON with no basemap, names and shares written on each district."""
    d = payload["districts"]
    frame = pd.DataFrame(d["rows"])
    shaped = with_properties(rewound_for_d3(simplified(geo or load_geojson())), frame)
    features = alt.Data(values=shaped["features"])
    legend = d["legend"]
    shapes = alt.Chart(features).mark_geoshape(stroke="white", strokeWidth=1.5).encode(
        color=alt.Color("properties.class_label:N", title="正常及达标占比",
                        scale=alt.Scale(domain=[e["label"] for e in legend], range=[e["color"] for e in legend]),
                        legend=alt.Legend(orient="right", labelFontSize=LABEL, titleFontSize=LABEL)),
        tooltip=[alt.Tooltip("properties.district:N", title="区县"),
                 alt.Tooltip("properties.value_text:N", title="正常及达标"),
                 alt.Tooltip("properties.explanation:N", title="说明")],
    ).project("mercator")
    points = _label_points(shaped)
    names = alt.Chart(points).mark_text(fontSize=LABEL - 1, fontWeight="bold", dy=-9, color="#1f2328").encode(
        longitude="lon:Q", latitude="lat:Q", text="district:N")
    shares = alt.Chart(points).mark_text(fontSize=LABEL - 3, dy=9, color="#1f2328").encode(
        longitude="lon:Q", latitude="lat:Q", text="share:N")
    return [alt.layer(shapes, names, shares).properties(width=int(height * 1.1), height=height, title=d["title"])]


def _label_points(shaped: dict) -> pd.DataFrame:
    pts = label_points(shaped)
    props = {f["properties"]["adcode"]: f["properties"] for f in shaped["features"]}
    pts["district"] = pts["adcode"].map(lambda a: props[a].get("district") or props[a]["name"])
    pts["share"] = pts["adcode"].map(lambda a: "—" if props[a].get("value") is None else f"{props[a]['value']:.0f}%")
    return pts


# Sizes that go with the type: font sizes, the room given to axis labels and the offsets of text marks.
_TYPE_KEYS = frozenset({"fontSize", "labelFontSize", "titleFontSize", "labelLimit", "dx", "dy"})
_DATA_KEYS = frozenset({"data", "datasets", "values"})


def scaled_to_screen(spec: dict, most: float = 1.6) -> dict:
    """A Vega-Lite spec whose type grows with the browser window like the slides' vh-sized type: every size in
    _TYPE_KEYS is multiplied by the window height over SCREEN_BASE (Vega's windowSize()), between 1 and `most`,
    so 1920×1080 draws 1.5× the type of 1280×720 in a chart that is 1.5× as high. For the browser only: a
    server-rendered PNG has no window, and keeps the sizes as built."""
    out = _scale_sizes(spec, lambda v: {"expr": f"{v} * mt_type_scale"})
    out["params"] = [*out.get("params", []),
                     {"name": "mt_type_scale", "expr": f"clamp(windowSize()[1] / {SCREEN_BASE}, 1, {most})"}]
    return out


def scaled_type(spec: dict, factor: float) -> dict:
    """The spec with every size in _TYPE_KEYS times `factor`: the deck's pictures are shrunk to the slide, so
    their type is drawn larger to read at the slide's body size."""
    return _scale_sizes(spec, lambda v: round(v * factor, 1))


def _scale_sizes(spec: dict, change) -> dict:
    def walk(node):
        if isinstance(node, dict):
            return {k: v if k in _DATA_KEYS else change(v) if k in _TYPE_KEYS and _is_number(v) else walk(v)
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(spec)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


CHARTS = {"overview": overview_parts, "ranking": ranking_parts, "districts": district_parts}


def slide_figure(key: str, payload: dict, font: str = FONT, height: int | None = None, part: int | None = None):
    """A chart slide as one figure (its parts side by side, or only `part`), for the server-side PNG."""
    parts = CHARTS[key](payload, height) if height else CHARTS[key](payload)
    if part is not None:
        # One part alone fills a slide: rows high enough for the deck's larger type (30 px a bar).
        chosen = parts[part]
        rows = len(chosen.data) if isinstance(chosen.data, pd.DataFrame) else 10
        parts = [chosen.properties(width=560, height=max(340, rows * 30))]
    return finish(parts[0] if len(parts) == 1 else alt.hconcat(*parts, spacing=50), font)
