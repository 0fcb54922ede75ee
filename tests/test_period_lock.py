"""报告期关闭, pure rule: automatic closure close_days after the deadline, the office's close/open, lock
exceptions per department and moment."""
from datetime import datetime, timedelta, timezone

from core.period_lock import (
    CLOSE,
    OPEN,
    Closure,
    LockGrant,
    active_exception,
    automatic_close,
    closed_reason,
    period_closed,
)
from core.periods import period_from_code
from core.timeutil import CHINA_TZ

# 2019Q4 ends 2019-12-31; deadline 10 days later (2020-01-10); 30 more days: last day 2020-02-09.
KW = dict(deadline_days=10, close_days=30)


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


def test_automatic_close_at_the_end_of_the_last_day_beijing_time():
    assert automatic_close(period_from_code("2019Q4"), 10, 30) == bj(2020, 2, 10)
    assert not period_closed("2019Q4", bj(2020, 2, 9, 23, 59), **KW)[0]
    closed, why = period_closed("2019Q4", bj(2020, 2, 10, 0, 0), **KW)
    assert closed and "报送截止 2020-01-10 后 30 天已自动关闭" == why


def test_closed_reason_names_the_period():
    msg = closed_reason("2019Q4", "市农业农村局", bj(2021, 1, 1), **KW)
    assert msg.startswith("2019Q4 已关闭（")
    assert closed_reason("2020Q4", "市农业农村局", bj(2021, 1, 20), **KW) is None


def test_office_close_and_reopen_win_over_the_automatic_rule():
    early = [Closure("2020Q4", CLOSE, bj(2021, 1, 5))]
    assert closed_reason("2020Q4", "甲", bj(2021, 1, 6), closures=early, **KW).startswith("2020Q4 已关闭（督查办")
    assert closed_reason("2020Q4", "甲", bj(2021, 1, 4), closures=early, **KW) is None  # not yet
    reopened = [Closure("2019Q4", CLOSE, bj(2020, 1, 20)), Closure("2019Q4", OPEN, bj(2020, 3, 1))]
    assert closed_reason("2019Q4", "甲", bj(2020, 3, 2), closures=reopened, **KW) is None
    assert closed_reason("2019Q4", "甲", bj(2020, 2, 1), closures=reopened, **KW) is not None


def test_lock_exception_for_one_department_until_a_moment():
    grant = LockGrant("市农业农村局", "2019Q4", bj(2021, 1, 10))
    when = bj(2021, 1, 9)
    assert closed_reason("2019Q4", "市农业农村局", when, exceptions=[grant], **KW) is None
    assert closed_reason("2019Q4", "市市场监管局", when, exceptions=[grant], **KW) is not None
    assert closed_reason("2019Q4", "市农业农村局", bj(2021, 1, 10), exceptions=[grant], **KW) is not None
    revoked = LockGrant("市农业农村局", "2019Q4", bj(2021, 1, 10), revoked=True)
    assert active_exception("2019Q4", "市农业农村局", when, [revoked]) is None
    assert active_exception("2019Q4", None, when, [grant]) is None


def test_moments_compare_across_time_zones():
    utc = datetime(2020, 2, 9, 16, 0, tzinfo=timezone.utc)  # = 2020-02-10 00:00 Beijing
    assert period_closed("2019Q4", utc, **KW)[0]
    assert not period_closed("2019Q4", utc - timedelta(seconds=1), **KW)[0]
