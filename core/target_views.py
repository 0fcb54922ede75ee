"""Tables behind the 目标指标 page: targets with their latest value and status, filtered."""
from __future__ import annotations

import pandas as pd

from core.status import TargetSpec, evaluate_targets, fmt, target_text


def target_table(targets: pd.DataFrame, values: pd.DataFrame, period: str) -> pd.DataFrame:
    """One row per target: catalogue fields plus latest city value up to `period` and its status."""
    city = values[values["district_adcode"] == ""]
    statuses = evaluate_targets(targets, city, period).set_index("target_id")
    latest = (city.sort_values("period_code").groupby("target_id").last()
              if not city.empty else pd.DataFrame({"period_code": pd.Series(dtype=str), "value": pd.Series(dtype=float),
                                                  "is_demo": pd.Series(dtype=bool)}))
    df = targets.copy()
    specs = [TargetSpec.from_row(r) for r in targets.to_dict("records")]
    df["target_text"] = [target_text(s) for s in specs]
    df["latest_period"] = df["id"].map(latest["period_code"]).astype(object).fillna("")  # all-NaN maps are float
    df["latest_value"] = df["id"].map(latest["value"])
    df["latest_text"] = [
        fmt(v, s.unit) if pd.notna(v) else "—" for v, s in zip(df["latest_value"], specs)
    ]
    df["is_demo"] = df["id"].isin(latest.index[latest["is_demo"].astype(bool)])
    df["status"] = df["id"].map(statuses["status"])
    df["color"] = df["id"].map(statuses["color"])
    df["explanation"] = df["id"].map(statuses["explanation"])
    return df


def filter_targets(df: pd.DataFrame, query: str = "", categories: list[str] | None = None,
                   department: str | None = None, task_id: int | None = None,
                   statuses: list[str] | None = None) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    q = query.strip()
    if q:
        text = df["id"] + " " + df["name"] + " " + df["source_clause"] + " " + df["lead_department"]
        mask &= text.str.contains(q, case=False, regex=False)
    if categories:
        mask &= df["category"].isin(categories)
    if department:
        mask &= df["lead_department"] == department
    if task_id is not None:
        mask &= df["task_id"] == task_id
    if statuses:
        mask &= df["status"].isin(statuses)
    return df[mask]


def target_history(values: pd.DataFrame, target_id: str, districts: pd.DataFrame) -> pd.DataFrame:
    """Every current value of one target over time, with a readable 区域 column (全市 or the district)."""
    h = values[values["target_id"] == target_id].copy()
    names = dict(zip(districts["adcode"], districts["name"]))
    h["area"] = h["district_adcode"].map(lambda a: names.get(a, "全市") if a else "全市")
    return h[["period_code", "area", "district_adcode", "value", "is_demo", "data_source", "note"]].sort_values(
        ["period_code", "district_adcode"])
