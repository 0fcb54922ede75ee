"""Quarterly reporting periods: codes like 2020Q4, and the many ways people write them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.quarter - 1]}季度"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        nxt = self.next()
        return nxt.start - timedelta(days=1)

    def next(self) -> "Period":
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> "Period":
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    def deadline(self, days_after_end: int) -> date:
        return self.end + timedelta(days=days_after_end)

    def __str__(self) -> str:
        return self.code


def period_from_code(code: str) -> Period:
    m = re.fullmatch(r"(\d{4})Q([1-4])", code)
    if not m:
        raise ValueError(f"不是报告期编号：{code!r}（应为 2020Q4 这样的格式）")
    return Period(int(m.group(1)), int(m.group(2)))


def period_range(first: str, last: str) -> list[Period]:
    cur, end = period_from_code(first), period_from_code(last)
    out = []
    while cur <= end:
        out.append(cur)
        cur = cur.next()
    return out


def period_of_date(d: date) -> Period:
    return Period(d.year, (d.month - 1) // 3 + 1)


def parse_period(text: object) -> Period | None:
    """Read a period as officials write it; None when it is not one.

    Accepts 2020Q2, 2020 Q2, 2020年第二季度, 2020年二季度, 2020年2季度,
    2020-06, 2020/6, 2020年6月 and 2020.06 (a month means its quarter),
    full-width digits and stray spaces included.
    """
    if text is None:
        return None
    if isinstance(text, (date,)):
        return period_of_date(text)
    s = unicodedata.normalize("NFKC", str(text)).strip().upper().replace(" ", "")
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})[-年]?Q([1-4])", s) or re.fullmatch(
        r"(\d{4})年?第?([一二三四1-4])季度?", s
    )
    if m and (s.find("Q") >= 0 or "季" in s):
        return Period(int(m.group(1)), _CN_DIGITS[m.group(2)])
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})(?:月|[-/.]\d{1,2}(?:日)?)?(?:00:00:00)?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period(int(m.group(1)), (int(m.group(2)) - 1) // 3 + 1)
    return None
