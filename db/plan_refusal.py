"""The refusal a write in an archived plan meets (db.engine raises it from inside the write transaction).

One exception that every write path already reports as its own refusal: it is a CommitRefused
(submissions, review, undo), a TrustRefused (基期, 报告期, 核验), a SupervisionRefused (督办) and a
NotAllowed (writes that re-check the account), as well as db.engine.PlanArchived; services.assessment
turns it into its AssessmentRefused. So the Chinese message reaches the screen or the CLI, never a traceback.
"""
from __future__ import annotations

from core.plans import PlanError, plan_folder, plan_in
from core.supervision import SupervisionRefused
from db.engine import PlanArchived
from db.imports import CommitRefused
from db.trust import TrustRefused
from db.users import NotAllowed


class ArchivedPlanRefusal(CommitRefused, TrustRefused, SupervisionRefused, PlanArchived, NotAllowed):
    """Nothing was written: the plan is archived (read-only)."""


def archived_message(plan_id: str) -> str:
    try:
        shown = plan_in(plan_folder(plan_id)).short_name
    except (PlanError, OSError):
        shown = plan_id
    return (f"《{shown}》已归档，只读：不能再填报或修改，本次未写入任何数据。"
            f"如需修改，请督查办先运行 python manage.py plan activate {plan_id}")


def archived_error(plan_id: str) -> ArchivedPlanRefusal:
    return ArchivedPlanRefusal(archived_message(plan_id))
