"""Load and remove the demo data (演示数据). Demo rows hang off submissions flagged is_demo."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, insert, select

from core.catalogue import Catalogue
from core.demo import demo_registrations, generate_demo
from core.periods import period_range
from core.settings import load_settings
from db import models as m
from db.assessment import clear_demo_assessments
from db.current import rebuild
from db.engine import bump_data_version, session_scope
from db.trust import clear_demo_registrations, insert_demo_registrations, open_demo_period


def demo_loaded() -> bool:
    with session_scope() as session:
        return session.execute(select(m.Submission.id).where(m.Submission.is_demo).limit(1)).first() is not None


def load_demo(catalogue: Catalogue) -> dict[str, int]:
    """Insert the demo data once; a second call changes nothing."""
    if demo_loaded():
        return {"submissions": 0, "values": 0, "progress": 0, "assessments": 0}
    settings = load_settings()
    periods = period_range(settings.first_period, settings.last_period)
    demo = generate_demo(catalogue, periods, settings.deadline_days)
    with session_scope() as session:
        dept_id = dict(session.execute(select(m.Department.name, m.Department.id)).all())
        subs = [
            m.Submission(created_at=s["created_at"], user_name="演示数据", department_id=dept_id[s["department"]],
                         period_code=s["period"], source="demo", filename="演示数据", state="committed",
                         is_demo=True, note="演示数据，可用 python manage.py demo clear 删除")
            for s in demo.submissions
        ]
        session.add_all(subs)
        session.flush()
        sub_id = {(s.department_id, s.period_code): s.id for s in subs}
        created = {(s.department_id, s.period_code): s.created_at for s in subs}
        values = []
        for v in demo.values:
            key = (dept_id[v["department"]], v["period"])
            values.append({"target_id": v["target_id"], "district_adcode": v["district"], "period_code": v["period"],
                           "value": v["value"], "data_source": "演示数据", "note": "",
                           "submission_id": sub_id[key], "created_at": created[key]})
        progress = []
        for p in demo.progress:
            key = (dept_id[p["department"]], p["period"])
            progress.append({"task_id": p["task_id"], "department_id": key[0], "period_code": p["period"],
                             "status": p["status"], "percent": p["percent"], "narrative": p["narrative"],
                             "problems": p["problems"], "next_steps": p["next_steps"],
                             "submission_id": sub_id[key], "created_at": created[key]})
        if values:
            session.execute(insert(m.IndicatorValue), values)
        if progress:
            session.execute(insert(m.TaskProgress), progress)
        # 基期与责任备案 and office checks of the demo (labelled 演示; removed by clear_demo).
        insert_demo_registrations(session, *demo_registrations(catalogue, demo, periods[-1].code))
        # The last demo quarter is reopened (audited, labelled 演示数据) so 进度填报 can be tried on it;
        # the earlier ones stay closed as they would be in real use (报告期关闭, issue 16).
        open_demo_period(session, periods[-1].code)
        rows_per_submission = Counter(r["submission_id"] for r in (*values, *progress))
        for s in subs:
            s.rows_read = s.inserted = rows_per_submission[s.id]
        rebuild(session)  # demo rows are the oldest but may fill cells no real report has
        bump_data_version(session)
    from db import supervision  # 督办事项 demo: notices in every state about the last quarter's items

    supervision.load_demo(settings.last_period)
    from db.assessment_demo import load_demo_assessments  # 年度考核 demo, computed from the quarters above

    return {"submissions": len(subs), "values": len(values), "progress": len(progress),
            "assessments": load_demo_assessments()}


def clear_demo(by: str = "命令行") -> dict[str, int]:
    """Remove every demo row; real submissions are untouched. Audited in the same transaction."""
    from db.supervision import clear_demo_supervision
    from db.users import audit  # db.users reads the catalogue through db.queries; keep this module light

    with session_scope() as session:
        clear_demo_supervision(session)
        assessments = clear_demo_assessments(session)
        demo_ids = select(m.Submission.id).where(m.Submission.is_demo)
        values = session.execute(delete(m.IndicatorValue).where(m.IndicatorValue.submission_id.in_(demo_ids))).rowcount
        progress = session.execute(delete(m.TaskProgress).where(m.TaskProgress.submission_id.in_(demo_ids))).rowcount
        session.execute(delete(m.SubmissionFile).where(m.SubmissionFile.submission_id.in_(demo_ids)))
        clear_demo_registrations(session)
        subs = session.execute(delete(m.Submission).where(m.Submission.is_demo)).rowcount
        rebuild(session)  # real reports the demo rows covered are in force again
        audit(session, by, "demo_clear", submissions=subs, values=values, progress=progress)
        bump_data_version(session)
    return {"submissions": subs, "values": values, "progress": progress, "assessments": assessments}
