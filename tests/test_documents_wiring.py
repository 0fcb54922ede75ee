"""The supervision loop's documents wired to the CLI and the deck: 督办单 and 催办通知 .docx through
`manage.py export`, the deck's follow-up slide from the last meeting's notices, the 通报's 催办 counts."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from docx import Document
from pptx import Presentation

import manage
from core import supervision as sv
from db import meetings, users
from services import documents
from services import supervision as sup
from tests import auth_fixtures
from tests.auth_fixtures import AGRI, MARKET, token_for

accounts = auth_fixtures.accounts  # the fixture: office, nong_tb (市农业农村局), shij_tb, kan
FOLLOWUP_TITLE = "上次会议交办事项办理情况"


def _actor(username: str) -> sup.Actor:
    return sup.Actor(users.user_identity(username), token_for(username))


def _text(docx_bytes: bytes) -> str:
    doc = Document(io.BytesIO(docx_bytes))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _titles(doc: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(doc)).paragraphs if p.text.startswith("湛江市质量提升行动")]


def test_export_notices_one_page_each_and_a_department_batch(demo_db, tmp_path, capsys):
    open_ = sup.list_notices(period="2020Q4")
    open_ = open_[open_["state"] != sv.CLOSED]
    assert len(open_) >= 2, "the demo holds open notices for 2020Q4"
    out = tmp_path / "督办单.docx"
    assert manage.main(["export", "notices", "--period", "2020Q4", "-o", str(out)]) == 0
    assert "已生成督办单" in capsys.readouterr().out
    data = out.read_bytes()
    assert _titles(data) == ["湛江市质量提升行动督办单"] * len(open_)
    text = _text(data)
    assert all(n in text for n in open_["number"]) and "演示数据" in text
    dept = open_["department"].value_counts().index[0]
    batch = tmp_path / "batch.docx"
    assert manage.main(["export", "notices", "--period", "2020Q4", "--department", dept, "-o", str(batch)]) == 0
    mine = open_[open_["department"] == dept]
    text = _text(batch.read_bytes())
    assert len(_titles(batch.read_bytes())) == len(mine)
    assert all(n in text for n in mine["number"])
    assert not any(n in text for n in open_.loc[open_["department"] != dept, "number"])


def test_export_notices_refuses_when_there_is_none(demo_db, tmp_path, capsys):
    out = tmp_path / "none.docx"
    assert manage.main(["export", "notices", "--period", "2018Q1", "-o", str(out)]) == 1
    assert "未生成督办单" in capsys.readouterr().err and not out.exists()


def test_export_reminders_one_notice_per_department_owing_cells(demo_db, tmp_path):
    owed = sup.owed("2020Q4")
    debtors = owed[owed["missing"] > 0]
    assert not debtors.empty
    out = tmp_path / "催办通知.docx"
    assert manage.main(["export", "reminders", "--period", "2020Q4", "-o", str(out)]) == 0
    data = out.read_bytes()
    assert _titles(data) == ["湛江市质量提升行动催办通知"] * len(debtors)
    text = _text(data)
    for r in debtors.to_dict("records"):
        assert f"未报 {r['missing']} 项" in text and r["department"] in text
    assert "演示数据" in text
    one = debtors["department"].iloc[0]
    assert manage.main(["export", "reminders", "--period", "2020Q4", "--department", one, "-o", str(out)]) == 0
    assert len(_titles(out.read_bytes())) == 1 and one in _text(out.read_bytes())


def _followup_slide(prs: Presentation):
    for s in prs.slides:
        title = next(sh.text_frame.text for sh in s.shapes if sh.name == "标题")
        if title.startswith(FOLLOWUP_TITLE):
            return s
    return None


def test_deck_has_no_follow_up_before_any_meeting(demo_db, tmp_path):
    assert meetings.latest_snapshot_id() is None
    out = tmp_path / "deck.pptx"
    assert manage.main(["export", "deck", "--period", "2020Q4", "-o", str(out)]) == 0
    assert _followup_slide(Presentation(str(out))) is None


def test_follow_up_slide_numbers_equal_the_notice_table(accounts, tmp_path):
    """Issue 17's done-when: the slide appears when an earlier snapshot exists; its numbers equal the table."""
    snap = meetings.save_snapshot("第一次督查会", date(2021, 1, 5), meetings.live_payload("2020Q4"), "office")
    ids = [meetings.add_decision(t, f"一月底前完成任务{t}整改", "决定", "市长", snap) for t in (14, 5, 6)]
    later, past = date.today() + timedelta(days=20), date.today() - timedelta(days=1)
    a = sup.issue_from_decision(_actor("office"), ids[0], AGRI, later)
    sup.issue_from_decision(_actor("office"), ids[1], MARKET, past)
    sup.issue_from_decision(_actor("office"), ids[2], AGRI, later)
    for step in (sv.ACK, sv.REPLY):
        sup.act(_actor("nong_tb"), a["id"], step, "已完成")
    sup.act(_actor("office"), a["id"], sv.CLOSE)

    out = tmp_path / "deck.pptx"
    assert manage.main(["export", "deck", "--period", "2020Q4", "-o", str(out)]) == 0
    slide = _followup_slide(Presentation(str(out)))
    assert slide is not None
    table = sup.list_notices()
    table = table[table["meeting_snapshot_id"] == snap]
    closed = int((table["state"] == sv.CLOSED).sum())
    overdue = int(table["overdue"].sum())
    sentence = (f"上次会议交办 {len(table)} 项，已销号 {closed} 项，办理中 {len(table) - closed - overdue} 项，"
                f"逾期 {overdue} 项")
    assert (len(table), closed, overdue) == (3, 1, 1)
    assert sentence == sup.followup_for_deck(snap)["sentence"]
    words = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert sentence in words
    grid = next(sh for sh in slide.shapes if sh.has_table).table
    rows = {grid.cell(i, 0).text: (grid.cell(i, 2).text, grid.cell(i, 3).text) for i in range(1, len(grid.rows))}
    expected = {r["number"]: (r["department"], "已销号" if r["state"] == sv.CLOSED else "逾期" if r["overdue"]
                              else "办理中") for r in table.to_dict("records")}
    assert rows == expected

    # A department's deck follows up only its own notices.
    assert manage.main(["export", "deck", "--period", "2020Q4", "--department", MARKET, "-o", str(out)]) == 0
    words = " ".join(sh.text_frame.text for sh in _followup_slide(Presentation(str(out))).shapes
                     if sh.has_text_frame)
    assert "上次会议交办 1 项，已销号 0 项，办理中 0 项，逾期 1 项" in words

    # The frozen meeting's own deck follows up the meeting before it: there is none.
    frozen = meetings.load_snapshot(snap)["payload"]
    assert documents.previous_snapshot_id(frozen) is None and documents.deck_followups(frozen) is None
    second = meetings.save_snapshot("第二次督查会", date(2021, 4, 5), meetings.live_payload("2020Q4"), "office")
    assert documents.previous_snapshot_id(meetings.load_snapshot(second)["payload"]) == snap


def test_bulletin_names_the_periods_reminders(accounts, tmp_path):
    owed = sup.owed("2020Q4")
    debtor = owed[owed["missing"] > 0]["department"].iloc[0]
    sup.remind(_actor("office"), debtor, "2020Q4", note="电话催报")
    count = sup.reminder_counts("2020Q4")[debtor]
    out = tmp_path / "通报.docx"
    assert manage.main(["export", "bulletin", "--period", "2020Q4", "-o", str(out)]) == 0
    text = _text(out.read_bytes())
    named = re.search("本期被催办的单位：([^。]*)。", text)
    assert named and f"{debtor}（催办{count}次）" in named.group(1)


def test_single_notice_document_of_any_colour(accounts):
    df = sup.list_notices()
    for nid in df["id"].head(5):
        data = documents.notice_docx([int(nid)])
        n = sup.notice(int(nid))
        assert n["number"] in _text(data) and n["department"] in _text(data)


# --- /supervision: the documents next to the lists (AppTest) ------------------------------------------

SUPERVISION = "pages/supervision.py"


def _downloads(at) -> dict[str, object]:
    return {b.proto.label: b for b in at.get("download_button")}


def test_supervision_page_offers_the_notice_batch_and_reminder_docx(accounts, clicked):
    from tests.auth_fixtures import run_as

    everything = sup.list_notices()
    nid = int(everything["id"].iloc[0])
    at = run_as(token_for(accounts["admin"]), SUPERVISION, notice=str(nid))
    assert not at.exception
    labels = _downloads(at)
    open_all = everything[everything["state"] != sv.CLOSED]
    assert f"下载所列未销号督办单（Word，{len(open_all)} 份，每份一页）" in labels
    assert "下载督办单（Word）" in labels  # the opened notice
    assert {"下载催办通知（.xlsx）", "下载催办通知（Word，每个部门一页）"} <= set(labels)
    # A department's batch: filter by 部门, the button counts that department's open notices.
    dept = open_all["department"].value_counts().index[0]
    at.selectbox(key="sv_f_dept").select(dept).run()
    mine = open_all[open_all["department"] == dept]
    assert f"下载所列未销号督办单（Word，{len(mine)} 份，每份一页）" in _downloads(at)
    # What the batch button gives: those notices, a page each; the single one and the 催办通知 likewise.
    data = clicked[f"督办单-{dept}.docx"]()
    assert len(_titles(data)) == len(mine) and all(n in _text(data) for n in mine["number"])
    one = clicked[f"督办单-{sup.notice(nid)['number']}.docx"]()
    assert len(_titles(one)) == 1 and sup.notice(nid)["number"] in _text(one)
    reminders = clicked["催办通知-2020Q4.docx"]()
    assert len(_titles(reminders)) == int((sup.owed("2020Q4")["missing"] > 0).sum())


def test_reporter_downloads_its_own_notices_only(accounts):
    from tests.auth_fixtures import run_as

    at = run_as(token_for(accounts["agri"]), SUPERVISION)
    assert not at.exception
    mine = sup.list_notices(department=AGRI)
    mine = mine[mine["state"] != sv.CLOSED]
    labels = _downloads(at)
    assert f"下载所列未销号督办单（Word，{len(mine)} 份，每份一页）" in labels
    assert not any("催办通知" in k for k in labels)


@pytest.fixture
def clicked(monkeypatch) -> dict:
    """file name → the callable a download button registered: what the button gives when clicked
    (AppTest never clicks a download; the callable runs afterwards, outside the script, like a click's)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    seen, original = {}, MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        seen[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return seen


def test_meeting_mode_deck_download_opens_with_the_follow_up(accounts, clicked):
    from tests.auth_fixtures import run_as

    snap = meetings.save_snapshot("第一次督查会", date(2021, 1, 5), meetings.live_payload("2020Q4"), "office")
    decision = meetings.add_decision(14, "一月底前完成整改", "决定", "市长", snap)
    sup.issue_from_decision(_actor("office"), decision, AGRI, date.today() - timedelta(days=2))
    at = run_as(None, "pages/meeting.py")
    assert not at.exception
    assert "下载 PPT（.pptx）" in _downloads(at)
    deck = Presentation(io.BytesIO(next(f for name, f in clicked.items() if name.endswith(".pptx"))()))
    words = " ".join(sh.text_frame.text for sh in _followup_slide(deck).shapes if sh.has_text_frame)
    assert sup.followup_for_deck(snap)["sentence"] in words
    assert "上次会议交办 1 项，已销号 0 项，办理中 0 项，逾期 1 项" in words


# --- 总览 and 部门记分卡: 发督办单 on the lists, 催办 in the ranking (AppTest) -----------------------------


def _picker(at, key: str):
    return next((s for s in at.selectbox if s.key == key), None)


def test_overview_red_list_issues_a_notice_for_the_office_only(accounts):
    from core import overview
    from services import status as status_reads
    from tests.auth_fixtures import run_as

    red = overview.red_list(status_reads.target_statuses("2020Q4"), status_reads.task_statuses("2020Q4"), "2020Q4")
    open_keys = set(sup.list_notices().query("state != @sv.CLOSED")["item_label"].str.split(" ").str[0])
    row = next(r for r in red.to_dict("records") if r["kind"] == "指标" and r["id"] not in open_keys)
    for who in (None, token_for(accounts["agri"])):
        at = run_as(who)
        assert not at.exception and _picker(at, "sv_iss_pick_ov") is None
    at = run_as(token_for(accounts["admin"]))
    picker = _picker(at, "sv_iss_pick_ov")
    assert picker is not None and len(picker.options) == len(red)
    picker.select(f"{sv.TARGET}:{row['id']}").run()
    form = f"sv_iss_{sv.TARGET}_{row['id']}_"
    next(b for b in at.get("form_submit_button") if b.form_id == form).click().run()
    assert not at.exception and any("已交办" in s.value for s in at.success)
    issued = sup.list_notices(department=row["lead_department"])
    assert (issued["target_id"] == row["id"]).any()


def test_scorecard_lost_items_picker_and_reminder_column(accounts):
    from tests.auth_fixtures import run_as

    owed = sup.owed("2020Q4")
    debtor = owed[owed["missing"] > 0]["department"].iloc[0]
    for _ in range(2):
        sup.remind(_actor("office"), debtor, "2020Q4", note="电话催报")
    counts = sup.reminder_counts("2020Q4")
    at = run_as(None, "pages/departments.py", period="2020Q4")
    assert not at.exception and _picker(at, "sv_iss_pick_sc") is None
    ranking = next(d.value for d in at.dataframe if "催办" in d.value.columns and "等级" in d.value.columns)
    shown = dict(zip(ranking["部门"].str.replace(" ★进步最大", ""), ranking["催办"]))
    assert shown[debtor] == counts[debtor] >= 2
    assert all(shown[d] == counts.get(d, 0) for d in shown)
    at = run_as(token_for(accounts["agri"]), "pages/departments.py", period="2020Q4")
    assert not at.exception and _picker(at, "sv_iss_pick_sc") is None
    # The office: the department's items where it lost points, each issuable to it.
    from components.supervision_issue import lost_items
    from services import scoring as scoring_reads

    _, cells = scoring_reads.scoreboard_and_matrix("2020Q4")
    items = lost_items(cells, debtor)
    assert items and all(dept == debtor for *_, dept in items)
    at = run_as(token_for(accounts["admin"]), "pages/departments.py", period="2020Q4", dept=debtor)
    picker = _picker(at, "sv_iss_pick_sc")
    assert picker is not None and len(picker.options) == len(items)
    kind, item_id, _, _ = items[-1]
    picker.select(f"{kind}:{item_id}").run()
    assert not at.exception
    assert any(b.form_id == f"sv_iss_{kind}_{item_id}_" for b in at.get("form_submit_button"))


# --- 年度考核 as a 公文 .docx ---------------------------------------------------------------------------


def test_annual_docx_states_each_departments_line_and_ties(demo_db, clicked):
    from services import assessment as svc
    from tests.auth_fixtures import run_as

    at = run_as(None, "pages/departments.py", view="annual", year="2020")
    assert not at.exception and "下载年度考核（Word 公文）" in _downloads(at)
    view = svc.annual_view(2020)
    data = clicked["年度考核-2020.docx"]()
    doc = Document(io.BytesIO(data))
    assert doc.paragraphs[0].text == "关于2020年度全市质量提升行动部门考核结果的通报"
    annex = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in annex.rows[1:]]
    assert [(r[0], r[1], r[5], r[6]) for r in rows] == [
        (x.rank_text, x.department, "—" if x.final is None else f"{x.final:.1f}", x.grade_text) for x in view.results]
    ties = [r[0] for r in rows if r[0].startswith("并列")]
    assert ties and all(re.fullmatch(r"并列第\d+名，\d+个部门", t) for t in ties)
    text = _text(data)
    assert "演示数据" in text and "一票否决（等级为 D）" in text and "样本不足不排名的部门17个" in text
