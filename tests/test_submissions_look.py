"""Second look in the submission pipeline (issue 16 item 6): a tenfold jump, a percent going the wrong way or a
city value outside its districts is a warning in the preview, not a problem; the commit needs the row's 备注 or
the submission's 说明, keeps it, and the reviewer sees it next to the warning. The same through `manage.py import`."""
from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import pytest
from sqlmodel import func, select

from core import auth
from core.catalogue import load_catalogue
from core.importer.templates import build_template
from db import models as m
from db import queries, users
from db.audit import audit_log
from db.engine import session_scope
from services import submissions, trust
from services.identity import Caller
from tests.auth_fixtures import AGRI, make_user, token_for
from tests.support.cli import run_cli

PERIOD = "2020Q4"  # the demo reopens its last period only


def template(values: dict[str, float], department: str = AGRI, notes: dict[str, str] | None = None) -> bytes:
    """The department's template with 实际值 (and 备注) typed into the whole-city row of each target."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(load_catalogue(), period=PERIOD, deadline=date(2021, 1, 10),
                                                          department=department)))
    for row in wb["指标进展"].iter_rows(min_row=3):
        if row[0].value in values and row[4].value == "全市":
            row[6].value = values[row[0].value]
            row[8].value = (notes or {}).get(row[0].value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    with session_scope() as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in (m.Submission, m.IndicatorValue))


@pytest.fixture
def agri(demo_db) -> Caller:
    make_user("nong_tb", auth.REPORTER, AGRI)
    return Caller(users.user_identity("nong_tb"), token_for("nong_tb"))


def test_a_tenfold_jump_is_a_warning_and_needs_a_note_to_commit(agri):
    draft = submissions.prepare_file(agri, "农业.xlsx", template({"T30": 300}))
    assert not draft.problems and [r.target_id for r in draft.plan.indicators_to_write] == ["T30"]
    [w] = draft.warnings
    assert (w.target_id, w.kind, w.sheet) == ("T30", "大幅变动", "指标进展") and "300 个" in w.message
    [rec] = submissions.warning_records(draft)
    assert rec["where"] == f"指标进展!第{w.row}行" and rec["district"] == "全市" and not rec["explained"]

    before = counts()
    out = submissions.commit(agri, draft)
    assert not out.written and out.refused.startswith("以下数据需要说明（数据异常的原因）：")
    assert f"指标进展!第{w.row}行" in out.refused and "300 个" in out.refused and "备注" in out.refused
    assert counts() == before
    out = submissions.commit(agri, draft, note="  ")
    assert out.refused and counts() == before
    out = submissions.commit(agri, draft, note="x" * (submissions.MAX_NOTE + 1))
    assert "不能超过 500 个字" in out.refused and counts() == before

    reason = "本季度新认定示范基地 275 个，统计口径由市级扩至省级"
    assert submissions.warning_records(draft, reason)[0]["explained"]
    out = submissions.commit(agri, draft, note=f"  {reason} ")
    assert out.written and out.state == "pending"
    sub = queries.submissions(AGRI).iloc[0]
    assert int(sub["id"]) == out.submission_id and sub["note"] == reason
    uploads = audit_log(action="upload")
    assert reason in uploads["detail"].iloc[0]

    # The reviewer: the warning, and the 说明 beside it.
    frame = trust.review_frame(out.submission_id).set_index("target_id")
    assert "变动超过" in frame.loc["T30", "warning"] and frame.loc["T30", "note"] == f"报送说明：{reason}"
    assert trust.submission_note(out.submission_id) == reason


def test_the_rows_own_note_answers_its_warning(agri):
    draft = submissions.prepare_file(agri, "农业.xlsx", template({"T30": 300}, notes={"T30": "新增省级示范基地"}))
    assert draft.warnings and submissions.unexplained_warnings(draft) == []
    assert submissions.warning_records(draft)[0]["row_note"] == "新增省级示范基地"
    out = submissions.commit(agri, draft)
    assert out.written and queries.submissions(AGRI).iloc[0]["note"] == ""
    frame = trust.review_frame(out.submission_id).set_index("target_id")
    assert frame.loc["T30", "note"] == "新增省级示范基地"


def test_no_warning_no_note_needed_and_warnings_reject_nothing(agri):
    draft = submissions.prepare_file(agri, "农业.xlsx", template({"T30": 27}))
    assert draft.warnings == [] and submissions.commit(agri, draft).written
    # A warned row among plain ones: the whole file goes in with the 说明, no row refused.
    draft = submissions.prepare_file(agri, "农业2.xlsx", template({"T30": 310, "T02": 95.8}))
    assert {w.target_id for w in draft.warnings} == {"T30"} and not draft.problems
    out = submissions.commit(agri, draft, note="示范基地口径调整")
    assert out.written and out.inserted + out.updated == 2 and out.rejected == 0


def test_online_entry_warns_the_same_way(agri):
    ind, tasks = submissions.online_rows.uncached(AGRI, PERIOD)
    ind = ind.copy()
    ind.loc[(ind["指标编号"] == "T30") & (ind["区县"] == "全市"), "实际值"] = 300.0
    draft = submissions.prepare_online(agri, AGRI, PERIOD, (ind, tasks.copy()))
    assert [w.target_id for w in draft.warnings] == ["T30"]
    assert "需要说明" in submissions.commit(agri, draft).refused
    ind.loc[(ind["指标编号"] == "T30") & (ind["区县"] == "全市"), "备注"] = "新增省级示范基地"
    draft = submissions.prepare_online(agri, AGRI, PERIOD, (ind, tasks.copy()))
    assert submissions.unexplained_warnings(draft) == [] and submissions.commit(agri, draft).written


def test_cli_import_needs_note_for_warned_cells(demo_db, tmp_path):
    make_user("nong_tb", auth.REPORTER, AGRI)
    path = tmp_path / "农业.xlsx"
    path.write_bytes(template({"T30": 300}))
    before = counts()
    res = run_cli(demo_db, "import", str(path), "--user", "nong_tb")
    assert res.returncode == 1, res.stderr
    assert "需要说明" in res.stderr and "指标进展!第" in res.stderr and "--note" in res.stderr
    summary = json.loads(res.stdout)
    assert [w["target_id"] for w in summary["warnings"]] == ["T30"] and summary["warnings"][0]["kind"] == "大幅变动"
    assert counts() == before

    dry = run_cli(demo_db, "import", str(path), "--user", "nong_tb", "--dry-run")
    assert dry.returncode == 0 and json.loads(dry.stdout)["warnings"] and counts() == before

    res = run_cli(demo_db, "import", str(path), "--user", "nong_tb", "--note", "新增省级示范基地")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["state"] == "pending" and summary["note"] == "新增省级示范基地"
    assert queries.submissions(AGRI).iloc[0]["note"] == "新增省级示范基地"


def test_a_city_rate_outside_its_districts_and_a_rate_going_down_warn(agri):
    # Demo 2020Q4: T02's districts range 92.1%–96%, the city 96% (2020Q3: 95.6%).
    draft = submissions.prepare_file(agri, "农业.xlsx", template({"T02": 97.5}))
    assert [w.kind for w in draft.warnings] == ["区县不一致"] and "92.1%–96%" in draft.warnings[0].message
    draft = submissions.prepare_file(agri, "农业.xlsx", template({"T02": 95.0}))
    assert [w.kind for w in draft.warnings] == ["不升反降"]
