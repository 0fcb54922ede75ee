"""The page registry: every page's script, title, icon, URL path and whether anyone may open it.

Read by app.py (the menu), the warm-up (service/warm_start.py visits the public pages) and the
benchmark (benchmarks/bench_pages.py times every page). URL paths are stable: officials bookmark them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    script: str  # path from the repository root
    title: str
    # Menu entries carry no icon: emoji need a colour-emoji font (often missing on 统信UOS / 麒麟
    # desktops) and :material/…: names are not allowed (no icon font offline).
    url_path: str  # "" is the default page
    public: bool  # False: needs a login with the right role (its reads are per account)
    hidden: bool = False  # registered but not in the menu (a second URL of a page)
    role_gate: str | None = None  # "upload" | "admin": shown in the menu only to accounts allowed in

    @property
    def default(self) -> bool:
        return self.url_path == ""


SECTION = "督查看板"
PAGES = (
    # 总览 is "/" and also "/overview": a page's identity is its URL path, so the same file is
    # registered twice, the second hidden from the menu.
    PageEntry("pages/overview.py", "总览", "", public=True),
    PageEntry("pages/overview.py", "总览", "overview", public=True, hidden=True),
    PageEntry("pages/targets.py", "目标指标", "targets", public=True),
    PageEntry("pages/tasks.py", "任务台账", "tasks", public=True),
    PageEntry("pages/districts.py", "区县地图", "districts", public=True),
    PageEntry("pages/upload.py", "进度填报", "upload", public=False, role_gate="upload"),
    PageEntry("pages/departments.py", "部门记分卡", "departments", public=True),
    PageEntry("pages/meeting.py", "会议模式", "meeting", public=True),
    # 督办事项: the office's notices and a department's own (管理员 and 填报员).
    PageEntry("pages/supervision.py", "督办事项", "supervision", public=False, role_gate="upload"),
    PageEntry("pages/admin.py", "管理", "admin", public=False, role_gate="admin"),
    # Reached from the sidebar's 登录 link (and bookmarkable as /login).
    PageEntry("pages/login.py", "登录", "login", public=False, hidden=True),
)


def each_page() -> list[PageEntry]:
    """Every page once (its first registration), in menu order."""
    seen: dict[str, PageEntry] = {}
    for page in PAGES:
        seen.setdefault(page.script, page)
    return list(seen.values())


def public_pages() -> list[PageEntry]:
    """The pages anyone may open, each once, default first (what the warm-up visits)."""
    return [p for p in each_page() if p.public]
