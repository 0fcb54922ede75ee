"""Every table of the dashboard. Models live here only: a page rerun must never redefine them."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- Catalogue: mirrors data/plans/<方案>/*.csv, rewritten by db.catalogue_sync -------------------------


class Department(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: str = "department"  # department | group (市直相关单位 and the like)
    aliases: str = ""  # "|"-separated names the annex also uses
    sort_order: int = 0


class Task(SQLModel, table=True):
    id: int = Field(primary_key=True)  # the annex's own number, 1-30
    title: str
    measure: int  # numbered measure of the main text it carries out
    content: str = Field(sa_column=Column(Text, nullable=False))


class TaskDepartment(SQLModel, table=True):
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    department_id: int = Field(foreign_key="department.id", primary_key=True)
    role: str  # 牵头 | 参与
    sort_order: int = 0


class District(SQLModel, table=True):
    adcode: str = Field(primary_key=True)
    name: str = Field(unique=True)
    kind: str
    sort_order: int = 0


class Target(SQLModel, table=True):
    id: str = Field(primary_key=True)  # T01...
    category: str
    name: str
    unit: str
    comparator: str  # ≥ ≤ = 区间
    target_value: float
    target_max: float | None = None
    target_year: int
    kind: str  # numeric | yesno
    task_id: int | None = Field(default=None, foreign_key="task.id")
    lead_department_id: int = Field(foreign_key="department.id")
    lead_basis: str = ""
    district_breakdown: bool = False
    baseline: float | None = None
    source_clause: str = Field(sa_column=Column(Text, nullable=False))
    sort_order: int = 0


class Place(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    district_adcode: str = Field(foreign_key="district.adcode")
    task_id: int | None = Field(default=None, foreign_key="task.id")
    lon: float
    lat: float
    approximate: bool = True
    source_clause: str = ""


class Period(SQLModel, table=True):
    code: str = Field(primary_key=True)  # 2020Q4
    year: int
    quarter: int
    start_date: date
    end_date: date
    deadline: date  # 报送截止


# --- Reporting -----------------------------------------------------------------------------------


class Submission(SQLModel, table=True):
    """One upload, online edit or demo load: the unit that is reviewed, counted or undone."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    user_name: str = ""
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    period_code: str | None = Field(default=None, foreign_key="period.code")
    source: str = "upload"  # upload | online | demo | cli
    filename: str = ""
    sha256: str = Field(default="", index=True)
    # committed and approved count; pending waits for review; returned and undone do not count.
    state: str = Field(default="committed", index=True)
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    is_demo: bool = False
    note: str = ""
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    review_reason: str = ""
    undone_by: str = ""
    undone_at: datetime | None = None


class SubmissionFile(SQLModel, table=True):
    """The original file of a submission, kept so it can be downloaded again."""

    submission_id: int = Field(foreign_key="submission.id", primary_key=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    mime: str = ""


class IndicatorValue(SQLModel, table=True):
    """A reported value. Rows are only ever added: the newest counted row per cell is current."""

    __table_args__ = (Index("ix_value_cell", "target_id", "period_code", "district_adcode"),)
    id: int | None = Field(default=None, primary_key=True)
    target_id: str = Field(foreign_key="target.id")
    district_adcode: str | None = Field(default=None, foreign_key="district.adcode")  # None: whole city
    period_code: str = Field(foreign_key="period.code")
    value: float | None = None
    data_source: str = ""
    note: str = ""
    submission_id: int = Field(foreign_key="submission.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class TaskProgress(SQLModel, table=True):
    """A department's report on a task for a period; append-only like IndicatorValue."""

    __table_args__ = (Index("ix_progress_cell", "task_id", "period_code", "department_id"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    department_id: int = Field(foreign_key="department.id")
    period_code: str = Field(foreign_key="period.code")
    status: str  # 未启动 | 推进中 | 已完成 | 滞后
    percent: float | None = None
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    problems: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submission_id: int = Field(foreign_key="submission.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


# --- Meetings ------------------------------------------------------------------------------------


class MeetingSnapshot(SQLModel, table=True):
    """What was presented at one 督查 meeting, frozen: the payload is written once and never updated,
    so the meeting reopens exactly as shown whatever is uploaded later."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    meeting_date: date = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    period_code: str = Field(foreign_key="period.code")
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON of core.meeting.build_payload
    # Withdrawn by the office (a wrong snapshot): kept in history, listed as 已撤回, never offered as a meeting.
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdraw_reason: str = ""


class Decision(SQLModel, table=True):
    """A decision (决定) or instruction (批示) taken at a meeting against a task."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_snapshot_id: int | None = Field(default=None, foreign_key="meetingsnapshot.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: str = ""  # the logged-in account that recorded it (never typed)
    decided_at: datetime = Field(default_factory=utcnow)
    kind: str = "决定"  # 决定 | 批示
    # Withdrawn by the office (recorded in error): kept in history, struck through, left out of decks and tasks.
    withdrawn_at: datetime | None = None
    withdrawn_by: str = ""
    withdraw_reason: str = ""


# --- People and trace ----------------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    display_name: str = ""
    password_hash: str = ""
    role: str = "浏览"  # 管理员 | 填报员 | 浏览
    department_id: int | None = Field(default=None, foreign_key="department.id")
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A login that survives page reloads: the browser keeps the token, the database only its SHA-256."""

    token_digest: str = Field(primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class AuditLog(SQLModel, table=True):
    # The admin page filters the log by person (and day) and lists the people: migration 0002.
    __table_args__ = (Index("ix_auditlog_user_at", "user_name", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_name: str = ""
    action: str = Field(index=True)  # login, upload, approve, return, undo, user_add, ...
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AppMeta(SQLModel, table=True):
    """Key/value facts about the database; data_version is bumped by every write."""

    key: str = Field(primary_key=True)
    value: str = ""


# --- Trustworthy data (基期、责任、报告期、核验) ---------------------------------------------------
# Issue 16. Registrations are rows updated in place with every change appended to a history
# table; closures are an append-only log whose newest row per period wins.


class TargetMeta(SQLModel, table=True):
    """Indicator metadata from data/plans/2018-2020/targets.csv (db.catalogue_sync): the plan's 超过/左右,
    口径, data source and reporting frequency."""

    target_id: str = Field(foreign_key="target.id", primary_key=True)
    qualifier: str = ""  # 超过 | 左右 | ""
    definition: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    data_source: str = ""
    frequency: str = "quarterly"  # quarterly | annual


class TargetBaseline(SQLModel, table=True):
    """基期与责任备案: one row per target (district_adcode "") and per district where broken down."""

    __table_args__ = (Index("ux_targetbaseline_cell", "target_id", "district_adcode", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    target_id: str = Field(foreign_key="target.id")
    district_adcode: str = ""  # "": whole city
    value: float | None = None
    year: int | None = None  # the baseline is the value at the end of this year
    source: str = ""
    # Charged by scoring; the plan's 牵头 stays the target's lead. City rows only.
    responsible_department_id: int | None = Field(default=None, foreign_key="department.id")
    confirmed: bool = False  # once confirmed, a change needs a reason
    is_demo: bool = False  # 演示: removed with the demo data
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)


class TargetBaselineChange(SQLModel, table=True):
    """Every change of a registration, append-only: what it was, what it became, who, when, why."""

    id: int | None = Field(default=None, primary_key=True)
    target_id: str = Field(foreign_key="target.id", index=True)
    district_adcode: str = ""
    at: datetime = Field(default_factory=utcnow)
    user_name: str = ""
    action: str = ""  # set | confirm | assign
    before: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # JSON
    after: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # JSON
    reason: str = ""
    is_demo: bool = False


class PeriodClosure(SQLModel, table=True):
    """The office closing or reopening a period, append-only; the newest row of a period wins over
    the automatic closure close_days after its deadline."""

    id: int | None = Field(default=None, primary_key=True)
    period_code: str = Field(foreign_key="period.code", index=True)
    action: str  # close | open
    at: datetime = Field(default_factory=utcnow)
    user_name: str = ""
    reason: str = ""


class LockException(SQLModel, table=True):
    """A department may still write a closed period until `until` (granted by the office)."""

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    period_code: str = Field(foreign_key="period.code")
    until: datetime
    granted_by: str = ""
    granted_at: datetime = Field(default_factory=utcnow)
    reason: str = ""
    revoked_by: str = ""
    revoked_at: datetime | None = None


class TaskVerification(SQLModel, table=True):
    """The office's check of a complete task report (完成核验), per (task, department, period)."""

    __table_args__ = (Index("ux_taskverification_cell", "task_id", "department_id", "period_code", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    department_id: int = Field(foreign_key="department.id")
    period_code: str = Field(foreign_key="period.code")
    state: str  # 已核验 | 退回 | "" (待核验 again: the department attached new evidence after a 退回)
    reason: str = ""
    # 佐证材料 (issue 16): the EvidenceFile ids the office looked at, comma-separated ("" none).
    evidence_ids: str = ""
    user_name: str = ""
    at: datetime = Field(default_factory=utcnow)

# --- Supervision (督办事项) ------------------------------------------------------------------------
# The office's own work: a 督办单 issued to a department about an item, acknowledged, answered with
# evidence, verified and closed; every step is an append-only NoticeEvent (issue 17).


class SupervisionNotice(SQLModel, table=True):
    """One 督办单. Its state changes only through db.supervision, which logs each change as a NoticeEvent."""

    __table_args__ = (Index("ix_notice_year_seq", "year", "seq", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # 湛质督〔2020〕12号
    year: int
    seq: int
    department_id: int = Field(foreign_key="department.id", index=True)
    item_kind: str  # target | task | decision
    target_id: str | None = Field(default=None, foreign_key="target.id")
    district_adcode: str | None = Field(default=None, foreign_key="district.adcode")
    task_id: int | None = Field(default=None, foreign_key="task.id")
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    period_code: str | None = Field(default=None, foreign_key="period.code")
    item_label: str = ""  # the item as shown when issued (name, district)
    item_status: str = ""  # the status engine's word when issued (预警, 滞后 ...); "" for a decision
    item_explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    requirement: str = Field(sa_column=Column(Text, nullable=False))
    due_date: date
    state: str = Field(default="待签收", index=True)  # 待签收 | 办理中 | 待核验 | 已销号
    # The item's key while the notice is open, NULL once closed: the unique index makes a second open
    # notice for one item impossible, whatever two offices click at once (idempotent bulk issue).
    open_item_key: str | None = Field(default=None, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = ""
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""
    replied_at: datetime | None = None
    replied_by: str = ""
    reply_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    closed_at: datetime | None = None
    closed_by: str = ""
    returned_count: int = 0
    return_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_demo: bool = False


class NoticeEvent(SQLModel, table=True):
    """Append-only history of a notice: issue, ack, reply, close, return, remind."""

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="supervisionnotice.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    user_name: str = ""
    action: str  # issue | ack | reply | close | return | remind
    from_state: str = ""
    to_state: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class EvidenceFile(SQLModel, table=True):
    """A 佐证材料 file, kept in the database; served only as a download, never rendered."""

    id: int | None = Field(default=None, primary_key=True)
    owner_kind: str = Field(index=True)  # notice_reply | task_report | indicator_value
    owner_id: int = Field(index=True)  # the NoticeEvent of a reply; the Submission of a report or value
    notice_id: int | None = Field(default=None, foreign_key="supervisionnotice.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    # 佐证材料 of a task report or an indicator value (issue 16): the cell it backs and the submission
    # it came with. A task cell is (task, department, period); a value cell (target, district, period).
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    target_id: str | None = Field(default=None, foreign_key="target.id", index=True)
    district_adcode: str | None = Field(default=None, foreign_key="district.adcode")
    period_code: str | None = Field(default=None, foreign_key="period.code")
    filename: str  # sanitised
    extension: str
    mime: str
    size: int
    sha256: str = Field(index=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = ""
    uploaded_at: datetime = Field(default_factory=utcnow)


class Reminder(SQLModel, table=True):
    """A 催办: the office chased a department, about a period's report or a notice."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_name: str = ""
    department_id: int = Field(foreign_key="department.id", index=True)
    period_code: str | None = Field(default=None, foreign_key="period.code")
    notice_id: int | None = Field(default=None, foreign_key="supervisionnotice.id", index=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    is_demo: bool = False


class DepartmentContact(SQLModel, table=True):
    """Contact person and phone of a department for 催办, edited by the office (data/contacts.csv seeds
    the list with empty fields)."""

    department_id: int = Field(foreign_key="department.id", primary_key=True)
    person: str = ""
    phone: str = ""
    updated_by: str = ""
    updated_at: datetime = Field(default_factory=utcnow)
    is_demo: bool = False


# --- Annual assessment (年度考核) ------------------------------------------------------------------
# One row per department and year (自评 → 核查 → 核定); the office's 加分/扣分 items, 一票否决 and the
# departments' appeals hang off it. Nothing is deleted: withdrawn items, lifted vetoes and answered
# appeals stay, and every change is a row of AssessmentHistory (locked years also go to the AuditLog).


class AnnualAssessment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("department_id", "year", name="uq_annualassessment_department_year"),)
    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    year: int = Field(index=True)
    state: str = "未自评"  # 未自评 | 自评 | 核查 | 核定 (core.assessment.STATES)
    self_score: float | None = None
    self_narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    self_by: str = ""
    self_at: datetime | None = None
    findings: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    findings_by: str = ""
    findings_at: datetime | None = None
    locked: bool = False
    decided_by: str = ""
    decided_at: datetime | None = None
    # Frozen at 核定 so a locked year keeps adding up whatever is reported later: JSON of the
    # quarterly scores, the number of items judged, the roll-up; final score and grade as decided
    # (rewritten with the reasoned changes an administrator makes after the lock).
    frozen_quarters: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    frozen_items: int | None = None
    frozen_rollup: float | None = None
    final_score: float | None = None
    final_grade: str = ""
    is_demo: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


class AssessmentAdjustment(SQLModel, table=True):
    """A 加分 or 扣分 item of scoring.toml [annual.bonus]/[annual.penalty] recorded by the office."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="annualassessment.id", index=True)
    kind: str  # bonus | penalty
    code: str
    name: str
    points: float
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = ""  # a note or file name until the evidence store is connected
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    withdrawn: bool = False
    withdrawn_by: str = ""
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AssessmentVeto(SQLModel, table=True):
    """一票否决 with its reason; lifting it keeps the row."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="annualassessment.id", index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = ""
    created_by: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    lifted: bool = False
    lifted_by: str = ""
    lifted_at: datetime | None = None
    lifted_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AssessmentAppeal(SQLModel, table=True):
    """A department's one appeal (申诉) against one deduction, and the office's answer."""

    __table_args__ = (UniqueConstraint("adjustment_id", name="uq_assessmentappeal_adjustment"),)
    id: int | None = Field(default=None, primary_key=True)
    adjustment_id: int = Field(foreign_key="assessmentadjustment.id")
    reason: str = Field(sa_column=Column(Text, nullable=False))
    filed_by: str = ""
    filed_at: datetime = Field(default_factory=utcnow)
    outcome: str = ""  # "" while unanswered | 维持扣分 | 撤销扣分
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    answered_by: str = ""
    answered_at: datetime | None = None


class AssessmentHistory(SQLModel, table=True):
    """Every change of a department's year, appended and never edited."""

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="annualassessment.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    user_name: str = ""
    action: str
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    admin_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


# --- Security (issue 14): login throttling; withdrawn meeting records --------------------------------


class LoginThrottle(SQLModel, table=True):
    """Attempts counted per source, per account and source, and per account (db.users.login).

    Counted with one atomic upsert before the password is checked, so concurrent attempts cannot all
    slip under the limit (PostgreSQL READ COMMITTED included). Times are epoch seconds (UTC)."""

    key: str = Field(primary_key=True)  # "s:<source>", "a:<account>|s:<source>", "a:<account>"
    account: str = Field(default="", index=True)  # so a password reset can clear the account's rows
    attempts: int = 0
    window_start: int = 0
    locked_until: int = 0


# --- Values in force (issue 13): kept on write by db.current ------------------------------------
# The newest counted report per cell, maintained in the transaction of every commit, undo, review
# and demo load/clear, so "what is in force" is an indexed select instead of a GROUP BY over the
# whole append-only log. Rebuildable from the log at any time (db.current.rebuild).


class CurrentValue(SQLModel, table=True):
    __tablename__ = "current_value"
    __table_args__ = (Index("ix_current_value_period", "period_code"),)
    target_id: str = Field(primary_key=True)
    period_code: str = Field(primary_key=True)
    district_adcode: str = Field(default="", primary_key=True)  # "": whole city (a key column cannot be NULL)
    value_id: int  # indicatorvalue.id of the row in force
    value: float | None = None
    data_source: str = ""
    note: str = ""
    submission_id: int
    created_at: datetime
    is_demo: bool = False  # the submission's flags, fixed when it was made
    user_name: str = ""


class CurrentProgress(SQLModel, table=True):
    __tablename__ = "current_progress"
    __table_args__ = (Index("ix_current_progress_period", "period_code"),
                      Index("ix_current_progress_department", "department_id", "period_code"))
    task_id: int = Field(primary_key=True)
    department_id: int = Field(primary_key=True)
    period_code: str = Field(primary_key=True)
    progress_id: int  # taskprogress.id of the row in force
    status: str
    percent: float | None = None
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    problems: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    submission_id: int
    created_at: datetime
    is_demo: bool = False
    user_name: str = ""


__all__ = [
    "AnnualAssessment", "AppMeta", "AssessmentAdjustment", "AssessmentAppeal", "AssessmentHistory", "AssessmentVeto",
    "AuditLog", "CurrentProgress", "CurrentValue", "Decision", "Department", "DepartmentContact", "District",
    "EvidenceFile", "IndicatorValue", "LockException", "LoginThrottle", "MeetingSnapshot", "NoticeEvent", "Period",
    "PeriodClosure", "Place", "Reminder", "Submission", "SubmissionFile", "SupervisionNotice", "Target",
    "TargetBaseline", "TargetBaselineChange", "TargetMeta", "Task", "TaskDepartment", "TaskProgress",
    "TaskVerification", "User", "UserSession", "utcnow",
]
