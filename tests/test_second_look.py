"""The second look at reported values: big changes, a percent going the wrong way, a city value outside
its districts' range — warnings, never refusals."""
from core.second_look import CHANGE, DISTRICTS, DOWN, LookWarning, NewValue, previous_of, second_look, unexplained
from core.status import TargetSpec

PCT = TargetSpec("合格率", "%", "≥", 96.0, None, 2020, "numeric")
COUNT = TargetSpec("示范区", "个", "≥", 31.0, None, 2020, "numeric")
LOWER = TargetSpec("投诉", "%", "≤", 5.0, None, 2020, "numeric")
SPECS = {"T02": PCT, "T30": COUNT, "T99": LOWER}


def kinds(warnings):
    return sorted(w.kind for w in warnings)


def test_change_beyond_the_share_is_flagged_with_both_values():
    new = [NewValue("T30", "", "2020Q2", 300.0, "指标", 7)]
    out = second_look(new, {("T30", ""): ("2020Q1", 20.0)}, {}, SPECS, share=0.5)
    assert kinds(out) == [CHANGE]
    assert "2020Q1 的 20 个" in out[0].message and "300 个" in out[0].message and out[0].row == 7
    assert second_look([NewValue("T30", "", "2020Q2", 29.0)], {("T30", ""): ("2020Q1", 20.0)}, {}, SPECS, 0.5) == []


def test_percent_down_where_the_target_wants_up():
    out = second_look([NewValue("T02", "", "2020Q2", 90.0)], {("T02", ""): ("2020Q1", 92.0)}, {}, SPECS, 0.5)
    assert kinds(out) == [DOWN] and "降为 90%" in out[0].message
    # A ≤ target going down is the right way.
    assert second_look([NewValue("T99", "", "2020Q2", 4.0)], {("T99", ""): ("2020Q1", 4.5)}, {}, SPECS, 0.5) == []


def test_city_value_outside_its_districts_range():
    known = {("T02", "440802", "2020Q2"): 91.0, ("T02", "440803", "2020Q2"): 94.0}
    out = second_look([NewValue("T02", "", "2020Q2", 97.0)], {}, known, SPECS, 0.5)
    assert kinds(out) == [DISTRICTS] and "91%–94%" in out[0].message
    assert second_look([NewValue("T02", "", "2020Q2", 93.0)], {}, known, SPECS, 0.5) == []
    # New district values are checked against the city value in force as well.
    out = second_look([NewValue("T02", "440802", "2020Q2", 99.0)], {}, {**known, ("T02", "", "2020Q2"): 92.0},
                      SPECS, 0.5)
    assert kinds(out) == [DISTRICTS]  # districts now 94–99, the city's 92 below them
    out = second_look([NewValue("T02", "440803", "2020Q2", 90.5)], {}, {**known, ("T02", "", "2020Q2"): 95.0},
                      SPECS, 0.5)
    assert kinds(out) == [DISTRICTS]


def test_previous_of_takes_the_latest_earlier_value_of_the_same_cell():
    cells = [("T02", "", "2019Q4", 90.0), ("T02", "", "2020Q1", 91.0), ("T02", "", "2020Q2", 99.0),
             ("T02", "440802", "2020Q1", 80.0)]
    assert previous_of(cells, {("T02", ""): "2020Q2"}) == {("T02", ""): ("2020Q1", 91.0)}
    assert previous_of(cells, {("T02", ""): "2019Q4"}) == {}


def test_a_warning_is_answered_by_its_rows_note_or_by_the_submissions_note():
    on_row = LookWarning("T30", "", "2020Q2", CHANGE, "变动", "指标", 7)
    other = LookWarning("T02", "", "2020Q2", DOWN, "下降", "指标", 8)
    no_row = LookWarning("T02", "", "2020Q2", DISTRICTS, "不一致")  # a city value in force, no row of its own
    warnings = [on_row, other, no_row]
    assert unexplained(warnings, {}) == warnings
    assert unexplained(warnings, {("指标", 7): "统计口径调整", ("指标", 8): "  "}) == [other, no_row]
    assert unexplained(warnings, {("其他表", 8): "说明"}) == warnings  # another sheet's row 8 is another row
    assert unexplained(warnings, {}, "本季度起按新口径统计") == []
    assert unexplained(warnings, {}, "   ") == warnings
