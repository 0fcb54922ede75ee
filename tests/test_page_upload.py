"""AppTest of 进度填报 as the office (管理员, commits directly): preview before confirm, commit, refused files,
online entry, undo. A department's account (待审核) is covered by tests/test_review_workflow.py."""
from __future__ import annotations

import io
import os
from datetime import date

import openpyxl
import pytest
from sqlmodel import func, select

from core.catalogue import load_catalogue
from core.importer.templates import build_template
from db import models as m
from db import queries
from db.engine import data_version, session_scope
from tests.auth_fixtures import accounts, run_as, token_for  # noqa: F401  (fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPT, PERIOD = "市市场监管局", "2020Q4"


def filled_template(values: dict[str, object], department: str = DEPT, period: str = PERIOD) -> bytes:
    """The department's template with 实际值 typed into the whole-city row of each target in `values`."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(load_catalogue(), period=period, deadline=date(2021, 1, 10),
                                                          department=department)))
    ws = wb["指标进展"]
    for row in ws.iter_rows(min_row=3):
        if row[0].value in values and row[4].value == "全市":
            row[6].value = values[row[0].value]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def city_value(target_id: str, period: str = PERIOD) -> float | None:
    df = queries.current_values(target_id=target_id, city_only=True)
    df = df[df["period_code"] == period]
    return None if df.empty else float(df["value"].iloc[0])


def db_state() -> tuple:
    with session_scope() as s:
        counts = tuple(s.exec(select(func.count()).select_from(t)).one()
                       for t in (m.Submission, m.SubmissionFile, m.IndicatorValue, m.TaskProgress, m.AuditLog))
    return counts, data_version()


def texts(elements) -> str:
    return " ".join(str(getattr(e, "value", e)) for e in elements)


def first_frame(at, column: str):
    """The first table with this column: the file tab renders before the online and history tabs."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metric(at, label: str) -> str:
    return next(x.value for x in at.metric if x.label == label)


@pytest.fixture
def upload_page(accounts):
    return lambda: run_as(token_for(accounts["admin"]), "pages/upload.py")


def test_upload_page_asks_for_login_and_writes_nothing(accounts):
    at = run_as(None, "pages/upload.py")
    assert not at.exception
    assert "进度填报需要登录" in texts(at.info)
    assert not [u for u in at.get("file_uploader")] and not at.tabs


def test_preview_writes_nothing_until_confirm(upload_page):
    at = upload_page()
    assert at.title[0].value == "进度填报" and not at.exception
    before, old = db_state(), city_value("T23")
    content = filled_template({"T23": 263})
    at.file_uploader(key="up_file").upload("市场监管局进度.xlsx", content, XLSX).run()
    assert not at.exception
    assert int(metric(at, "新增")) + int(metric(at, "变更")) == 1 and metric(at, "问题行") == "0"
    assert "T23 社会公用计量标准 · 全市 · 2020Q4" in texts(first_frame(at, "内容")["内容"])
    assert not at.button(key="up_file_commit").disabled
    assert db_state() == before and city_value("T23") == old  # previewed, not written

    at.button(key="up_file_commit").click().run()
    assert not at.exception
    success = texts(at.success)
    assert "已入库（提交编号" in success
    assert city_value("T23") == 263.0
    sub = queries.submissions(DEPT).iloc[0]
    assert (sub["filename"], sub["user_name"], sub["source"], sub["state"], sub["period_code"]) == (
        "市场监管局进度.xlsx", "office", "upload", "committed", PERIOD)
    assert db_state()[0][0] == before[0][0] + 1

    # The same file again, in a new session: nothing written, and it says so.
    again = upload_page()  # logging in is audited: count from here
    after = db_state()
    again.file_uploader(key="up_file").upload("副本.xlsx", content, XLSX).run()
    assert f"该文件已导入过（提交编号 {sub['id']}），未重复写入" in texts(again.info)
    assert db_state() == after


def test_problem_rows_block_commit_unless_valid_only(upload_page):
    at = upload_page()
    at.file_uploader(key="up_file").upload("进度.xlsx", filled_template({"T23": "很多", "T24": 3}), XLSX).run()
    problems = first_frame(at, "修改方法")
    assert list(problems.columns) == ["位置", "填写的值", "问题", "修改方法"]
    bad = problems[problems["填写的值"] == "很多"].iloc[0]
    assert bad["位置"].startswith("指标进展!G") and bad["问题"]
    assert at.button(key="up_file_commit").disabled
    assert "仅提交无误的行" in texts(at.warning)
    assert any(b.label == "下载标注问题的工作簿" for b in at.get("download_button"))
    before = db_state()
    at.checkbox(key="up_file_valid_only").check().run()
    assert db_state() == before
    at.button(key="up_file_commit").click().run()
    assert "未入库的问题行 1 条" in texts(at.success)
    assert city_value("T24") == 3.0
    assert queries.submissions(DEPT).iloc[0]["rejected"] == 1


@pytest.mark.parametrize("name, content, words", [
    ("改名的.xlsx", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(2000), "进度表"),
    ("随机.xlsx", os.urandom(4096), ""),
    ("空文件.csv", b"", "空"),
])
def test_refused_file_shows_chinese_error_and_writes_nothing(upload_page, name, content, words):
    at = upload_page()
    before = db_state()
    at.file_uploader(key="up_file").upload(name, content, "application/octet-stream").run()
    assert not at.exception
    error = texts(at.error)
    assert name in error and words in error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert not [b for b in at.button if b.key == "up_file_commit"]
    assert db_state() == before
    at.run()  # the app keeps answering
    assert not at.exception and at.title[0].value == "进度填报"


def test_online_entry_goes_through_preview_and_commit(upload_page):
    at = upload_page()
    at.selectbox(key="up_on_dept").select(DEPT).run()
    at.selectbox(key="up_on_period").select(PERIOD).run()
    editor = next(e for e in at.data_editor if "实际值" in e.value.columns)
    row = int(editor.value.index[(editor.value["指标编号"] == "T23") & (editor.value["区县"] == "全市")][0])
    before = db_state()
    at.session_state[editor.key] = {"edited_rows": {row: {"实际值": 271.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert db_state() == before
    assert "T23 社会公用计量标准 · 全市 · 2020Q4" in texts(first_frame(at, "内容")["内容"])
    at.button(key="up_on_commit").click().run()
    assert not at.exception
    assert "已入库（提交编号" in texts(at.success)
    assert city_value("T23") == 271.0
    sub = queries.submissions(DEPT).iloc[0]
    assert (sub["source"], sub["user_name"], sub["filename"]) == ("online", "office", f"在线填报-{DEPT}-{PERIOD}.xlsx")
    from db.imports import submission_file

    name, content, _ = submission_file(int(sub["id"]))
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["指标进展", "任务进展"]


def test_undo_from_history_restores_earlier_value(upload_page):
    at = upload_page()
    old = city_value("T23")
    at.file_uploader(key="up_file").upload("进度.xlsx", filled_template({"T23": 299}), XLSX).run()
    at.button(key="up_file_commit").click().run()
    assert city_value("T23") == 299.0
    sub_id = int(queries.submissions(DEPT).iloc[0]["id"])
    at.selectbox(key="up_hist_pick").set_value(sub_id).run()
    history = first_frame(at, "撤销人")
    assert "（演示数据）" in texts(history["状态"])  # demo submissions are labelled
    assert at.button(key="up_hist_undo").disabled  # not confirmed yet
    at.checkbox(key=f"up_hist_confirm_{sub_id}").check().run()
    at.button(key="up_hist_undo").click().run()
    # Withdrawing counted data is the office's act with a reason (issue 14): none given, nothing changes.
    assert "须填写原因" in texts(at.error) and city_value("T23") == 299.0
    at.text_input(key=f"up_hist_reason_{sub_id}").input("数值填错").run()
    at.button(key="up_hist_undo").click().run()
    assert not at.exception
    assert f"已撤销提交 {sub_id}" in texts(at.success)
    assert city_value("T23") == old
    sub = queries.submissions(DEPT).set_index("id").loc[sub_id]
    assert sub["state"] == "undone" and sub["undone_by"] == "office"
    with session_scope() as s:
        last = s.exec(select(m.AuditLog).order_by(m.AuditLog.id.desc())).first()
        assert last.action == "undo" and "数值填错" in last.detail


def test_opening_the_page_starts_the_parse_child_the_first_file_will_use(upload_page):
    import os

    from core.importer import reader

    reader._dismiss_all()
    at = upload_page()
    assert not at.exception
    assert any(pid == os.getpid() and proc.poll() is None for pid, _, _, proc in reader._waiting)


def test_a_late_confirm_shows_the_cells_changed_since_the_preview_and_writes_nothing(upload_page, accounts):
    """Preview, another official writes the same cell, confirm: nothing written, the page names the cell,
    and the next run previews against the new value (issue 14)."""
    from db import users
    from services import submissions
    from services.identity import Caller

    at = upload_page()
    at.file_uploader(key="up_file").upload("进度.xlsx", filled_template({"T23": 263}), XLSX).run()
    assert not at.button(key="up_file_commit").disabled
    other = Caller(users.user_identity(accounts["admin"]), token_for(accounts["admin"]))
    ind, tasks = submissions.online_rows.uncached(DEPT, PERIOD)
    ind = ind.copy()
    ind.loc[(ind["指标编号"] == "T23") & (ind["区县"] == "全市"), "实际值"] = 55.0
    assert submissions.commit(other, submissions.prepare_online(other, DEPT, PERIOD, (ind, tasks))).written
    before = db_state()

    at.button(key="up_file_commit").click().run()
    assert not at.exception
    assert "预览之后以下数据已被其他报送修改" in texts(at.error) and "请重新预览" in texts(at.error)
    assert "T23" in texts(first_frame(at, "预览后已被修改的数据")["预览后已被修改的数据"])
    assert db_state() == before and city_value("T23") == 55.0
    # The page previews again against the value now in force: 55 → 263, and confirming now writes it.
    changed = first_frame(at, "原值")
    assert "55" in texts(changed["原值"]) and "263" in texts(changed["新值"])
    at.button(key="up_file_commit").click().run()
    assert "已入库（提交编号" in texts(at.success) and city_value("T23") == 263.0


def test_a_hand_made_sheet_is_previewed_with_how_it_was_understood(upload_page):
    """A department's own sheet (names, not ids; its own headings): the preview says how each column and name
    was read, before anything is written (issue 18)."""
    from tests import fixtures_excel as fx

    rows = [["2020年第四季度主要指标完成情况表"], ["填报单位：市市场监管局"],
            ["序号", "指标", "单位", "本年完成", "数据来源"],
            [1, "每万人口发明专利拥有量", "件", "2.3件", "市知识产权局"]]
    at = upload_page()
    before = db_state()
    at.file_uploader(key="up_file").upload("自制表.xlsx", fx.xlsx({"主要指标": rows}), XLSX).run()
    assert not at.exception
    understood = [e for e in at.expander if e.label.startswith("系统如何理解您的文件")]
    assert understood
    table = next(d.value for d in at.dataframe if "理解为" in d.value.columns)
    said = "\n".join(table["理解为"])
    assert "“本年完成”读作实际值" in said and "按别名匹配 T19" in said and "“2.3件”读作 2.3" in said
    assert "T19" in texts(first_frame(at, "内容")["内容"])
    assert db_state() == before  # previewed, not written


def test_a_closed_period_is_announced_and_its_cells_refused_on_the_page(upload_page):
    """报告期关闭 on 进度填报: the template and online panels say the period is closed before anything is
    typed, and the preview refuses the row at its cell; the demo's open 2020Q4 shows no such warning."""
    at = upload_page()
    at.selectbox(key="up_on_dept").select(DEPT).run()
    at.selectbox(key="up_on_period").select(PERIOD).run()
    assert "已关闭" not in texts(at.warning)
    at.selectbox(key="up_on_period").select("2020Q3").run()
    assert "2020Q3 已关闭（报送截止 2020-10-10 后 30 天已自动关闭）。涉及该期的报送将逐单元格拒收" in texts(at.warning)
    editor = next(e for e in at.data_editor if "实际值" in e.value.columns)
    row = int(editor.value.index[(editor.value["指标编号"] == "T23") & (editor.value["区县"] == "全市")][0])
    before = db_state()
    at.session_state[editor.key] = {"edited_rows": {row: {"实际值": 271.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and db_state() == before
    problems = first_frame(at, "修改方法")
    assert problems["位置"].str.startswith("指标进展!A").all() and len(problems) == 1
    assert problems["问题"].iloc[0].startswith("2020Q3 已关闭") and "联系督查办" in problems["修改方法"].iloc[0]
