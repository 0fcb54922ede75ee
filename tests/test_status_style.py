"""Status colours are painted by the app (cell background, HTML badge), the cell text is the bare word."""
from __future__ import annotations

import re

import pandas as pd

from components.status_style import status_badge, status_cell, style_status
from core.status import ALL_KINDS

EMOJI = re.compile("[\U0001F000-\U0001FAFF\uFE0F\u2705\u274C\u26A0\u26AA\u26AB\u2B55\u2B50]")


def test_every_status_is_a_word_on_its_colour():
    for label, kind in ALL_KINDS.items():
        assert status_cell(label) == label
        badge = status_badge(label)
        assert kind.color in badge and label in badge and not EMOJI.search(badge)


def test_styler_paints_only_the_status_column():
    view = pd.DataFrame({"指标": ["甲", "乙"], "状态": ["滞后", "已达标"]})
    html = style_status(view).to_html()
    assert "background-color: #cf222e" in html and "background-color: #1a7f37" in html
    assert html.count("background-color") == 2


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
    from components.status_style import progress_bar

    assert progress_bar(100) == "█" * 10 + " 100%" and progress_bar(None) == "—"
    assert progress_bar(61).count("█") == 6
    view = pd.DataFrame({"状态": ["已完成", "逾期"], "完成%": [progress_bar(100), progress_bar(61)]})
    html = style_status(view, bars=("完成%",)).to_html()
    assert "color: #1a7f37" in html and "color: #82071e" in html  # completed green, overdue red
