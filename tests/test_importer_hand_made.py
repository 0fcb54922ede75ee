"""Sheets as departments really send them (issue 18): each imported with the right cells, or refused
with a message that names the cell and the fix. Every sheet here is written the way a clerk would,
not the way the template is laid out."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from core.catalogue import load_catalogue
from core.importer.marking import SUMMARY_SHEET, mark_workbook
from core.importer.model import UploadRefused
from core.importer.preview import plan_changes
from core.importer.reader import read_upload, sha256_of
from core.importer.summary import import_summary, understood_table
from core.importer.validate import validate_upload
from tests import fixtures_excel as fx

CAT = load_catalogue()
NARRATIVE = "已开展食品安全专项整治，完成抽检 1,200 批次。"


def check(content: bytes, filename: str = "进度.xlsx", **kw):
    book = read_upload(filename, content)
    return validate_upload(book, CAT, filename=filename, sha256=sha256_of(content), **kw)


def notes(result) -> str:
    return "\n".join(n.shown() for n in result.notes)


def problem_at(result, where: str):
    found = [p for p in result.problems if p.where == where]
    assert found, f"no problem at {where}: {[p.text() for p in result.problems]}"
    return found[0]


# --- 1. laid out like the plan's annex: title rows, 填报单位 line, 完成情况 holding % or a word, footer --------


ANNEX = [
    ["湛江市开展质量提升行动方案工作任务分解表"],
    ["（2020年第四季度进展情况）"],
    ["填报单位：市市场监管局", None, None, None, "填报日期：2021年1月8日"],
    ["序号", "工作任务", "主要内容", "责任部门", "工作进展", "完成情况", "存在问题", "下一步工作计划"],
    [2, "2.提高食品药品质量安全水平", "在大型食品生产企业大力推广……",
     "牵头部门：市市场监管局；参与部门：市卫生健康局。", NARRATIVE, "80%", "基层人手不足", "继续推进"],
    [13, "13.实施重点耐用品质量整治提升工程", "……", "市市场监管局", "整治工作全部完成", "已完成", "", ""],
    [15, "15.实施中小企业质量整治提升工程", "……", "市市场监管局", "已培训企业 36 家", "推进中，60%", "", "扩大覆盖面"],
    [1, "1.提高农产品优质供给水平", "……", "牵头部门：市农业农村局；参与部门：市自然资源局、市市场监管局。",
     "", "", "", ""],
    [None],
    ["审核人：王五", None, "填表人：李四", None, "联系电话：0759-3338888"],
    ["注：完成情况填写完成比例或进展状态。"],
]


def test_annex_layout_reads_scope_from_the_title_and_status_from_what_is_there():
    r = check(fx.xlsx({"分解表": ANNEX}, merge={"分解表": ["A1:H1"]}))
    assert not r.problems, [p.text() for p in r.problems]
    assert (r.department, r.period) == ("市市场监管局", "2020Q4")
    got = [(t.task_id, t.department, t.period_code, t.status, t.percent, t.status_inferred) for t in r.tasks]
    assert got == [(2, "市市场监管局", "2020Q4", "推进中", 80, True),
                   (13, "市市场监管局", "2020Q4", "已完成", None, False),
                   (15, "市市场监管局", "2020Q4", "推进中", 60, False)]
    assert r.tasks[0].narrative == NARRATIVE and r.tasks[0].problems == "基层人手不足"
    said = notes(r)
    for words in ("填报单位读作 市市场监管局", "报告期读作 2020Q4", "“完成情况”读作完成进度",
                  "“工作进展”读作进展情况", "“下一步工作计划”读作下一步计划", "状态由完成比例 80%推断为 推进中",
                  "表尾", "“主要内容”读作主要内容（不导入）"):
        assert words in said, said
    assert r.rows_read == 3  # task 1 reported nothing; the footer lines are not rows


def test_annex_layout_given_another_department_is_a_mismatch_on_the_title_cell():
    r = check(fx.xlsx({"分解表": ANNEX}), department="市农业农村局")
    p = problem_at(r, "分解表!A3")
    assert "上传时选择的是市农业农村局" in p.message and p.row is None and r.blocking


# --- 2. targets by name, with the department's own column headings ----------------------------------------


def test_targets_named_not_numbered_with_own_headings_and_units():
    rows = [["2020年第四季度主要指标完成情况表"], ["填报单位：市市场监管局"],
            ["序号", "指标", "单位", "2020年目标", "本年完成", "数据来源"],
            [1, "每万人口发明专利拥有量", "件", "2", "2.3件", "市知识产权局"],
            [2, "获得省政府质量奖企业", "家", "", "3家", ""],
            [3, "社会公用计量标准", "项", "250", "260项", ""],
            [4, "重点领域主要消费品与国际标准一致性程度（%）", "%", "95", "96%", ""],
            [5, "全市省级以上研发机构", "家", "100", "1,02", ""]]
    r = check(fx.xlsx({"主要指标": rows}))
    assert [(i.target_id, i.value, i.period_code) for i in r.indicators] == [
        ("T19", 2.3, "2020Q4"), ("T09", 3, "2020Q4"), ("T23", 260, "2020Q4"), ("T01", 96, "2020Q4")]
    p = only = problem_at(r, "主要指标!E8")
    assert only.message == "不是数字" and "请填写确切的数字（单位：家）" in p.fix
    said = notes(r)
    assert "“本年完成”读作实际值" in said and "“指标”读作指标名称" in said
    assert "“每万人口发明专利拥有量”按别名匹配 T19 每万人发明专利拥有量" in said
    assert "“2.3件”读作 2.3（单位：件）" in said
    assert all(i.department == "市市场监管局" for i in r.indicators)


def test_unknown_and_ambiguous_names_list_the_closest_catalogue_names():
    rows = [["指标名称", "报告期", "实际值"], ["工程一次验收合格率", "2020Q4", 100], ["质量奖企业", "2020Q4", 3],
            ["大中型工程一次验收合格率", "2020Q4", 100]]
    r = check(fx.xlsx({"指标": rows}))
    ambiguous, unknown = problem_at(r, "指标!A2"), problem_at(r, "指标!A3")
    assert ambiguous.message == "指标名称对应多个指标"
    assert "T03 大中型工程一次验收合格率" in ambiguous.fix and "T39 大中型水利工程一次验收合格率" in ambiguous.fix
    assert "最接近的指标：" in unknown.fix and "T09 获得省政府质量奖企业" in unknown.fix
    assert [i.target_id for i in r.indicators] == ["T03"]


def test_id_and_name_that_disagree_are_flagged_on_the_name():
    rows = [["指标编号", "指标名称", "报告期", "实际值"], ["T02", "每万人发明专利拥有量", "2020Q4", 2]]
    r = check(fx.xlsx({"指标": rows}))
    p = problem_at(r, "指标!B2")
    assert "T19" in p.message and "T02" in p.message and not r.indicators


# --- 3. one column per quarter ---------------------------------------------------------------------------


def test_wide_layout_with_chinese_quarters_is_unpivoted_with_the_year_from_the_title():
    rows = [["2020年农产品质量安全例行检测总体合格率（分季度）"], ["填报单位：市农业农村局"],
            ["指标名称", "区县", "一季度", "二季度", "三季度", "四季度"],
            ["农产品质量安全例行检测总体合格率", "全市", "95.1%", "95.6%", "96.0%", ""],
            ["农产品质量安全例行检测总体合格率", "赤坎区", 94.8, 95.2, "约96", 96.4]]
    r = check(fx.xlsx({"分季度": rows}))
    assert [(i.district_adcode, i.period_code, i.value) for i in r.indicators] == [
        (None, "2020Q1", 95.1), (None, "2020Q2", 95.6), (None, "2020Q3", 96.0)]
    p = problem_at(r, "分季度!E5")
    assert "估计" in p.message and "确切" in p.fix  # the whole row 5 is held back with it
    assert "“一季度”读作 2020Q1 的实际值" in notes(r)


def test_wide_layout_with_coded_quarters_for_tasks():
    rows = [["序号", "工作任务", "责任单位", "2020Q1", "2020Q2", "2020Q3", "2020Q4"],
            [2, "提高食品药品质量安全水平", "市市场监管局", "未启动", "30%", "60%", "已完成（100%）"]]
    r = check(fx.xlsx({"任务": rows}))
    assert not r.problems, [p.text() for p in r.problems]
    assert [(t.period_code, t.status, t.percent) for t in r.tasks] == [
        ("2020Q1", "未启动", None), ("2020Q2", "推进中", 30), ("2020Q3", "推进中", 60), ("2020Q4", "已完成", 100)]


def test_wide_layout_without_a_year_asks_for_one():
    rows = [["指标编号", "一季度", "二季度"], ["T01", 90, 91]]
    r = check(fx.xlsx({"表": rows}))
    p = problem_at(r, "表!B1")
    assert "没有写年份" in p.message and r.blocking
    assert not r.problems[1:] and not r.indicators
    assert [i.period_code for i in check(fx.xlsx({"表": rows}), period="2020Q4").indicators] == ["2020Q1", "2020Q2"]


# --- 4. a consolidated sheet holding several departments -----------------------------------------------------


CONSOLIDATED = [["全市质量提升工作任务推进情况汇总表（2020年第四季度）"],
                ["序号", "工作任务", "责任单位", "进展状态", "完成进度", "工作进展"],
                [1, "提高农产品优质供给水平", "市农业农村局", "推进中", "70%", "示范区建设过半"],
                [2, "提高食品药品质量安全水平", "市市场监管局", "已完成", "100%", "全部完成"],
                [3, "推动消费品工业增品种、提品质、创品牌", "市工业和信息化局", "", "0", ""],
                [6, "稳步提升建设工程质量", "市住房和城乡建设局", "滞后", "30%", "资金未到位"]]


def test_consolidated_sheet_keeps_each_rows_department_for_the_callers_scope_check():
    r = check(fx.xlsx({"汇总": CONSOLIDATED}))
    assert not r.problems, [p.text() for p in r.problems]
    assert r.row_departments == {("汇总", 3): "市农业农村局", ("汇总", 4): "市市场监管局",
                                 ("汇总", 5): "市工业和信息化局", ("汇总", 6): "市住房和城乡建设局"}
    assert [(t.status, t.status_inferred) for t in r.tasks][2] == ("未启动", True)
    assert r.department is None and r.period == "2020Q4"


def test_consolidated_sheet_uploaded_by_one_department_flags_the_others_rows():
    r = check(fx.xlsx({"汇总": CONSOLIDATED}), department="市市场监管局")
    flagged = sorted(p.where for p in r.problems)
    assert flagged == ["汇总!C3", "汇总!C5", "汇总!C6"]
    assert "本表是市市场监管局的填报表，此行却是市农业农村局" in problem_at(r, "汇总!C3").message
    assert [t.task_id for t in r.tasks] == [2]


def test_consolidated_indicator_sheet_checks_the_lead():
    rows = [["指标名称", "填报单位", "报告期", "实际值"],
            ["农产品质量安全例行检测总体合格率", "市农业农村局", "2020年四季度", "96.2"],
            ["每万人发明专利拥有量", "市农业农村局", "2020年四季度", "2.1"]]
    r = check(fx.xlsx({"指标": rows}))
    assert [(i.target_id, i.department) for i in r.indicators] == [("T02", "市农业农村局")]
    assert "该指标由市市场监管局牵头填报" in problem_at(r, "指标!B3").message


# --- 5. formats ------------------------------------------------------------------------------------------------


def test_gb18030_csv_with_units_wan_full_width_digits_and_thousands():
    rows = [["指标", "报告期", "完成值", "备注"],
            ["技术改造累计完成投资", "2020年第四季度", "4,200,000万元", "折合420亿元"],
            ["全员劳动生产率", "2020年第四季度", "６６万元/人", "𠮷祥（GB18030 四字节字）"],
            ["人均基本公共卫生服务经费", "2020年12月", "85元", ""],
            ["实现“最多跑一次”的高频事项", "二〇二〇年第四季度", "1.2千", ""],
            ["社会公用计量标准", "2020年四季度", "3.5万", ""]]
    content = fx.csv_bytes(rows, "gb18030")
    r = check(content, "指标.csv")
    assert [(i.target_id, i.value) for i in r.indicators] == [("T34", 420), ("T17", 66), ("T51", 85), ("T23", 35000)]
    assert r.indicators[1].note == "𠮷祥（GB18030 四字节字）"
    assert problem_at(r, "指标!C5").message == "单位“千”与指标单位“个”不符"
    assert "“4200000万元”换算为 420 亿元" in notes(r)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding(encoding):
    rows = [["任务编号", "责任部门", "报告期", "进度"], ["2", "市市场监管局", "2020Q4", "推进中"]]
    r = check(fx.csv_bytes(rows, encoding), "任务.csv")
    assert not r.problems and r.tasks[0].status == "推进中"


def test_xls_with_a_mixed_percent_and_status_column():
    rows = [["任务编号", "责任部门", "报告期", "进展状态", "完成进度", "进展情况"],
            [2, "市市场监管局", "2020Q4", "", "已完成", "完成"],
            [13, "市市场监管局", "2020Q4", "", 0.6, "推进"],
            [15, "市市场监管局", "2020Q4", "推进中", "60%", ""],
            [16, "市市场监管局", "2020Q4", "已完成", 60, ""],
            [17, "市市场监管局", "2020Q4", "未启动", "", ""],
            [18, "市市场监管局", "2020Q4", "", "", "已与高校签订合作协议"]]
    r = check(fx.xls({"任务进展": rows}), "任务.xls")
    got = [(t.task_id, t.status, t.percent, t.status_inferred) for t in r.tasks]
    assert got == [(2, "已完成", None, False), (13, "推进中", 60, True), (15, "推进中", 60, False),
                   (17, "未启动", None, False), (18, "推进中", None, True)]
    p = problem_at(r, "任务进展!D5")
    assert p.message == "进展状态“已完成”与完成比例 60% 矛盾" and "一致" in p.fix


def test_ods_several_sheets_each_with_its_own_department():
    content = fx.ods({
        "封面": [["2020年第四季度质量提升工作进展"], ["湛江市质量强市工作领导小组办公室"]],
        "农业农村局": [["填报单位：市农业农村局"], ["序号", "工作任务", "完成情况", "工作进展"],
                   [1, "提高农产品优质供给水平", 0.7, "推进中"],
                   [14, "实施农村重点产品质量整治提升工程", "已完成", ""]],
        "住建局": [["填报单位：市住房和城乡建设局"], ["指标", "实际值"], ["装配式建筑占新建建筑的比例", "22%"],
                ["新建成品住房全装修率", "31"]]})
    r = check(content, "汇总.ods", period="2020Q4")
    assert not r.problems, [p.text() for p in r.problems]
    assert [(t.task_id, t.department, t.status, t.percent) for t in r.tasks] == [
        (1, "市农业农村局", "推进中", 70), (14, "市农业农村局", "已完成", None)]
    assert [(i.target_id, i.value, i.department) for i in r.indicators] == [
        ("T36", 22, "市住房和城乡建设局"), ("T37", 31, "市住房和城乡建设局")]
    assert "封面：没有找到指标或任务的表头，此表未读取" in notes(r)


def test_wps_et_is_read_when_it_can_be_and_refused_in_chinese_otherwise():
    rows = [["指标编号", "报告期", "实际值"], ["T01", "2020Q4", 96]]
    r = check(fx.xls({"指标": rows}), "进度.et")
    assert [(i.target_id, i.value) for i in r.indicators] == [("T01", 96)]
    with pytest.raises(UploadRefused) as info:
        read_upload("坏的.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    assert "“坏的.et”" in str(info.value) and "另存为" in str(info.value) and "xlsx" in str(info.value)


# --- 6. numbers, periods and texts as people write them, and the bounds --------------------------------------


def test_numbers_people_write_and_numbers_refused():
    rows = [["指标编号", "报告期", "实际值"],
            ["T09", "2020年第四季度", "１２家"],  # full-width digits and a unit
            ["T46", "2020年四季度", "1,200"],
            ["T10", "2020年12月", "9" * 400],  # 400 nines: not a number anyone reports
            ["T13", "2020Q4", -2],  # a negative count
            ["T01", "2020Q4", "90左右"],
            ["T18", "2020Q4", "130%"],
            ["T33", "2020Q4", "-3.5%"],  # a growth rate may fall
            ["T05", "2020Q4", "86分"],
            ["T21", "2020Q4", "12%"]]
    r = check(fx.xlsx({"指标": rows}))
    assert [(i.target_id, i.value) for i in r.indicators] == [("T09", 12), ("T46", 1200), ("T33", -3.5), ("T05", 86)]
    assert problem_at(r, "指标!C4").message == "数值过大或不是有效数字"
    assert problem_at(r, "指标!C5").message == "不能为负数"
    assert "估计" in problem_at(r, "指标!C6").message
    assert "0–100" in problem_at(r, "指标!C7").message
    assert "带了百分号" in problem_at(r, "指标!C10").message
    assert all(p.fix for p in r.problems)


def test_text_longer_than_its_limit_is_refused_on_its_cell():
    rows = [["任务编号", "责任部门", "报告期", "进展状态", "进展情况", "存在问题"],
            [2, "市市场监管局", "2020Q4", "推进中", "好" * 2001, "无"]]
    r = check(fx.xlsx({"任务进展": rows}))
    p = problem_at(r, "任务进展!E2")
    assert "文字过长（2,001 字，最多 2,000 字）" == p.message and "2,000 字以内" in p.fix and not r.tasks


@pytest.mark.parametrize("written", ["2020年第四季度", "2020年四季度", "2020年12月", "二〇二〇年第四季度",
                                     "2020年四季度末", "截至2020年12月底", "2020年1-12月", "2020年12月31日",
                                     "2020年全年"])
def test_periods_written_in_chinese(written):
    r = check(fx.xlsx({"指标": [["指标编号", "报告期", "实际值"], ["T01", written, 96]]}))
    assert not r.problems and r.indicators[0].period_code == "2020Q4"


# --- 7. the template carries last period's values, read-only, and reading ignores them -------------------------


def test_template_with_last_periods_values_in_a_protected_grey_column():
    from core.importer.templates import build_template

    previous = {("T01", None): 93.5, ("T09", None): 2.0, ("T06", None): 1.0, (2, "市市场监管局"): "推进中 60%"}
    content = build_template(CAT, period="2020Q4", deadline=fx.date(2021, 1, 10), department="市市场监管局",
                             previous=previous)
    wb = load_workbook(io.BytesIO(content))
    ind, tasks = wb["指标进展"], wb["任务进展"]
    heads = [c.value for c in ind[2]]
    assert heads[6:8] == ["上期值", "实际值"]
    row = next(r for r in ind.iter_rows(min_row=3) if r[0].value == "T01")
    assert row[6].value == 93.5 and row[6].protection.locked and row[6].fill.fgColor.rgb.endswith("F2F2F2")
    assert not row[7].protection.locked
    assert [c.value for c in tasks[2]][5:7] == ["上期值", "进展状态"]
    task_row = next(r for r in tasks.iter_rows(min_row=3) if r[0].value == 2)
    assert task_row[5].value == "推进中 60%" and task_row[5].protection.locked
    # Filled in (实际值 only for T01, a status for task 2): the 上期值 column is never read.
    row[7].value = 96
    task_row[6].value = "推进中"
    out = io.BytesIO()
    wb.save(out)
    r = check(out.getvalue(), "模板.xlsx")
    assert not r.problems, [p.text() for p in r.problems]
    assert [(i.target_id, i.value) for i in r.indicators] == [("T01", 96)]
    assert [(t.task_id, t.status) for t in r.tasks] == [(2, "推进中")]
    assert "“上期值”列只作参考，不导入" in notes(r)


# --- 8. what the preview shows, and the marked workbook --------------------------------------------------------


def test_preview_and_summary_say_how_the_file_was_understood():
    import pandas as pd

    r = check(fx.xlsx({"分解表": ANNEX}))
    plan = plan_changes(r, pd.DataFrame(), pd.DataFrame(), CAT)
    assert any(c.new == "推进中 80%（状态为推断）" for c in plan.new)
    out = import_summary(r, plan, dry_run=True)
    texts = [u["text"] for u in out["understood"]]
    assert "填报单位读作 市市场监管局（取自标题“市市场监管局”）" in texts
    assert all({"sheet", "cell", "text", "count"} <= set(u) for u in out["understood"])
    table = understood_table(r)
    assert {"位置": "分解表!F4", "理解为": "“完成情况”读作完成进度", "涉及行数": 1} in table


def test_marked_workbook_is_built_from_parsed_cells_without_loading_the_upload(monkeypatch):
    import openpyxl

    rows = [["指标编号", "报告期", "实际值", "备注"], ["T99", "2020Q4", 90, "=HYPERLINK(\"http://x\")"],
            ["T01", "2020Q4", "约90", ""]]
    for filename, content in (("进度.xlsx", fx.xlsx({"指标": rows})), ("指标.csv", fx.csv_bytes(rows, "gb18030"))):
        book = read_upload(filename, content)
        r = validate_upload(book, CAT, filename=filename, sha256="x")

        def no_loading(*a, **k):
            raise AssertionError("the upload must not be loaded by openpyxl in the server")

        monkeypatch.setattr(openpyxl, "load_workbook", no_loading)
        monkeypatch.setattr("openpyxl.reader.excel.load_workbook", no_loading)
        data, name = mark_workbook(filename, content, r.problems, book=book)
        monkeypatch.undo()
        assert name == filename.rsplit(".", 1)[0] + "-问题标注.xlsx"
        wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames == [SUMMARY_SHEET, "指标"]
        ws = wb["指标"]
        assert "指标编号不存在" in ws["A2"].comment.text and "估计" in ws["C3"].comment.text
        assert ws["B2"].value == "2020Q4" and ws["C2"].comment is None
        links = [row[0].hyperlink.location for row in wb[SUMMARY_SHEET].iter_rows(min_row=4) if row[0].hyperlink]
        assert "'指标'!A2" in links and "'指标'!C3" in links
    # The CSV's formula-like text comes back as text, not as a live formula.
    assert ws["D2"].data_type == "s" and ws["D2"].value.startswith("=HYPERLINK")


def test_tasks_by_title_with_the_bodys_clause_number_or_by_number_alone():
    rows = [["工作任务", "进展状态"], ["3.提高农产品优质供给水平", "推进中"],
            ["（2）提高食品药品质量安全水平", "推进中"], ["质量人才培养", "推进中"], ["30", "已完成"]]
    r = check(fx.xlsx({"任务": rows}), period="2020Q4", department="市市场监管局")
    assert [t.task_id for t in r.tasks] == [1, 2, 30]
    assert "“3.提高农产品优质供给水平”按任务名称读作任务1（前面的 3 不是附件序号）" in notes(r)
    p = problem_at(r, "任务!A4")
    assert p.message == "工作任务与方案附件中的任务都对不上" and "任务29 健全质量人才教育培训体系" in p.fix


def test_a_title_naming_the_office_or_a_close_spelling():
    rows = [["填报单位：湛江市质量强市工作领导小组办公室"], ["任务编号", "责任单位", "报告期", "进展状态"],
            [2, "市市场监管局", "2020Q4", "推进中"]]
    r = check(fx.xlsx({"汇总": rows}))
    assert not r.problems and r.tasks[0].department == "市市场监管局"
    assert "不是方案中的某个部门，未作为本表的填报部门" in notes(r)
    rows[0] = ["填报单位（盖章）：湛江市市场监督管理局"]
    r = check(fx.xlsx({"汇总": rows}))
    assert not r.problems and "填报单位读作 市市场监管局" in notes(r)


def test_marked_workbook_sheet_names_follow_excels_rules():
    from core.importer.model import Problem
    from core.importer.reader import ParsedBook, ParsedSheet

    book = ParsedBook("x.csv", "csv", [ParsedSheet("进度[1]*?", [["a", "b"]]), ParsedSheet("长" * 40, [["c"]]),
                                       ParsedSheet("长" * 41, [["d"]])])
    problems = [Problem("进度[1]*?", "B1", "b", "m", "f", 1), Problem("长" * 41, "A1", "d", "m2", "f2", 1)]
    data, _ = mark_workbook("x.csv", b"", problems, book=book)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[1] == "进度_1___" and len(set(wb.sheetnames)) == 4
    assert wb.worksheets[3]["A1"].comment.text == "m2。f2" and wb.worksheets[1]["B1"].comment.text == "m。f"
