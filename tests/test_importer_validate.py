"""validate_upload: every bad input named by sheet and cell in Chinese, and the forgiving readings."""
from __future__ import annotations

import pytest

from core.catalogue import load_catalogue
from core.importer.reader import read_upload, sha256_of
from core.importer.validate import validate_upload
from tests import fixtures_excel as fx

CAT = load_catalogue()


def check(content: bytes, filename: str = "进度.xlsx", **kw):
    book = read_upload(filename, content)
    return validate_upload(book, CAT, filename=filename, sha256=sha256_of(content), **kw)


def ind(target="T01", district="", period="2020Q4", value=90, source="", note=""):
    return [target, "", "", "", district, period, value, source, note]


def task(task_id=2, dept="市市场监管局", period="2020Q4", status="推进中", percent=50, narrative="推进", problems="", nxt=""):
    return [task_id, "", dept, "", period, status, percent, narrative, problems, nxt]


def only_problem(result):
    assert len(result.problems) == 1, [p.text() for p in result.problems]
    return result.problems[0]


# --- every bad input ---------------------------------------------------------------------------


def test_unknown_target_id_names_the_cell():
    p = only_problem(check(fx.progress_book([ind(), ind(target="T99")])))
    assert (p.sheet, p.cell, p.value, p.row) == ("指标进展", "A4", "T99", 4)
    assert p.message == "指标编号不存在" and "T01–T52" in p.fix


def test_unknown_task_id():
    p = only_problem(check(fx.progress_book(tasks=[task(task_id=31)])))
    assert (p.where, p.message) == ("任务进展!A3", "任务编号不存在")


def test_department_not_matching_suggests_canonical_name():
    p = only_problem(check(fx.progress_book(tasks=[task(dept="市场监管局")])))
    assert p.where == "任务进展!C3" and p.value == "市场监管局"
    assert "市市场监管局" in p.fix


def test_department_given_for_the_file_is_checked_with_suggestion():
    r = check(fx.progress_book([ind()]), department="市场监管局")
    p = r.problems[0]
    assert p.row is None and "市市场监管局" in p.fix and r.blocking


def test_department_reporting_a_task_it_does_not_take_part_in():
    p = only_problem(check(fx.progress_book(tasks=[task(task_id=1, dept="市教育局")])))
    assert p.where == "任务进展!C3" and "既不牵头也不参与任务1" in p.message and "市农业农村局" in p.fix


def test_group_participant_lets_any_department_report():
    # Task 12 counts 市直相关单位 among its participants.
    r = check(fx.progress_book(tasks=[task(task_id=12, dept="市教育局")]))
    assert not r.problems and r.tasks[0].department == "市教育局"


def test_indicator_of_another_department_in_a_department_file():
    p = only_problem(check(fx.progress_book([ind(target="T02")]), department="市市场监管局"))
    assert p.where == "指标进展!A3" and "市农业农村局牵头" in p.message


@pytest.mark.parametrize("period,message", [("2020Q5", "无法识别的报告期"), ("明年", "无法识别的报告期"),
                                            ("2024Q1", "不在方案的填报范围")])
def test_unknown_period(period, message):
    p = only_problem(check(fx.progress_book([ind(period=period)])))
    assert p.where == "指标进展!F3" and message in p.message


def test_value_not_a_number():
    p = only_problem(check(fx.progress_book([ind(value="九十")])))
    assert (p.where, p.value, p.message) == ("指标进展!G3", "九十", "不是数字")
    assert "单位：%" in p.fix


@pytest.mark.parametrize("percent,message", [(120, "超过 100%"), (-5, "不能为负数"), ("130%", "超过 100%")])
def test_percent_out_of_range(percent, message):
    p = only_problem(check(fx.progress_book(tasks=[task(percent=percent)])))
    assert p.where == "任务进展!G3" and message in p.message


def test_indicator_percent_out_of_range():
    p = only_problem(check(fx.progress_book([ind(value=180)])))
    assert p.where == "指标进展!G3" and "0–100" in p.message


def test_status_not_in_list():
    p = only_problem(check(fx.progress_book(tasks=[task(status="差不多")])))
    assert p.where == "任务进展!F3" and "未启动、推进中、已完成、滞后" in p.message


def test_missing_status_is_inferred_from_the_percent_and_the_preview_says_so():
    r = check(fx.progress_book(tasks=[task(status=""), task(task_id=13, status="", percent=100),
                                      task(task_id=30, status="", percent="", narrative="")]))
    assert not r.problems
    assert [(t.status, t.status_inferred) for t in r.tasks] == [("推进中", True), ("已完成", True)]
    assert {n.text for n in r.notes} >= {"状态由完成比例 50%推断为 推进中", "状态由完成比例 100%推断为 已完成"}
    assert r.rows_read == 2  # the third row says nothing at all: not reported


def test_two_rows_for_the_same_cell():
    r = check(fx.progress_book([ind(value=90), ind(value=91)], [task(), task(period="2020年第四季度")]))
    assert [p.where for p in r.problems] == ["指标进展!G4", "任务进展!A4"]
    assert "与 指标进展!G3 重复" in r.problems[0].message
    assert "任务2 · 市市场监管局 · 2020Q4填了两次" in r.problems[1].message


def test_district_for_target_without_breakdown_and_unknown_district():
    r = check(fx.progress_book([ind(target="T01", district="赤坎区"), ind(target="T02", district="海口")]))
    assert [(p.where, p.value) for p in r.problems] == [("指标进展!E3", "赤坎区"), ("指标进展!E4", "海口")]
    assert "不分区县" in r.problems[0].message and "不是湛江市的区县" in r.problems[1].message


def test_formula_without_cached_value():
    p = only_problem(check(fx.progress_book([ind(value="=90+1")])))
    assert p.where == "指标进展!G3" and p.message == "公式没有计算结果" and "打开并保存" in p.fix


def test_every_problem_at_once_and_valid_rows_kept():
    r = check(fx.progress_book([ind(), ind(target="T99"), ind(target="T09", value="x")],
                               [task(), task(task_id=3, status="?"), task(task_id=13, percent=101)]))
    assert len(r.problems) == 4
    assert r.rejected_rows == {("指标进展", 4), ("指标进展", 5), ("任务进展", 4), ("任务进展", 5)}
    assert [i.target_id for i in r.indicators] == ["T01"] and [t.task_id for t in r.tasks] == [2]
    assert not r.blocking


def test_unrecognised_file_is_a_blocking_problem():
    r = check(fx.xlsx({"Sheet1": [["姓名", "电话"], ["张三", "123"]]}))
    assert r.blocking and "没有找到" in r.problems[0].message and r.problems[0].sheet == "Sheet1"


def test_missing_period_column_without_given_period_blocks():
    content = fx.xlsx({"指标进展": [["指标编号", "实际值"], ["T01", 90]]})
    r = check(content)
    assert r.blocking and "没有“报告期”列" in r.problems[0].message
    r = check(content, period="2020年第四季度")
    assert not r.problems and r.indicators[0].period_code == "2020Q4"


# --- forgiving readings ------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [95, "95%", "９５％", " 95 ", "95.0", 0.95])
def test_percent_written_many_ways_means_95(percent):
    r = check(fx.progress_book(tasks=[task(percent=percent)]))
    assert not r.problems and r.tasks[0].percent == 95


def test_percent_formatted_fraction_means_percent():
    r = check(fx.progress_book(tasks=[task(percent=0.6)], percent={"任务进展": ["G3"]}))
    assert r.tasks[0].percent == 60
    r = check(fx.progress_book([ind(value=0.972)], percent={"指标进展": ["G3"]}))
    assert r.indicators[0].value == pytest.approx(97.2)


@pytest.mark.parametrize("period", ["2020Q2", "2020年第二季度", "2020年二季度", "2020-06", "2020年6月", "２０２０Q２", "2020 q2"])
def test_periods_written_many_ways(period):
    r = check(fx.progress_book([ind(period=period)]))
    assert not r.problems and r.indicators[0].period_code == "2020Q2"


def test_stray_spaces_line_breaks_and_full_width():
    r = check(fx.progress_book([ind(target=" t1\n", value="９６．５", district=" 全市 ")],
                               [task(task_id="２", dept="市市场\n监管局 ", status=" 推进中\n", narrative="  第一行\r\n第二行  ")]))
    assert not r.problems, [p.text() for p in r.problems]
    assert r.indicators[0].target_id == "T01" and r.indicators[0].value == 96.5
    assert r.tasks[0].department == "市市场监管局" and r.tasks[0].narrative == "第一行\n第二行"


def test_district_by_name_short_name_or_adcode():
    r = check(fx.progress_book([ind("T02", "赤坎"), ind("T07", "赤坎区"), ind("T11", 440802), ind("T31", "440803")]))
    assert not r.problems
    assert [i.district_adcode for i in r.indicators] == ["440802", "440802", "440802", "440803"]


def test_yes_no_target_accepts_words():
    r = check(fx.progress_book([ind("T06", value="是"), ind("T08", value="否")]))
    assert [i.value for i in r.indicators] == [1.0, 0.0]


def test_header_synonyms_title_rows_extra_columns_and_blank_rows():
    rows = [["湛江市质量提升行动进度表"], ["（2020年第四季度）"], [],
            ["序", "指标编号", "无关列", "完成值", "时间", "备注"],
            [1, "T01", "随便", 91, "2020Q4", ""], [None, None, None, None, None, None],
            [2, "T09", "", 1, "2020Q4", "新增一家"]]
    tasks = [["任务编号", "状态", "完成进度", "工作进展", "问题", "下步计划", "部门", "季度"],
             [2, "已完成", 100, "完成", "无", "巩固", "市市场监管局", "2020年四季度"]]
    r = check(fx.xlsx({"Sheet1": rows, "任务": tasks}, merge={"Sheet1": ["A1:F1"]}))
    assert not r.problems, [p.text() for p in r.problems]
    assert [(i.target_id, i.value, i.row) for i in r.indicators] == [("T01", 91, 5), ("T09", 1, 7)]
    assert r.tasks[0].status == "已完成" and r.tasks[0].next_steps == "巩固" and r.tasks[0].problems == "无"
    assert r.rows_read == 3


def test_annex_layout_hand_made_sheet():
    rows = [["湛江市开展质量提升行动方案工作任务分解表"],
            ["序号", "工作任务", "主要内容", "责任部门", "进展状态", "完成进度", "进展情况"],
            [1, "1.提高农产品优质供给水平", "推进农业标准化生产……", "牵头部门：市农业农村局；参与部门：市自然资源局、市市场监管局。",
             "推进中", "70%", "示范区建设过半"],
            [2, "提高食品药品质量安全水平", "在大型食品生产企业……", "市市场监管局", "已完成", 100, "已完成"],
            [3, "推动消费品工业增品种、提品质、创品牌", "……", "市工业和信息化局", "", "", ""]]
    r = check(fx.xlsx({"分解表": rows}), period="2020Q3")
    assert not r.problems, [p.text() for p in r.problems]
    assert [(t.task_id, t.department, t.percent, t.period_code) for t in r.tasks] == [
        (1, "市农业农村局", 70, "2020Q3"), (2, "市市场监管局", 100, "2020Q3")]
    assert r.rows_read == 2  # the unreported third row is not read


def test_annex_layout_uses_given_department_for_shared_cells():
    rows = [["序号", "工作任务", "责任部门", "进展情况", "进展状态"],
            [1, "1.提高农产品优质供给水平", "牵头部门：市农业农村局；参与部门：市自然资源局、市市场监管局。", "配合抽检", "推进中"]]
    r = check(fx.xlsx({"Sheet1": rows}), period="2020Q4", department="市市场监管局")
    assert not r.problems and r.tasks[0].department == "市市场监管局"


def test_instructions_sheet_gives_department_and_period():
    content = fx.xlsx({"说明": [["填报部门", "市市场监管局"], ["报告期：2020年第三季度"]],
                       "指标进展": [["指标编号", "实际值"], ["T01", 90]]})
    r = check(content)
    assert not r.problems and (r.department, r.period) == ("市市场监管局", "2020Q3")


def test_gbk_csv_and_xls_validate_the_same():
    rows = [["任务编号", "责任部门", "报告期", "进展状态", "完成进度(%)", "进展情况"],
            ["2", "市市场监管局", "2020Q4", "推进中", "60%", "推进"]]
    for filename, content in (("a.csv", fx.csv_bytes(rows, "gbk")), ("b.csv", fx.csv_bytes(rows, "utf-8-sig")),
                              ("c.xls", fx.xls({"任务进展": rows}))):
        r = check(content, filename)
        assert not r.problems and r.tasks[0].percent == 60 and r.tasks[0].status == "推进中", filename


def test_a_row_of_an_assigned_target_is_the_responsible_departments():
    """基期与责任备案 gave T47 (lead 市政务服务数据管理局) to 市卫生健康局: that department's file may carry it."""
    health = "市卫生健康局"
    content = fx.progress_book([ind("T47", value=15)])
    result = check(content, department=health, assigned={"T47": health})
    assert not result.problems and [r.department for r in result.indicators] == [health]
    assert result.department == health
    p = only_problem(check(content, department=health))
    assert (p.sheet, p.cell, p.message) == ("指标进展", "A3", "该指标由市政务服务数据管理局牵头填报，不是市卫生健康局")
    p = only_problem(check(content, department="市公安局", assigned={"T47": health}))
    assert p.message == "该指标由市政务服务数据管理局牵头、市卫生健康局负责填报，不是市公安局"
    lead = check(content, department="市政务服务数据管理局", assigned={"T47": health})
    assert not lead.problems  # the plan's lead keeps the right
