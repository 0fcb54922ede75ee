"""AppTest of 佐证材料 on 进度填报 (file upload, online entry, the 佐证材料 tab) and of the office's 完成核验 view:
files chosen per row in the preview go in with the commit, a complete row without files is flagged at its
cell, a bad file refuses the whole commit, a returned report shows its reason and takes new files, and the
office sees the files (download) before 核验通过."""
from __future__ import annotations

import pytest

from core.report_evidence import NO_EVIDENCE, TASK, RowKey
from db import trust as store
from db import users
from services import report_evidence, submissions
from services.identity import Caller
from tests.auth_fixtures import MARKET, accounts, run_as, token_for  # noqa: F401  (fixture)
from tests.test_page_upload import XLSX, texts
from tests.test_report_evidence import PDF, PERIOD, task_sheet

UPLOAD, ADMIN = "pages/upload.py", "pages/admin.py"
TASK2 = RowKey(TASK, "2", MARKET, PERIOD)  # 市市场监管局 leads task 2; the demo has it at 61% in 2020Q4


@pytest.fixture
def people(accounts):
    # 2020Q4 is long past its deadline: the office opens it, as for a real late report.
    store.set_period_state(store.Actor(accounts["admin"], via=store.CLI), PERIOD, "open")
    return accounts


FLAG_COLUMNS = ["位置", "行", "问题", "修改方法"]


def flag_frame(at):
    """The one flags table: online entry flags only what it writes, the upload tab only a chosen file."""
    frames = [d.value for d in at.dataframe if list(d.value.columns) == FLAG_COLUMNS]
    assert len(frames) <= 1
    return frames[0] if frames else None


def task_uploader(at, task_id: int):
    return next(u for u in at.file_uploader if u.label.split("　")[-1].startswith(f"任务{task_id} "))


def files_of_task2():
    return report_evidence.task_files(task_id=2, department=MARKET, period_code=PERIOD)


def test_reporter_attaches_a_pdf_to_a_complete_row_in_the_same_commit(people):
    at = run_as(token_for(people["market"]), UPLOAD)
    at.file_uploader(key="up_file").upload("进度.xlsx", task_sheet({2: ("已完成", 100)}), XLSX).run()
    assert not at.exception
    flags = flag_frame(at)
    assert flags is not None and flags["问题"].tolist() == [NO_EVIDENCE] and flags["位置"][0].startswith("任务进展!A")
    task_uploader(at, 2).upload("验收报告.pdf", PDF, "application/pdf").run()
    assert flag_frame(at) is None  # the flag goes once the row has its file
    at.button(key="up_file_commit").click().run()
    assert not at.exception
    assert "佐证材料 1 个已保存" in texts(at.success)
    files = files_of_task2()
    assert files[["filename", "submission_state", "live"]].values.tolist() == [["验收报告.pdf", "pending", True]]


def test_a_file_that_is_not_what_it_says_refuses_the_commit(people):
    at = run_as(token_for(people["market"]), UPLOAD)
    at.file_uploader(key="up_file").upload("进度.xlsx", task_sheet({2: ("已完成", 100)}), XLSX).run()
    task_uploader(at, 2).upload("验收报告.pdf", b"<html><script>alert(1)</script></html>", "application/pdf").run()
    before = len(submissions.queries.submissions(MARKET))
    at.button(key="up_file_commit").click().run()
    assert "未入库：任务2（市市场监管局，2020Q4）" in texts(at.error) and "不是 PDF" in texts(at.error)
    assert len(submissions.queries.submissions(MARKET)) == before and files_of_task2().empty


def test_online_entry_takes_files_for_a_task_row(people):
    at = run_as(token_for(people["admin"]), UPLOAD)
    at.selectbox(key="up_on_dept").select(MARKET).run()
    at.selectbox(key="up_on_period").select(PERIOD).run()
    editor = next(e for e in at.data_editor if "完成进度(%)" in e.value.columns)
    row = int(editor.value.index[editor.value["任务编号"] == 2][0])
    at.session_state[editor.key] = {"edited_rows": {row: {"进展状态": "已完成", "完成进度(%)": 100}},
                                    "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert NO_EVIDENCE in flag_frame(at)["问题"].tolist()
    task_uploader(at, 2).upload("验收照片.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png").run()
    at.button(key="up_on_commit").click().run()
    assert not at.exception and "佐证材料 1 个已保存" in texts(at.success)
    files = files_of_task2()
    assert files[["filename", "submission_state"]].values.tolist() == [["验收照片.png", "committed"]]


def _office_reports_task2_with(files: list[tuple[str, bytes]], people) -> None:
    office = Caller(users.user_identity(people["admin"]), token_for(people["admin"]))
    draft = submissions.prepare_file(office, "进度.xlsx", task_sheet({2: ("已完成", 100)}))
    outcome, _ = report_evidence.commit(office, draft, {TASK2: files} if files else {})
    assert outcome.written


def _check_state() -> str:
    df = store.completions_to_check().set_index(["task_id", "department", "period_code"])
    return df.loc[(2, MARKET, PERIOD), "verification"]


def test_office_sees_the_files_and_verifies(people):
    _office_reports_task2_with([("验收报告.pdf", PDF)], people)
    at = run_as(token_for(people["admin"]), ADMIN)
    table = next(d.value for d in at.dataframe if "完成%" in d.value.columns)
    row = table[(table["任务"].str.startswith("2. ")) & (table["部门"] == MARKET) & (table["报告期"] == PERIOD)]
    assert row[["核验", "佐证材料"]].values.tolist() == [["待核验", 1]]
    at.selectbox(key="tr_vf_pick").select(f"2|{MARKET}|{PERIOD}").run()
    downloads = [b for b in at.get("download_button") if b.key and b.key.startswith("tr_vf_file_")]
    assert len(downloads) == 1 and "验收报告.pdf" in downloads[0].proto.label
    at.button(key="tr_vf_ok").click().run()
    assert not at.exception and "核验通过" in texts(at.success)
    assert _check_state() == "已核验"


def test_a_report_without_files_cannot_be_verified_from_the_page(people):
    _office_reports_task2_with([], people)
    at = run_as(token_for(people["admin"]), ADMIN)
    at.selectbox(key="tr_vf_pick").select(f"2|{MARKET}|{PERIOD}").run()
    assert "该报告没有佐证材料" in texts(at.warning)
    at.button(key="tr_vf_ok").click().run()
    assert "没有佐证材料，不能核验通过" in texts(at.error) and _check_state() == ""


def test_department_sees_the_return_reason_and_adds_files(people):
    _office_reports_task2_with([("草稿.pdf", PDF)], people)
    store.verify_task(store.Actor(people["admin"], via=store.CLI), 2, MARKET, PERIOD, approve=False,
                      reason="缺少验收报告原件")
    at = run_as(token_for(people["market"]), UPLOAD)
    assert not at.exception
    assert "任务2（2020Q4）被督查办退回：缺少验收报告原件" in texts(at.warning)
    table = next(d.value for d in at.dataframe if "核验" in d.value.columns and "佐证材料" in d.value.columns)
    row = table[table["任务"].str.startswith("2. ") & (table["报告期"] == PERIOD)]
    assert row[["核验", "退回原因", "佐证材料"]].values.tolist() == [["退回", "缺少验收报告原件", 1]]
    at.selectbox(key="ev_rep_pick").select(f"2|{PERIOD}").run()
    at.file_uploader(key="ev_rep_files").upload("验收报告.pdf", PDF, "application/pdf").run()
    at.button(key="ev_rep_attach").click().run()
    assert not at.exception and "保存佐证材料 1 个" in texts(at.success)
    assert _check_state() == ""  # 待核验 again
    assert sorted(files_of_task2()["filename"]) == ["草稿.pdf", "验收报告.pdf"]


def test_any_other_row_takes_files_on_request(people):
    from tests.test_page_upload import filled_template

    at = run_as(token_for(people["market"]), UPLOAD)
    at.file_uploader(key="up_file").upload("指标.xlsx", filled_template({"T23": 261.0}), XLSX).run()
    assert flag_frame(at) is None  # no complete task row: nothing to flag
    pick = at.selectbox(key="up_file_ev_pick")
    token = next(t for t in pick.options if "T23" in t)
    pick.select(token).run()
    next(u for u in at.file_uploader if u.label.split("　")[-1].startswith("T23 ")).upload(
        "台账.pdf", PDF, "application/pdf").run()
    at.button(key="up_file_commit").click().run()
    assert not at.exception and "佐证材料 1 个已保存" in texts(at.success)
    files = report_evidence.task_files(department=MARKET)
    assert files[["owner_kind", "target_id", "filename"]].values.tolist() == [["indicator_value", "T23", "台账.pdf"]]
