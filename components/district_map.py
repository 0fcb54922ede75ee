"""The interactive district map (key dm_map): a click on a district or place selects that district."""
from __future__ import annotations

import html

import pydeck as pdk
import streamlit as st

from components.district_controls import DISTRICT_KEY
from components.maps import DISTRICT_LAYER, MAP_HEIGHT, PLACE_LAYER
from core.district_views import LegendEntry
from core.label_layout import unlabelled_note

MAP_KEY = "dm_map"


def clicked_district(selection: dict) -> str | None:
    """The adcode behind a map selection: a district polygon, or the district of a clicked place."""
    objects = (selection or {}).get("objects") or {}
    for feature in objects.get(DISTRICT_LAYER) or []:
        adcode = (feature.get("properties") or {}).get("adcode") or feature.get("adcode")
        if adcode:
            return str(adcode)
    for place in objects.get(PLACE_LAYER) or []:
        if place.get("district_adcode"):
            return str(place["district_adcode"])
    return None


def _on_click(key: str) -> None:
    # Runs before the script, so the district selectbox may still be set.
    state = st.session_state.get(key)
    adcode = clicked_district(state.get("selection") if state else None)
    if adcode:
        st.session_state[DISTRICT_KEY] = adcode


def map_key(selected: str | None) -> str:
    """A new map widget per selected district: while the front end holds a click selection it repaints
    every other district grey; with a fresh widget nothing is faded and our own outline layer marks
    the selection (components.maps.district_deck)."""
    return f"{MAP_KEY}_{selected or 'none'}"


def render_district_map(deck: pdk.Deck, selected: str | None = None) -> None:
    """The map, and under it the places whose names did not fit at the first view (components.maps)."""
    key = map_key(selected)
    st.pydeck_chart(deck, on_select=lambda: _on_click(key), selection_mode="single-object", key=key,
                    height=MAP_HEIGHT, width="stretch")
    unlabelled = getattr(deck, "unlabelled_places", ())
    if unlabelled:
        st.caption(unlabelled_note(list(unlabelled)))


def render_legend(title: str, legend: tuple[LegendEntry, ...]) -> None:
    swatches = "".join(
        f"<div style='display:flex;align-items:center;gap:8px;margin:3px 0'>"
        f"<span style='display:inline-block;width:22px;height:16px;background:{e.color};"
        f"border:1px solid #8c959f'></span><span>{html.escape(e.label)}</span></div>"
        for e in legend)
    st.markdown(f"**图例：{html.escape(title)}**<div style='font-size:14px'>{swatches}</div>",
                unsafe_allow_html=True)
