"""Where each place's name goes on the district map's first view: beside its dot, over no other text.

deck.gl draws every TextLayer label at a fixed pixel size whatever the zoom, so at the view the map
opens with (core.district_geo.fit_view) the names of nearby places run into each other. This module
projects the points to pixels at that view, estimates each label's box and gives every place the
first of a fixed list of positions around its dot (right, left, above, below, then the diagonals)
whose box meets no other label, no district name and no other place's dot, leaving out as few
labels as it can. A place for which no position fits keeps its dot and tooltip but has no text at
this zoom; the page names it in a caption (unlabelled_note).

Pure and deterministic: the same places, names and view give the same layout, in the order given.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

# deck.gl's MapView (like Mapbox GL) draws the world 512·2^zoom px wide, not the 256 px of raster
# tiles; core.district_geo.fit_view and the browser test use the same figure.
WORLD_PX = 512


@dataclass(frozen=True)
class Box:
    """A screen rectangle in px, y downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: Box) -> bool:
        """True when the two share more than an edge."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.y0 >= other.y0 and self.x1 <= other.x1 and self.y1 <= other.y1


@dataclass(frozen=True)
class Position:
    """One candidate: deck.gl text anchor and pixel offset ([dx, dy], y downwards) from the point."""

    name: str
    anchor: str  # "start" | "middle" | "end"
    dx: float
    dy: float
    leader: bool = False  # away from the dot, joined to it by a line (components.maps draws it)


@dataclass(frozen=True)
class TextStyle:
    size: float  # px, TextLayer get_size
    outline: float = 2.0  # px of white outline (and a little air) on every side of the glyphs


@dataclass(frozen=True)
class DotStyle:
    radius: float = 7.5  # px: the ScatterplotLayer's radius plus its white outline
    gap: float = 2.0  # px between the dot's edge and the nearest glyph


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def project(lon: float, lat: float, view: tuple[float, float, float]) -> tuple[float, float]:
    """(x, y) px of lon/lat from the centre of a Web Mercator view (lon, lat, zoom), y downwards."""
    lon0, lat0, zoom = view
    scale = WORLD_PX * 2 ** zoom
    return ((lon - lon0) / 360 * scale, -(_merc_y(lat) - _merc_y(lat0)) / (2 * math.pi) * scale)


def _is_wide(ch: str) -> bool:
    # CJK ideographs and punctuation, full-width forms (（）), and the em dash of 湛江—北海: one em each.
    code = ord(ch)
    return code >= 0x2E80 or ch in "—…“”‘’"


def text_width(text: str, size: float) -> float:
    """Estimated advance of `text` in px: CJK characters one font size each, Latin letters and digits ~0.6."""
    return sum(size if _is_wide(ch) else 0.6 * size for ch in text)


def text_box(x: float, y: float, text: str, style: TextStyle, anchor: str = "middle",
             dx: float = 0.0, dy: float = 0.0, width: float | None = None) -> Box:
    """The box of a label drawn at (x, y) + (dx, dy) with alignment baseline "center" (`width`: its
    text_width, when already known)."""
    w = text_width(text, style.size) if width is None else width
    cx, cy = x + dx, y + dy
    left = {"start": cx, "middle": cx - w / 2, "end": cx - w}[anchor]
    half_h = style.size / 2
    o = style.outline
    return Box(left - o, cy - half_h - o, left + w + o, cy + half_h + o)


def dot_box(x: float, y: float, dot: DotStyle) -> Box:
    return Box(x - dot.radius, y - dot.radius, x + dot.radius, y + dot.radius)


def leader_positions(lengths: tuple[float, ...]) -> tuple[Position, ...]:
    """Labels moved out along a line from the dot, for each length (px): up, down, then the diagonals; the
    text begins (or, on the left, ends) where the line ends."""
    out = []
    for n in lengths:
        d = n * math.sqrt(0.5)
        out += [Position(f"leader-up-{n:g}", "middle", 0, -n, True),
                Position(f"leader-down-{n:g}", "middle", 0, n, True),
                Position(f"leader-up-right-{n:g}", "start", d, -d, True),
                Position(f"leader-down-right-{n:g}", "start", d, d, True),
                Position(f"leader-up-left-{n:g}", "end", -d, -d, True),
                Position(f"leader-down-left-{n:g}", "end", -d, d, True)]
    return tuple(out)


def _segment_hits(x0: float, y0: float, x1: float, y1: float, boxes: list[Box] | tuple[Box, ...]) -> bool:
    """Whether the line from (x0, y0) to (x1, y1) passes through any of `boxes` (sampled every 2 px)."""
    steps = max(int(math.dist((x0, y0), (x1, y1)) / 2), 1)
    for k in range(1, steps + 1):
        t = k / steps
        px, py = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        if any(b.x0 <= px <= b.x1 and b.y0 <= py <= b.y1 for b in boxes):
            return True
    return False


def candidate_positions(text: TextStyle, dot: DotStyle) -> tuple[Position, ...]:
    """Right, left, above, below, then above-right, below-right, above-left, below-left: the fixed order."""
    side = dot.radius + dot.gap  # from the point to the glyphs beside the dot
    vert = dot.radius + dot.gap + text.size / 2  # from the point to the middle of a line above or below
    # On the diagonals the box's corner, outline included, sits just outside the round dot (on the 45° ray).
    corner = (dot.radius + 1) * math.sqrt(0.5)
    diag = corner + text.outline
    diag_v = diag + text.size / 2
    return (
        Position("right", "start", side, 0),
        Position("left", "end", -side, 0),
        Position("above", "middle", 0, -vert),
        Position("below", "middle", 0, vert),
        Position("above-right", "start", diag, -diag_v),
        Position("below-right", "start", diag, diag_v),
        Position("above-left", "end", -diag, -diag_v),
        Position("below-left", "end", -diag, diag_v),
    )


def name_boxes(names: pd.DataFrame, view: tuple[float, float, float], style: TextStyle,
               field: str = "name") -> list[Box]:
    """Boxes of labels centred on their points (the district names: anchor middle, no offset)."""
    return [text_box(*project(lon, lat, view), text, style)
            for lon, lat, text in zip(names["lon"], names["lat"], names[field])]


def place_names(names: pd.DataFrame, dots: pd.DataFrame, view: tuple[float, float, float], style: TextStyle,
                dot: DotStyle = DotStyle(), field: str = "name") -> pd.DataFrame:
    """`names` (the district names, centred on their points) with a label_offset each that keeps the name
    clear of every place's dot and of the names placed before it: the first free of a few small shifts
    (none, up, down, left, right, then twice as far). A name that fits nowhere keeps its own point.
    Added columns: label_offset ([dx, dy] whole px), label_box (a Box)."""
    dot_boxes = [dot_box(*project(lon, lat, view), dot) for lon, lat in zip(dots["lon"], dots["lat"])]
    step = round(style.size * 0.9)
    shifts = [(0, 0), (0, -step), (0, step), (-step * 2, 0), (step * 2, 0), (0, -2 * step), (0, 2 * step)]
    placed: list[Box] = []
    offsets, boxes = [], []
    for lon, lat, text in zip(names["lon"], names["lat"], names[field]):
        x, y = project(lon, lat, view)
        width = text_width(text, style.size)
        choice = None
        for dx, dy in shifts:
            box = text_box(x, y, text, style, "middle", dx, dy, width)
            if not any(box.intersects(b) for b in dot_boxes) and not any(box.intersects(b) for b in placed):
                choice = ((dx, dy), box)
                break
        if choice is None:
            choice = ((0, 0), text_box(x, y, text, style, "middle", 0, 0, width))
        offsets.append(list(choice[0]))
        boxes.append(choice[1])
        placed.append(choice[1])
    return names.assign(label_offset=offsets, label_box=boxes)


def layout_labels(places: pd.DataFrame, view: tuple[float, float, float], text: TextStyle,
                  dot: DotStyle = DotStyle(), obstacles: tuple[Box, ...] | list[Box] = (),
                  frame: Box | None = None, field: str = "label", leaders: tuple[float, ...] = ()) -> pd.DataFrame:
    """`places` (lon, lat and `field`) with where each label goes at `view`.

    Added columns: label_position (a Position name, or None when no position fits), label_anchor,
    label_offset ([dx, dy] in whole px, y downwards), label_box (a Box, or None), label_leader (True when
    the label sits away from its dot at the end of a line; with `leaders`, the lengths in px tried after
    every position beside the dot, so a label in a crowd moves out along a line instead of disappearing).
    A label never meets another label, an obstacle (the district names), the dot of another place or, when `frame` (the
    visible area around the view's centre) is given, the edge of the map.

    As few places as possible go without a label; among equally full layouts, the places keep the
    earliest positions of candidate_positions, earlier places first (so with room for everyone each
    place simply gets its first free position, tried in the fixed order).
    """
    points = tuple(project(lon, lat, view) for lon, lat in zip(places["lon"], places["lat"]))
    chosen = place_boxes(points, tuple(places[field]), text, dot, tuple(obstacles), frame, tuple(leaders))
    rows = [{"label_position": None, "label_anchor": "start", "label_offset": [0, 0], "label_box": None,
             "label_leader": False}
            if c is None else
            {"label_position": c[0].name, "label_anchor": c[0].anchor, "label_offset": list(c[1]), "label_box": c[2],
             "label_leader": c[0].leader}
            for c in chosen]
    extra = pd.DataFrame(rows, index=places.index,
                         columns=["label_position", "label_anchor", "label_offset", "label_box", "label_leader"])
    return pd.concat([places, extra], axis=1)


Choice = tuple[Position, tuple[int, int], Box]


@lru_cache(maxsize=32)
def place_boxes(points: tuple[tuple[float, float], ...], labels: tuple[str, ...], text: TextStyle, dot: DotStyle,
                obstacles: tuple[Box, ...] = (), frame: Box | None = None,
                leaders: tuple[float, ...] = ()) -> tuple[Choice | None, ...]:
    """layout_labels on pixel points: for each label (position, offset, box), or None. Cached, since the
    page asks for the same layout on every rerun."""
    dots = [dot_box(x, y, dot) for x, y in points]
    positions = candidate_positions(text, dot) + leader_positions(leaders)
    options: list[list[Choice]] = []
    for i, (label, (x, y)) in enumerate(zip(labels, points)):
        others = dots[:i] + dots[i + 1:]
        width = text_width(label, text.size)
        mine = []
        for pos in positions:
            dx, dy = round(pos.dx), round(pos.dy)  # deck.gl receives whole px: test the box it will draw
            box = text_box(x, y, label, text, pos.anchor, dx, dy, width)
            if frame is not None and not box.inside(frame):
                continue
            if any(box.intersects(b) for b in obstacles) or any(box.intersects(b) for b in others):
                continue
            # A leader line crosses no other dot and no district name (the label boxes are kept apart below).
            if pos.leader and _segment_hits(x, y, x + dx, y + dy, [*others, *obstacles]):
                continue
            mine.append((pos, (dx, dy), box))
        options.append(mine)

    chosen: list[Choice | None] = [None] * len(options)
    for group in _groups(options):
        for i, k in zip(group, _best(group, options)):
            chosen[i] = None if k is None else options[i][k]
    return tuple(chosen)


def _groups(options: list[list[Choice]]) -> list[list[int]]:
    """The places whose candidate boxes can meet, directly or through others: solved together."""
    parent = list(range(len(options)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(options)):
        for j in range(i + 1, len(options)):
            if root(i) != root(j) and any(a[2].intersects(b[2]) for a in options[i] for b in options[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(options)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


SEARCH_BUDGET = 20_000  # tries per group; the plan's places need a few hundred


def _best(group: list[int], options: list[list[Choice]]) -> list[int | None]:
    """For the places of `group` (in order), the index of each one's option, or None: the most labels,
    then the earliest options. A depth-first search whose first leaf is the greedy layout; it only
    gives way to a layout with more labels, and stops after SEARCH_BUDGET tries (deterministically)."""
    best: list[int | None] = []
    best_count = -1
    current: list[int | None] = []
    placed: list[Box] = []
    tries = 0

    def search(depth: int, count: int) -> None:
        nonlocal best, best_count, tries
        if count + (len(group) - depth) <= best_count or (tries >= SEARCH_BUDGET and best_count >= 0):
            return  # cannot beat the best, or out of tries (never before the first, greedy, layout)
        if depth == len(group):
            best, best_count = list(current), count
            return
        for k, (_, _, box) in enumerate(options[group[depth]]):
            tries += 1
            if any(box.intersects(b) for b in placed):
                continue
            current.append(k)
            placed.append(box)
            search(depth + 1, count + 1)
            placed.pop()
            current.pop()
        current.append(None)
        search(depth + 1, count)
        current.pop()

    search(0, 0)
    return best


def unproject(x: float, y: float, view: tuple[float, float, float]) -> tuple[float, float]:
    """lon/lat of the px point (x, y) from the centre of the view: project() backwards."""
    lon0, lat0, zoom = view
    scale = WORLD_PX * 2 ** zoom
    m = _merc_y(lat0) - y / scale * 2 * math.pi
    return lon0 + x / scale * 360, math.degrees(2 * math.atan(math.exp(m)) - math.pi / 2)


def view_frame(width_px: float, height_px: float) -> Box:
    """The visible area of a width × height map around its centre."""
    return Box(-width_px / 2, -height_px / 2, width_px / 2, height_px / 2)


def unlabelled_note(names: list[str]) -> str:
    """The caption under the map naming the places drawn without their name at the first view."""
    return f"地图上未标注名称的示意地点：{'、'.join(names)}（鼠标悬停于橙色圆点可见名称）。"
