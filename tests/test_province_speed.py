"""The shortcuts taken for speed at province scale give exactly what the long way gave."""
from __future__ import annotations

import altair as alt
import pandas as pd
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from components import charts
from core import district_geo
from core.catalogue import load_catalogue
from core.importer.model import ImportResult, IndicatorRow
from core.importer.preview import plan_changes
from db import queries, upload_reads

BUILT: list[int] = []


def counting_bar(frame: pd.DataFrame, title: str) -> alt.Chart:
    BUILT.append(1)
    return alt.Chart(frame).mark_bar().encode(x="n:Q", y="name:N").properties(title=title, height=120)


def test_chart_spec_is_altair_charts_own_spec_built_once_per_input(demo_db):
    frame = pd.DataFrame({"name": ["甲", "乙"], "n": [1, 2]})
    BUILT.clear()
    first = charts.chart_spec(counting_bar, frame, "标题")
    again = charts.chart_spec(counting_bar, frame.copy(), "标题")
    assert len(BUILT) == 1 and first == again
    expected = _convert_altair_to_vega_lite_spec(counting_bar(frame, "标题"))
    assert first == expected and first["title"] == "标题" and first["height"] == 120
    charts.chart_spec(counting_bar, frame.assign(n=[3, 4]), "标题")
    assert len(BUILT) == 3  # other data, another build (the direct call above was the second)


def test_online_entry_reads_exactly_the_departments_rows_of_the_period(demo_db):
    dept, period = "市市场监管局", "2020Q4"
    led = set(queries.targets().query("lead_department == @dept")["id"])
    everything = queries.current_values()
    want = everything[everything["target_id"].isin(led) & (everything["period_code"] == period)]
    got = upload_reads.department_values(dept, period)
    assert len(got) > 0 and set(got["target_id"]) <= led
    assert got.reset_index(drop=True).equals(want.reset_index(drop=True))
    progress = queries.current_progress()
    want_p = progress[(progress["department"] == dept) & (progress["period_code"] == period)]
    got_p = upload_reads.department_progress(dept, period)
    assert len(got_p) > 0 and got_p.reset_index(drop=True).equals(want_p.reset_index(drop=True))


def test_change_preview_ignores_rows_the_file_does_not_touch(demo_db):
    values = queries.current_values()
    row = values[(values["period_code"] == "2020Q4") & (values["district_adcode"] == "")].iloc[0]
    result = ImportResult(filename="x.xlsx", sha256="0", department="d", period="2020Q4")
    result.indicators.append(IndicatorRow(row["target_id"], None, "2020Q4", float(row["value"]) + 1.0,
                                          "", "", "指标进展", 3))
    catalogue = load_catalogue()
    full = plan_changes(result, values, queries.current_progress(), catalogue)
    assert len(full.changed) == 1 and not full.new
    # Only the touched row in the frame: the same plan.
    only = plan_changes(result, values[(values["target_id"] == row["target_id"])
                                       & (values["period_code"] == "2020Q4")], queries.current_progress(), catalogue)
    assert [c.__dict__ for c in only.changed] == [c.__dict__ for c in full.changed]


def test_the_plans_boundaries_are_simplified_once_and_as_a_private_copy_would_be():
    shared = district_geo.boundaries()
    assert district_geo.simplified(shared, 4) is district_geo.simplified(shared, 4)
    assert district_geo.simplified(shared, 4) == district_geo.simplified(district_geo.load_geojson(), 4)
    assert district_geo.boundaries() is shared and shared == district_geo.load_geojson()  # left untouched
