"""The review workflow end to end, as the issue's "done when": a 填报员 of 市农业农村局 logs in, uploads, sees
待审核; the office returns it with a reason; the corrected upload is approved and only then changes the 总览."""
from __future__ import annotations

from sqlmodel import select

from core.overview import target_counts, target_statuses
from db import models as m
from db import queries
from db.engine import session_scope
from tests.auth_fixtures import AGRI, MARKET, TEST_PASSWORD, accounts, run_as, token_for  # noqa: F401
from tests.test_page_upload import XLSX, filled_template, texts

PERIOD = "2020Q4"


def overview_counts() -> dict[str, int]:
    """What the 总览 cockpit counts, from the same core.overview functions it uses."""
    st = target_statuses(queries.targets(), queries.current_values(up_to_period=PERIOD, city_only=True), PERIOD)
    counts = target_counts(st)
    return dict(zip(counts["status"], counts["count"])) | {"T30": st.set_index("target_id").loc["T30", "status"]}


def agri_submissions() -> list[tuple]:
    df = queries.submissions(AGRI)
    df = df[~df["is_demo"].astype(bool)]
    return list(df[["user_name", "state", "review_reason", "filename"]].itertuples(index=False, name=None))


def log_in_through_form(username: str):
    at = run_as(None, "pages/upload.py")
    at.text_input(key="au_username").input(username)
    at.text_input(key="au_password").input(TEST_PASSWORD)
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    return at


def upload(at, name: str, content: bytes, note: str | None = None):
    """Upload and submit; `note`: the 说明 a second-look warning asks for (a big jump, see test_page_upload_look)."""
    at.file_uploader(key="up_file").upload(name, content, XLSX).run()
    if note is not None:
        from components.upload_look import NOTE_LABEL

        next(t for t in at.text_area if t.label == NOTE_LABEL).input(note).run()
    commit = at.button(key="up_file_commit")
    assert commit.label == "提交审核" and not commit.disabled
    commit.click().run()
    assert not at.exception
    return at


def test_return_then_corrected_upload_counts_only_after_approval(accounts):
    before = overview_counts()
    assert before["T30"] == "未完成"  # demo: 25 of 31 at the end of 2020

    reporter = log_in_through_form(accounts["agri"])
    assert f"当前账号：{accounts['agri']}（填报员·{AGRI}）" in texts(reporter.caption)
    assert reporter.selectbox(key="up_on_dept").options == [AGRI]
    upload(reporter, "农业农村局-第一次.xlsx", filled_template({"T30": 33}, department=AGRI))
    assert "已提交，待审核（提交编号" in texts(reporter.success)
    assert agri_submissions() == [(accounts["agri"], "pending", "", "农业农村局-第一次.xlsx")]
    history = next(d.value for d in reporter.dataframe if "退回原因" in d.value.columns)
    assert history.iloc[0]["状态"] == "待审核" and set(history["部门"]) == {AGRI}
    assert overview_counts() == before  # pending does not count

    office = run_as(token_for(accounts["admin"]), "pages/admin.py")
    assert "待审核（1 次报送）" in texts(office.markdown)
    values = next(d.value for d in office.dataframe if {"指标编号", "实际值"} <= set(d.value.columns))
    assert values[values["指标编号"] == "T30"]["实际值"].tolist() == [33.0]
    # The second look beside it: the new value with the old one, the target and the change.
    look = next(d.value for d in office.dataframe if "本次值" in d.value.columns)
    assert look[look["指标编号"] == "T30"]["本次值"].tolist() == ["33 个"]
    office.button(key="au_rev_return").click().run()  # no reason: refused
    assert "必须填写退回原因" in texts(office.error) and agri_submissions()[0][1] == "pending"
    sub_id = int(queries.submissions(AGRI).iloc[0]["id"])
    office.text_input(key=f"au_rev_reason_{sub_id}").input("T30 数据来源未填写，请补充后重报").run()
    office.button(key="au_rev_return").click().run()
    assert f"提交 {sub_id} 已退回" in texts(office.success)
    assert agri_submissions()[0][1:3] == ("returned", "T30 数据来源未填写，请补充后重报")
    assert overview_counts() == before

    reporter = run_as(token_for(accounts["agri"]), "pages/upload.py")
    assert "已被督查办退回：T30 数据来源未填写，请补充后重报" in texts(reporter.warning)
    upload(reporter, "农业农村局-更正.xlsx", filled_template({"T30": 32}, department=AGRI))
    assert [s[1] for s in agri_submissions()] == ["pending", "returned"]
    assert overview_counts() == before

    office = run_as(token_for(accounts["admin"]), "pages/admin.py")
    office.button(key="au_rev_approve").click().run()
    assert "已审核通过" in texts(office.success)
    after = overview_counts()
    assert after["T30"] == "已达标"
    assert (after["已达标"], after["未完成"]) == (before["已达标"] + 1, before["未完成"] - 1)
    assert [s[1] for s in agri_submissions()] == ["approved", "returned"]
    with session_scope() as s:
        actions = [a for a in s.exec(select(m.AuditLog.action).order_by(m.AuditLog.id)).all()
                   if a in ("upload", "approve", "return")]
    assert actions == ["upload", "return", "upload", "approve"]


def test_reporter_cannot_write_another_departments_rows_on_the_page(accounts):
    before = queries.submissions().shape[0]
    at = run_as(token_for(accounts["agri"]), "pages/upload.py")
    at.file_uploader(key="up_file").upload("市场监管局的表.xlsx", filled_template({"T23": 263}, department=MARKET),
                                           XLSX).run()
    assert not at.exception
    problems = next(d.value for d in at.dataframe if "修改方法" in d.value.columns)
    assert f"您的账号只能报送“{AGRI}”的数据" in texts(problems["问题"])
    assert at.button(key="up_file_commit").disabled
    assert queries.submissions().shape[0] == before


def test_reporter_sees_and_withdraws_only_its_own_submissions(accounts):
    at = run_as(token_for(accounts["agri"]), "pages/upload.py")
    assert at.selectbox(key="up_hist_dept").options == [AGRI]
    upload(at, "撤回.xlsx", filled_template({"T30": 30}, department=AGRI))
    sub_id = int(queries.submissions(AGRI).iloc[0]["id"])
    from db.imports import CommitRefused, undo_submission

    market_sub = int(queries.submissions(MARKET).iloc[0]["id"])
    try:
        undo_submission(market_sub, accounts["agri"], AGRI)
        raise AssertionError("another department's submission was withdrawn")
    except CommitRefused as exc:
        assert "不是本部门的报送" in str(exc)
    at.selectbox(key="up_hist_pick").set_value(sub_id).run()
    at.checkbox(key=f"up_hist_confirm_{sub_id}").check().run()
    at.button(key="up_hist_undo").click().run()
    assert f"已撤销提交 {sub_id}" in texts(at.success)
    assert queries.submissions(AGRI).iloc[0]["state"] == "undone"
    assert queries.submissions(MARKET).set_index("id").loc[market_sub, "state"] != "undone"
