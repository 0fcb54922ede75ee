"""Database round trip: catalogue sync is idempotent, history is kept, demo data is removable."""
import shutil

import pandas as pd
from sqlmodel import func, select

from core.catalogue import load_catalogue
from core.paths import PLAN_DIR
from db import models as m
from db import queries
from db.catalogue_sync import sync_catalogue
from db.current import refresh_submission
from db.demo import clear_demo, load_demo
from db.engine import data_version, session_scope


def test_catalogue_round_trip(fresh_db):
    targets = queries.targets()
    cat = load_catalogue()
    assert len(targets) == len(cat.targets)
    t = targets.set_index("id").loc["T23"]
    assert t["name"] == "社会公用计量标准" and t["target_value"] == 250
    tasks = queries.tasks().set_index("id")
    assert tasks.loc[1, "lead_department"] == "市农业农村局"
    assert tasks.loc[1, "participants"] == "市自然资源局、市市场监管局"
    assert len(queries.periods()) == 12
    assert len(queries.districts()) == 9


def test_loading_twice_changes_nothing(fresh_db):
    before = data_version()
    report = sync_catalogue(load_catalogue())
    assert not report.changed
    assert data_version() == before


def test_changed_csv_row_updates_its_record(fresh_db, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, plan)
    path = plan / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("社会公用计量标准,项", "社会公用计量标准（修订）,项"),
                    encoding="utf-8")
    report = sync_catalogue(load_catalogue(plan))
    assert report.updated["指标"] == 1 and report.inserted["指标"] == 0
    assert queries.targets().set_index("id").loc["T23", "name"] == "社会公用计量标准（修订）"


def test_newer_report_supersedes_without_deleting(fresh_db):
    with session_scope() as s:
        dept = s.exec(select(m.Department).where(m.Department.name == "市市场监管局")).one()
        first = m.Submission(user_name="甲", department_id=dept.id, period_code="2020Q1")
        second = m.Submission(user_name="乙", department_id=dept.id, period_code="2020Q1")
        s.add_all([first, second])
        s.flush()
        s.add(m.IndicatorValue(target_id="T23", period_code="2020Q1", value=200, submission_id=first.id))
        s.flush()
        s.add(m.IndicatorValue(target_id="T23", period_code="2020Q1", value=210, submission_id=second.id))
        s.flush()
        refresh_submission(s, second.id)  # written around db.imports: the values in force are kept by hand
    current = queries.current_values(target_id="T23")
    assert current["value"].tolist() == [210]
    with session_scope() as s:
        assert s.exec(select(func.count()).select_from(m.IndicatorValue)).one() == 2
        second_sub = s.get(m.Submission, second.id)
        second_sub.state = "undone"
        s.flush()
        refresh_submission(s, second.id)
    assert queries.current_values(target_id="T23")["value"].tolist() == [200]


def test_demo_load_is_deterministic_idempotent_and_removable(fresh_db):
    cat = load_catalogue()
    counts = load_demo(cat)
    assert counts["values"] > 500 and counts["progress"] > 500
    first = queries.current_values().sort_values(["target_id", "district_adcode", "period_code"])["value"].tolist()
    assert load_demo(cat)["submissions"] == 0
    assert queries.demo_present()
    cleared = clear_demo()
    assert cleared["values"] == counts["values"]
    assert queries.current_values().empty and not queries.demo_present()
    load_demo(cat)
    again = queries.current_values().sort_values(["target_id", "district_adcode", "period_code"])["value"].tolist()
    assert again == first


def test_demo_covers_every_district_breakdown(demo_db):
    values = queries.current_values()
    targets = queries.targets()
    for tid in targets[targets.district_breakdown]["id"]:
        assert values[(values.target_id == tid) & (values.district_adcode != "")]["district_adcode"].nunique() == 9


def test_sqlite_pragmas(fresh_db):
    from sqlalchemy import text

    from db.engine import get_engine

    with get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_any_orm_write_bumps_the_data_version_once_per_transaction(fresh_db):
    """Cached reads trust the data version; a write path cannot forget to bump it."""
    from db.engine import bump_data_version, data_version

    before = data_version()
    with session_scope() as s:
        dept = s.exec(select(m.Department).where(m.Department.name == "市市场监管局")).one()
        s.add(m.Submission(user_name="甲", department_id=dept.id, period_code="2020Q1"))
    assert data_version() == before + 1
    with session_scope() as s:
        s.exec(select(m.Department)).all()  # a read-only transaction
    assert data_version() == before + 1
    with session_scope() as s:
        s.add(m.Submission(user_name="乙", department_id=dept.id, period_code="2020Q1"))
        bump_data_version(s)  # an explicit bump is not doubled
    assert data_version() == before + 2


def test_a_pinned_run_sees_one_data_version_until_it_writes_itself(fresh_db):
    """The router pins the version per script run (its own thread): one look-up per run; another
    writer's change shows from the next run, this run's own write at once."""
    import threading

    from db.engine import data_version, pin_data_version

    def add_submission(name: str) -> None:
        with session_scope() as s:
            dept = s.exec(select(m.Department).where(m.Department.name == "市市场监管局")).one()
            s.add(m.Submission(user_name=name, department_id=dept.id, period_code="2020Q1"))

    seen = {}

    def run() -> None:
        pin_data_version()
        seen["pinned"] = data_version()
        other = threading.Thread(target=add_submission, args=("另一进程",))
        other.start()
        other.join()
        seen["after_other_write"] = data_version()
        add_submission("本次运行")
        seen["after_own_write"] = data_version()
        pin_data_version()
        seen["next_run"] = data_version()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen["after_other_write"] == seen["pinned"]
    assert seen["after_own_write"] == seen["pinned"] + 2 == seen["next_run"]
    assert data_version() == seen["pinned"] + 2  # an unpinned thread always looks it up


def test_narrow_reads_of_the_values_in_force_equal_the_full_read_filtered(demo_db):
    """Narrow reads (one target, the city only, up to a period) select by key from current_value:
    they must give exactly the rows of the full read filtered the same way."""
    cases = [("2019Q2", None, False), ("2020Q4", "T23", False), (None, None, True), ("2019Q4", "T02", True),
             (None, "T02", False)]
    full = queries.current_values()
    assert len(full) > 1000
    for upto, target, city in cases:
        keep = pd.Series(True, index=full.index)
        if upto:
            keep &= full["period_code"] <= upto
        if target:
            keep &= full["target_id"] == target
        if city:
            keep &= full["district_adcode"] == ""
        narrow = queries.current_values(upto, target, city)
        assert len(narrow) > 0, (upto, target, city)
        pd.testing.assert_frame_equal(narrow, full[keep].reset_index(drop=True), check_dtype=False)


def test_logins_and_the_audit_log_leave_the_data_version_alone(fresh_db):
    """A login writes a session row and an audit row; it must not send every page back to the database."""
    from core import auth
    from db import users
    from db.engine import data_version

    users.add_user("zhangsan", "Passw0rd-zj-1", auth.ADMIN, by="test")
    before = data_version()
    login = users.login("zhangsan", "Passw0rd-zj-1")
    assert users.session_identity(login.token) is not None
    users.logout(login.token, "zhangsan")
    assert data_version() == before
    with session_scope() as s:  # while any data row still bumps it
        dept = s.exec(select(m.Department).where(m.Department.name == "市市场监管局")).one()
        s.add(m.Submission(user_name="甲", department_id=dept.id, period_code="2020Q1"))
    assert data_version() == before + 1


def test_the_engines_lean_read_is_the_full_read_narrowed(demo_db):
    lean_columns = ["target_id", "district_adcode", "period_code", "value", "is_demo"]
    for upto in (None, "2019Q3"):
        full = queries.current_values(upto)[lean_columns]
        lean = queries.values_in_force(upto)
        assert len(lean) > 500
        pd.testing.assert_frame_equal(lean, full, check_dtype=False)
