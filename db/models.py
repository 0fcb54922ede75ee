"""Every table of the dashboard. Models live here only: a page rerun must never redefine them."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- Catalogue: mirrors data/plan/*.csv, rewritten by db.catalogue_sync -------------------------


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


class Decision(SQLModel, table=True):
    """A decision (决定) or instruction (批示) taken at a meeting against a task."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_snapshot_id: int | None = Field(default=None, foreign_key="meetingsnapshot.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    decided_by: str = ""
    decided_at: datetime = Field(default_factory=utcnow)
    kind: str = "决定"  # 决定 | 批示


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


__all__ = [
    "AppMeta", "AuditLog", "Decision", "Department", "District", "IndicatorValue", "MeetingSnapshot", "Period",
    "Place",
    "Submission", "SubmissionFile", "Target", "Task", "TaskDepartment", "TaskProgress", "User", "UserSession",
    "utcnow",
]


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


__all__ += ["CurrentProgress", "CurrentValue"]
