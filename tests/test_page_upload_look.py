"""AppTest of the second look on 进度填报 and 报送审核 (issue 16 item 6): a tenfold jump shows a highlighted
table of warnings and a 说明 box, 确认入库 waits for the 说明, the 说明 is kept and the reviewer reads it
beside the warning."""
from __future__ import annotations

from components.upload_look import NOTE_LABEL
from db import queries
from tests.auth_fixtures import AGRI, accounts, run_as, token_for  # noqa: F401  (fixture)
from tests.test_page_upload import XLSX, db_state, filled_template, texts

PERIOD = "2020Q4"  # the demo's open period
REASON = "本季度新认定省级示范基地，统计口径由市级扩至省级"


def look_table(at):
    return next(d.value for d in at.dataframe if "状态" in d.value.columns and "提示" in d.value.columns)


def note_box(at):
    return next(t for t in at.text_area if t.label == NOTE_LABEL)


def test_a_tenfold_jump_asks_for_a_note_before_it_is_committed(accounts):
    at = run_as(token_for(accounts["admin"]), "pages/upload.py")
    at.file_uploader(key="up_file").upload("农业.xlsx", filled_template({"T30": 300}, department=AGRI), XLSX).run()
    assert not at.exception
    table = look_table(at)
    assert table["指标编号"].tolist() == ["T30"] and table["提示"].tolist() == ["大幅变动"]
    assert table["位置"].iloc[0].startswith("指标进展!第") and table["状态"].tolist() == ["待说明"]
    assert "变动超过 50%" in table["内容"].iloc[0]
    assert "需要说明的数据（1 处）" in texts(at.markdown)
    assert note_box(at).max_chars == 500
    commit = at.button(key="up_file_commit")
    assert commit.disabled and "有 1 处数据需要说明" in texts(at.warning)

    before = db_state()
    note_box(at).input(REASON).run()
    assert not at.exception and db_state() == before  # typing writes nothing
    assert look_table(at)["状态"].tolist() == ["已说明"]
    assert not at.button(key="up_file_commit").disabled
    at.button(key="up_file_commit").click().run()
    assert not at.exception and "已入库（提交编号" in texts(at.success)
    sub = queries.submissions(AGRI).iloc[0]
    assert sub["note"] == REASON and sub["filename"] == "农业.xlsx"
    history = next(d.value for d in at.dataframe if "撤销人" in d.value.columns)  # 报送记录
    assert history.loc[history["编号"] == sub["id"], "说明"].tolist() == [REASON]


def test_online_entry_asks_for_the_note_too(accounts):
    at = run_as(token_for(accounts["admin"]), "pages/upload.py")
    at.selectbox(key="up_on_dept").select(AGRI).run()
    at.selectbox(key="up_on_period").select(PERIOD).run()
    editor = next(e for e in at.data_editor if "实际值" in e.value.columns)
    row = int(editor.value.index[(editor.value["指标编号"] == "T30") & (editor.value["区县"] == "全市")][0])
    at.session_state[editor.key] = {"edited_rows": {row: {"实际值": 300.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert look_table(at)["指标编号"].tolist() == ["T30"]
    assert at.button(key="up_on_commit").disabled
    note_box(at).input(REASON).run()
    assert not at.button(key="up_on_commit").disabled
    at.button(key="up_on_commit").click().run()
    assert not at.exception and "已入库（提交编号" in texts(at.success)
    sub = queries.submissions(AGRI).iloc[0]
    assert (sub["source"], sub["note"]) == ("online", REASON)


def test_the_reviewer_reads_the_note_beside_the_warning(accounts):
    reporter = run_as(token_for(accounts["agri"]), "pages/upload.py")
    reporter.file_uploader(key="up_file").upload("农业.xlsx", filled_template({"T30": 300}, department=AGRI),
                                                 XLSX).run()
    assert reporter.button(key="up_file_commit").disabled
    note_box(reporter).input(REASON).run()
    reporter.button(key="up_file_commit").click().run()
    assert "已提交，待审核" in texts(reporter.success)

    office = run_as(token_for(accounts["admin"]), "pages/admin.py")
    assert not office.exception
    look = next(d.value for d in office.dataframe if "复核提示" in d.value.columns).set_index("指标编号")
    assert "变动超过 50%" in look.loc["T30", "复核提示"] and look.loc["T30", "说明"] == f"报送说明：{REASON}"
    assert f"报送说明（数据异常的原因）**：{REASON}" in texts(office.markdown)
