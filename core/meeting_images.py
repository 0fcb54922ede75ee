"""The meeting's charts as PNG, rendered on the server (Altair → vl-convert) with the Noto CJK fonts of the
server, so the deck shows Chinese on any PC and needs nothing from outside the intranet."""
from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd
import vl_convert as vlc

from core.district_geo import load_geojson
from core.district_views import Choropleth, LegendEntry
from core.map_image import map_png, register_cjk_fonts
from core.meeting_charts import FONT, scaled_type, slide_figure

PNG_SCALE = 1.5
# The deck's pictures fill a 12.3-inch wide body: type 1.5 times the screen's reads at about 18 pt there.
SLIDE_TYPE = 1.5
# The slide's map: small enough that its names read at projector size, the urban districts called out.
SLIDE_MAP = {"width": 420, "height": 440, "label_size": 22, "values": False, "callouts": True, "titled": False,
             "legend_at": "bottom"}


class FontMissing(RuntimeError):
    """The server has no CJK font for charts (install fonts-noto-cjk)."""


def _register_fonts() -> None:
    if not register_cjk_fonts():
        raise FontMissing("服务器缺少中文字体 Noto Sans CJK（请安装 fonts-noto-cjk），无法生成图表图片")


def chart_png(key: str, payload: dict, for_slide: bool = False, part: int | None = None) -> bytes:
    """One slide's chart as PNG, Chinese drawn with Noto Sans CJK SC; for_slide: the deck's larger type;
    part: only that part of a chart made of several (the deck's ranking head and tail)."""
    return _png(key, json.dumps(payload, ensure_ascii=False, sort_keys=True), for_slide, part)


@lru_cache(maxsize=24)
def _png(key: str, payload_json: str, for_slide: bool, part: int | None) -> bytes:
    # Keyed by the payload's text: a frozen meeting renders once, however often it is downloaded.
    _register_fonts()
    payload = json.loads(payload_json)
    if key == "districts":
        return map_png(load_geojson(), district_choropleth(payload), demo=payload.get("is_demo", False),
                       scale=PNG_SCALE, **(SLIDE_MAP if for_slide else {}))
    spec = slide_figure(key, payload, FONT, part=part).to_dict()
    return vlc.vegalite_to_png(scaled_type(spec, SLIDE_TYPE) if for_slide else spec, scale=PNG_SCALE)


def district_choropleth(payload: dict) -> Choropleth:
    """The frozen district rows as the map module's Choropleth, so the slide's map is the 区县地图's own PNG."""
    d = payload["districts"]
    return Choropleth("on_track", d["title"], payload["period"], pd.DataFrame(d["rows"]),
                      tuple(LegendEntry(e["label"], e["color"]) for e in d["legend"]))
