from datetime import date

import pytest

from core.periods import Period, parse_period, period_from_code, period_range


@pytest.mark.parametrize("text", ["2020Q2", "2020q2", "2020 Q2", "２０２０Ｑ２", "2020年第二季度", "2020年二季度",
                                  "2020年第2季度", "2020-06", "2020/6", "2020年6月", "2020.04", " 2020年5月 \n",
                                  date(2020, 5, 17)])
def test_parse_period_accepts_what_officials_write(text):
    assert parse_period(text) == Period(2020, 2)


@pytest.mark.parametrize("text", ["", None, "2020", "2020Q5", "2020-13", "第二季度", "abc"])
def test_parse_period_rejects_non_periods(text):
    assert parse_period(text) is None


def test_period_arithmetic():
    p = period_from_code("2020Q1")
    assert p.previous().code == "2019Q4" and p.next().code == "2020Q2"
    assert p.start == date(2020, 1, 1) and p.end == date(2020, 3, 31)
    assert Period(2020, 4).end == date(2020, 12, 31)
    assert p.deadline(10) == date(2020, 4, 10)
    assert p.label == "2020年第一季度"
    assert [x.code for x in period_range("2019Q3", "2020Q2")] == ["2019Q3", "2019Q4", "2020Q1", "2020Q2"]


def test_bad_code_raises_in_chinese():
    with pytest.raises(ValueError, match="报告期"):
        period_from_code("2020-Q4")
