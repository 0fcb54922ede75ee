"""Status colours are painted by the app (cell background, HTML badge), the cell text is the bare word."""
from __future__ import annotations

import re

import pandas as pd

from components.status_style import SWATCH, status_badge, status_cell, status_table
from core.status import ALL_KINDS

EMOJI = re.compile("[\U0001F000-\U0001FAFF\uFE0F\u2705\u274C\u26A0\u26AA\u26AB\u2B55\u2B50]")


def test_every_status_is_a_word_on_its_colour():
    for label, kind in ALL_KINDS.items():
        assert status_cell(label) == label
        badge = status_badge(label)
        assert kind.color in badge and label in badge and not EMOJI.search(badge)


def test_status_table_puts_a_drawn_swatch_before_the_status_word():
    import base64

    view = pd.DataFrame({"指标": ["甲", "乙", "丙"], "状态": ["滞后", "已达标", ""]})
    frame, config = status_table(view)
    assert list(frame.columns) == ["指标", SWATCH, "状态"] and set(config) == {SWATCH}
    assert frame["状态"].tolist() == ["滞后", "已达标", ""]  # the word stays, as text
    svg = base64.b64decode(frame[SWATCH][0].split(",", 1)[1]).decode()
    assert "fill='#cf222e'" in svg and "<text" not in svg  # a shape, no glyph: no font can lose it
    assert pd.isna(frame[SWATCH][2])


def test_page_tables_hold_no_emoji(app_test):
    for page in ("pages/overview.py", "pages/targets.py", "pages/tasks.py", "pages/districts.py"):
        at = app_test(page)
        assert not at.exception
        for df in at.dataframe:
            text = df.value.astype(str).to_string()
            assert not EMOJI.search(text), (page, EMOJI.findall(text)[:5])
        for m in at.markdown:
            assert not EMOJI.search(m.value), (page, m.value[:80])


def test_progress_bars_take_the_colour_of_their_status():
    import base64

    view = pd.DataFrame({"状态": ["已完成", "逾期", "未报送"], "完成%": [100.0, 61.0, None]})
    frame, config = status_table(view, bars="完成%")
    assert "进度" in config and frame["完成%"].tolist()[:2] == [100.0, 61.0]
    done, late = (base64.b64decode(u.split(",", 1)[1]).decode() for u in frame["进度"][:2])
    assert "fill='#1a7f37'" in done and "width='96'" in done  # completed: a full green bar
    assert "fill='#82071e'" in late and "width='59'" in late  # 61% of 96 px, overdue red
    assert pd.isna(frame["进度"][2])
