"""What the 区县地图 shows: per-district values, statuses and shares, their colours and legends.

Every status comes from core.status (the one engine); this module only arranges the
district-level results into choropleth classes, rankings, a district's panel and the
frames behind small multiples across periods.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from core.catalogue_versions import Version, targets_in_force
from core.status import GOOD_LABELS, TARGET_KINDS, TargetSpec, evaluate_targets, fmt, target_text

METRICS = {
    "value": "指标实际值",
    "status": "指标状态",
    "on_track": "正常及达标指标占比",
    "completeness": "报送完整率",
}
TARGET_METRICS = ("value", "status")

# Light grey is used by no class of any palette below, so "no data" never reads as a value.
NO_DATA_COLOR = "#e6e6e6"
NO_DATA_LABEL = "无数据"
# Yellow to dark blue: darker is better; reversed for targets where lower is better.
VALUE_PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
# Shares are held to fixed breaks so that periods and districts compare on one scale.
SHARE_BREAKS = (0.0, 50.0, 75.0, 90.0, 100.0)
SHARE_PALETTE = ("#d73027", "#fc8d59", "#91cf60", "#1a9850")

GRID_COLUMNS = ["target_id", "target_name", "unit", "comparator", "target_value", "target_text", "adcode", "district",
                "value", "value_text", "status", "color", "rank", "explanation", "is_demo"]


@dataclass(frozen=True)
class LegendEntry:
    label: str
    color: str


@dataclass(frozen=True)
class Choropleth:
    """One map: a row per district (adcode, district, value, value_text, target_text, status,
    explanation, color, class_label), the legend that reads it and a note saying how the classes were made."""

    metric: str
    title: str
    period: str
    frame: pd.DataFrame
    legend: tuple[LegendEntry, ...]
    note: str = ""


# --- The district × target grid ------------------------------------------------------------------


def district_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """The targets the plan breaks down by district."""
    return targets[targets["district_breakdown"]].reset_index(drop=True)


def district_grid(targets: pd.DataFrame, values: pd.DataFrame, districts: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per (district-level target, district) with the value reported for `period` and its status.

    A district that never reported a target still gets its row, as 未报送, so no district drops off the map.
    values: current values of any period up to `period` (db.queries.current_values).
    """
    dt = district_targets(targets)
    local = values[(values["district_adcode"] != "") & values["target_id"].isin(dt["id"])]
    local = local[local["period_code"] <= period]
    status = evaluate_targets(dt, local, period, district_level=True, units=list(districts["adcode"]))
    # Plain dicts, not .loc: at province scale the grid has thousands of cells per period.
    judged = {(r["target_id"], r["district_adcode"]): r for r in status.to_dict("records")}
    now_rows = local.loc[local["period_code"] == period, ["target_id", "district_adcode", "value", "is_demo"]]
    now = {(r["target_id"], r["district_adcode"]): r for r in now_rows.to_dict("records")}
    units = list(zip(districts["adcode"], districts["name"]))
    rows = []
    for t in dt.to_dict("records"):
        goal = target_text(TargetSpec.from_row(t))
        for adcode, name in units:
            key = (t["id"], adcode)
            s = judged[key]
            label, color, rank, explanation = s["status"], s["color"], int(s["rank"]), s["explanation"]
            reported = now.get(key)
            value = None if reported is None or pd.isna(reported["value"]) else float(reported["value"])
            rows.append({
                "target_id": t["id"], "target_name": t["name"], "unit": t["unit"], "comparator": t["comparator"],
                "target_value": float(t["target_value"]), "target_text": goal, "adcode": adcode, "district": name,
                "value": value,
                "value_text": fmt(value, t["unit"]), "status": label, "color": color, "rank": rank,
                "explanation": explanation, "is_demo": bool(reported["is_demo"]) if reported is not None else False,
            })
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


# --- Class breaks --------------------------------------------------------------------------------


def class_breaks(values: pd.Series | list, classes: int = 5) -> tuple[float, ...]:
    """Quantile class edges from the lowest to the highest value (fewer classes when values repeat).

    Quantiles rather than equal steps: district values of a rate bunch near the top, and equal
    steps would put eight of nine districts in one colour.
    """
    s = pd.Series(values, dtype="float64").dropna()
    if s.empty:
        return ()
    lo, hi = float(s.min()), float(s.max())
    if math.isclose(lo, hi):
        return (lo, hi)
    inner = [round(float(s.quantile(i / classes)), 1) for i in range(1, classes)]
    edges = [lo, *sorted({v for v in inner if lo < v < hi}), hi]
    return tuple(edges)


def classify(value: float | None, breaks: tuple[float, ...]) -> int | None:
    """Index of the class holding `value` (each class includes its upper edge's left side; the last is closed)."""
    if value is None or pd.isna(value) or len(breaks) < 2:
        return None
    for i in range(len(breaks) - 2):
        if value < breaks[i + 1]:
            return i
    return len(breaks) - 2


def _palette(n: int, reverse: bool) -> tuple[str, ...]:
    """n colours spread over VALUE_PALETTE so that the last is always the darkest."""
    if n <= 0:
        return ()
    idx = [round(i * (len(VALUE_PALETTE) - 1) / max(n - 1, 1)) for i in range(n)] if n > 1 else [len(VALUE_PALETTE) - 1]
    colors = tuple(VALUE_PALETTE[i] for i in idx)
    return colors[::-1] if reverse else colors


def _range_label(lo: float, hi: float, unit: str) -> str:
    u = "" if unit == "是/否" else unit
    return f"{fmt(lo, '')}–{fmt(hi, u)}"


def value_legend(breaks: tuple[float, ...], unit: str, comparator: str) -> tuple[LegendEntry, ...]:
    """Legend of a target's values: one entry per class, then the no-data colour."""
    if unit == "是/否":
        return (LegendEntry("是", VALUE_PALETTE[-1]), LegendEntry("否", VALUE_PALETTE[0]),
                LegendEntry(NO_DATA_LABEL, NO_DATA_COLOR))
    n = max(len(breaks) - 1, 0)
    colors = _palette(n, reverse=comparator == "≤")
    entries = [LegendEntry(_range_label(breaks[i], breaks[i + 1], unit), colors[i]) for i in range(n)]
    return (*entries, LegendEntry(NO_DATA_LABEL, NO_DATA_COLOR))


def _value_color(value: float | None, breaks: tuple[float, ...], unit: str, comparator: str) -> tuple[str, str]:
    if value is None or pd.isna(value) or (len(breaks) < 2 and unit != "是/否"):
        return NO_DATA_COLOR, NO_DATA_LABEL
    if unit == "是/否":
        return (VALUE_PALETTE[-1], "是") if value >= 1 else (VALUE_PALETTE[0], "否")
    legend = value_legend(breaks, unit, comparator)
    i = classify(value, breaks)
    if i is None:  # outside the breaks: a value the breaks were not computed from
        i = 0 if value < breaks[0] else len(breaks) - 2
    return legend[i].color, legend[i].label


# Classes on either side of the target: blues reached it (darker is better), oranges did not (darker is
# further away), so 94.4% (missed) never shares a colour with 96.1% (met) under a 96% target.
MET_PALETTE = ("#9ecae1", "#4292c6", "#08519c")
MISSED_PALETTE = ("#fdd0a2", "#fd8d3c", "#d94801")


def _reaches(value: float, goal: float, comparator: str) -> bool:
    return value <= goal + 1e-9 if comparator == "≤" else value >= goal - 1e-9


def target_classes(values: pd.Series | list, goal: float, comparator: str, unit: str,
                   classes: int = 4) -> tuple[tuple[float, ...], tuple[LegendEntry, ...]]:
    """Class edges from this period's values with the target as one more edge, and their legend
    (without the no-data entry): each class says whether it reaches the target."""
    breaks = list(class_breaks(values, classes))
    if len(breaks) >= 2 and breaks[0] < goal < breaks[-1] and not any(math.isclose(goal, b) for b in breaks):
        breaks = sorted([*breaks, goal])
    n = len(breaks) - 1
    if n < 1:
        return tuple(breaks), ()
    if math.isclose(breaks[0], breaks[-1]):  # every district the same value: one class
        met = _reaches(breaks[0], goal, comparator)
        color = MET_PALETTE[-1] if met else MISSED_PALETTE[0]
        return tuple(breaks), (LegendEntry(f"{fmt(breaks[0], unit)}{'，达到目标' if met else ''}", color),)
    lower_better = comparator == "≤"
    met = [_reaches(breaks[i + 1] if lower_better else breaks[i], goal, comparator) for i in range(n)]
    met_idx = [i for i in range(n) if met[i]]
    missed_idx = [i for i in range(n) if not met[i]]
    colors: dict[int, str] = {}
    # Reached: the better the class, the darker. Missed: the further from the target, the darker.
    good_order = sorted(met_idx, key=lambda i: breaks[i], reverse=lower_better)
    for rank, i in enumerate(good_order):
        colors[i] = _spread(MET_PALETTE, len(good_order))[rank]
    near_first = sorted(missed_idx, key=lambda i: abs((breaks[i] + breaks[i + 1]) / 2 - goal))
    for rank, i in enumerate(near_first):
        colors[i] = _spread(MISSED_PALETTE, len(near_first))[rank]
    legend = tuple(LegendEntry(_range_label(breaks[i], breaks[i + 1], unit) + ("，达到目标" if met[i] else ""),
                               colors[i]) for i in range(n))
    return tuple(breaks), legend


def _spread(palette: tuple[str, ...], n: int) -> tuple[str, ...]:
    """n colours of palette, light to dark, the last always the darkest."""
    if n <= 1:
        return palette[-1:] if n == 1 else ()
    return tuple(palette[round(i * (len(palette) - 1) / (n - 1))] for i in range(n))


def share_legend() -> tuple[LegendEntry, ...]:
    b = SHARE_BREAKS
    labels = [f"低于{b[1]:g}%", *(f"{b[i]:g}%–{b[i + 1]:g}%" for i in range(1, len(b) - 2)), f"{b[-2]:g}%及以上"]
    return (*(LegendEntry(lab, c) for lab, c in zip(labels, SHARE_PALETTE)), LegendEntry(NO_DATA_LABEL, NO_DATA_COLOR))


def _share_color(share: float | None) -> tuple[str, str]:
    legend = share_legend()
    i = classify(share, SHARE_BREAKS)
    return (NO_DATA_COLOR, NO_DATA_LABEL) if i is None else (legend[i].color, legend[i].label)


def status_legend() -> tuple[LegendEntry, ...]:
    return tuple(LegendEntry(k.label, k.color) for k in TARGET_KINDS)


def target_value_breaks(values: pd.DataFrame, target_id: str, period: str) -> tuple[float, ...]:
    """Breaks from every district value of the target up to `period`, so every period shares one legend."""
    v = values[(values["target_id"] == target_id) & (values["district_adcode"] != "")
               & (values["period_code"] <= period)]
    return class_breaks(v["value"])


# --- Choropleths ---------------------------------------------------------------------------------


def choropleth(metric: str, grid: pd.DataFrame, period: str, target_id: str | None = None,
               breaks: tuple[float, ...] = ()) -> Choropleth:
    """The map of one metric for one period; `target_id` (and its value `breaks`) for the target metrics."""
    if metric in TARGET_METRICS:
        return _target_choropleth(metric, grid, period, target_id, breaks)
    if metric == "on_track":
        return _on_track_choropleth(grid, period)
    if metric == "completeness":
        return _completeness_choropleth(grid, period)
    raise ValueError(f"未知的地图指标：{metric}")


def _target_choropleth(metric: str, grid: pd.DataFrame, period: str, target_id: str | None,
                       breaks: tuple[float, ...]) -> Choropleth:
    rows = grid[grid["target_id"] == target_id]
    if rows.empty:
        raise ValueError(f"{target_id} 不是分区县指标")
    frame = rows[["adcode", "district", "value", "value_text", "target_text", "status", "explanation",
                  "is_demo"]].copy()
    first = rows.iloc[0]
    note = ""
    if metric == "status":
        frame["color"] = rows["color"].to_numpy()
        frame["class_label"] = rows["status"].to_numpy()
        legend = status_legend()
        title = f"{first['target_name']}：状态"
        note = f"颜色为各区县 {period} 的状态，判定规则与全站相同。"
    elif breaks or first["unit"] == "是/否":
        # Shared breaks (the small multiples: one legend for every period shown).
        picked = [_value_color(v, breaks, first["unit"], first["comparator"]) for v in rows["value"]]
        frame["color"] = [c for c, _ in picked]
        frame["class_label"] = [lab for _, lab in picked]
        legend = value_legend(breaks, first["unit"], first["comparator"])
        title = f"{first['target_name']}（{first['target_text']}）"
        note = "" if first["unit"] == "是/否" else "各期统一分级（按所示各期的全部区县数值）。"
    else:
        edges, entries = target_classes(rows["value"], float(first["target_value"]), first["comparator"],
                                        first["unit"])
        labels = [e.label for e in entries]
        colors = [e.color for e in entries]
        picked = []
        for v in rows["value"]:
            i = classify(v, edges) if entries else None
            picked.append((NO_DATA_COLOR, NO_DATA_LABEL) if i is None else (colors[i], labels[i]))
        frame["color"] = [c for c, _ in picked]
        frame["class_label"] = [lab for _, lab in picked]
        legend = (*entries, LegendEntry(NO_DATA_LABEL, NO_DATA_COLOR))
        title = f"{first['target_name']}（{first['target_text']}）"
        note = (f"按 {period} 九个区县的数值分级，目标 {first['target_text']} 为分界："
                "蓝色达到目标（越深越好），橙色未达到（越深差距越大）。")
    return Choropleth(metric, title, period, frame.reset_index(drop=True), legend, note)



def _per_district(grid: pd.DataFrame):
    for (adcode, name), g in grid.groupby(["adcode", "district"], sort=False):
        yield adcode, name, g


def _status_summary(g: pd.DataFrame) -> str:
    counts = g["status"].value_counts()
    parts = [f"{k.label} {int(counts.get(k.label, 0))} 项" for k in TARGET_KINDS if counts.get(k.label, 0)]
    return f"{len(g)} 项分区县指标中：" + "，".join(parts)


def _on_track_choropleth(grid: pd.DataFrame, period: str) -> Choropleth:
    rows = []
    for adcode, name, g in _per_district(grid):
        good = int(g["status"].isin(GOOD_LABELS).sum())
        share = 100.0 * good / len(g) if len(g) else None
        color, label = _share_color(share)
        rows.append({"adcode": adcode, "district": name, "value": share,
                     "value_text": "—" if share is None else f"{good}/{len(g)} 项（{share:.0f}%）",
                     "target_text": "全部正常或已达标", "status": label, "explanation": _status_summary(g),
                     "is_demo": bool(g["is_demo"].any()), "color": color, "class_label": label})
    return Choropleth("on_track", "分区县指标中正常及已达标的占比", period, pd.DataFrame(rows), share_legend())


def _completeness_choropleth(grid: pd.DataFrame, period: str) -> Choropleth:
    rows = []
    for adcode, name, g in _per_district(grid):
        reported = int(g["value"].notna().sum())
        share = 100.0 * reported / len(g) if len(g) else None
        color, label = _share_color(share)
        missing = g.loc[g["value"].isna(), "target_id"].tolist()
        why = f"{period} 未报送：{'、'.join(missing)}" if missing else f"{period} 分区县指标均已报送"
        rows.append({"adcode": adcode, "district": name, "value": share,
                     "value_text": "—" if share is None else f"{reported}/{len(g)} 项（{share:.0f}%）",
                     "target_text": "100%", "status": label, "explanation": why,
                     "is_demo": bool(g["is_demo"].any()), "color": color, "class_label": label})
    return Choropleth("completeness", "分区县指标报送完整率", period, pd.DataFrame(rows), share_legend())


# --- Ranking, panel, small multiples ------------------------------------------------------------


def ranking(chart: Choropleth, comparator: str = "≥") -> pd.DataFrame:
    """The 9 districts best first; districts without a value share the last place, marked 无数据.

    Lower is better only for targets held to ≤; shares are always higher-is-better.
    """
    f = chart.frame.copy()
    lower_better = chart.metric in TARGET_METRICS and comparator == "≤"
    has = f[f["value"].notna()].sort_values(["value", "district"], ascending=[lower_better, True], kind="stable")
    has = has.assign(place=has["value"].rank(method="min", ascending=lower_better).astype(int))
    none = f[f["value"].isna()].assign(place=len(has) + 1)
    out = pd.concat([has, none], ignore_index=True)
    return out[["place", "district", "adcode", "value", "value_text", "status", "explanation"]]


def short_name(district: str) -> str:
    """廉江市 → 廉江: the plan names districts without their 区/县/市."""
    return district[:-1] if len(district) > 2 and district[-1] in "区县市" else district


def district_tasks(district: str, tasks: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Tasks concerning the district: those naming it (or one of its places) and those its places belong to."""
    own = places[places["district"] == district]
    names = [short_name(district), *own["name"]]
    rows = []
    for t in tasks.to_dict("records"):
        why = [f"原文提及“{n}”" for n in names if n in t["content"]]
        why += [f"地点：{p}" for p in own.loc[own["task_id"] == t["id"], "name"]]
        if why:
            rows.append({"task_id": t["id"], "title": t["title"], "lead_department": t["lead_department"],
                         "basis": "；".join(dict.fromkeys(why))})
    return pd.DataFrame(rows, columns=["task_id", "title", "lead_department", "basis"])


@dataclass(frozen=True)
class DistrictPanel:
    adcode: str
    name: str
    targets: pd.DataFrame
    tasks: pd.DataFrame
    places: pd.DataFrame
    summary: str


def district_panel(adcode: str, grid: pd.DataFrame, tasks: pd.DataFrame, places: pd.DataFrame) -> DistrictPanel:
    rows = grid[grid["adcode"] == adcode].sort_values(["rank", "target_id"])
    if rows.empty:
        raise ValueError(f"没有区县 {adcode}")
    name = rows["district"].iloc[0]
    return DistrictPanel(adcode, name, rows.reset_index(drop=True), district_tasks(name, tasks, places),
                         places[places["district_adcode"] == adcode].reset_index(drop=True), _status_summary(rows))


def small_multiples(metric: str, targets: pd.DataFrame, values: pd.DataFrame, districts: pd.DataFrame,
                    periods: list[str], target_id: str | None = None,
                    versions: Sequence[Version] = ()) -> tuple[pd.DataFrame, tuple[LegendEntry, ...]]:
    """The same map for each period: rows (period, adcode, district, color, class_label, value_text) and
    one legend for all, the value breaks taken over every period shown. Each period's map judges by the
    catalogue version in force then (`versions`, core.catalogue_versions)."""
    breaks = target_value_breaks(values, target_id, periods[-1]) if metric == "value" else ()
    frames, legend = [], ()
    for period in periods:
        grid = district_grid(targets_in_force(targets, versions, period), values, districts, period)
        chart = choropleth(metric, grid, period, target_id, breaks)
        frames.append(chart.frame.assign(period=period))
        legend = chart.legend
    cols = ["period", "adcode", "district", "color", "class_label", "value_text", "status"]
    return pd.concat(frames, ignore_index=True)[cols], legend
