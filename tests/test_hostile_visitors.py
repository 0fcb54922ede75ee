"""The generic attack (issue 14, done-when): every page driven by an anonymous visitor, a 浏览 account and a 填报员.

Each text field gets formula, markdown, HTML and 10,000-character payloads, every button is clicked, every selector
is cleared (None) and set to a few of its options. Nothing may escape as an exception, no data table may change
where the role may not write, and no payload may reach the page as live markdown or HTML."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import text

from db.engine import get_engine
from tests.auth_fixtures import accounts, run_as, token_for  # noqa: F401  (accounts: fixture)

PAGES = ["pages/overview.py", "pages/targets.py", "pages/tasks.py", "pages/districts.py", "pages/departments.py",
         "pages/meeting.py", "pages/upload.py", "pages/supervision.py", "pages/admin.py", "pages/login.py"]
PAYLOADS = [
    '=HYPERLINK("http://evil.example/x","点此")',
    "[请点此重新登录](http://evil.example/login) ![x](http://evil.example/a.png)",
    "<img src=http://evil.example/a.png onerror=alert(1)><script>alert(1)</script>",
    "长" * 10_000,
]
SKIP_BUTTONS = {"au_logout", "mt_start", "mt_stop"}  # leaving the page or the login is not an attack
MAX_BUTTONS, MAX_OPTIONS = 5, 2
# Tables a role must not change, by role; a 填报员 may add pending submissions (and their rows) only.
EVERYTHING = ["submission", "submissionfile", "indicatorvalue", "taskprogress", "decision", "meetingsnapshot",
              "app_user_fixed", "target", "task", "department"]
REPORTER_MAY_NOT = ["counted_submissions", "decision", "meetingsnapshot", "app_user_fixed", "target", "task",
                    "department"]
_QUERIES = {"app_user_fixed": "SELECT username, role, active, password_hash, department_id FROM app_user",
            "counted_submissions": "SELECT id FROM submission WHERE state IN ('committed', 'approved')"}
LIVE = re.compile(r"(?<!\\)\]\((?:http|//)|(?<!\\)<(?:img|script)", re.I)


def _fingerprint(tables: list[str]) -> dict[str, str]:
    out = {}
    with get_engine().connect() as conn:
        for t in tables:
            rows = conn.execute(text(_QUERIES.get(t, f'SELECT * FROM "{t}"') + " ORDER BY 1")).all()
            out[t] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def _check(at, where: str) -> None:
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    for kind in ("markdown", "caption", "success", "info", "error", "warning"):
        for element in at.get(kind):
            assert not LIVE.search(str(element.value)), f"{where}: live payload in {kind}: {element.value[:200]}"


def _fill(at, payload: str) -> None:
    for kind in ("text_input", "text_area"):
        for widget in at.get(kind):
            widget.set_value(payload)


def _selectors(at, where: str, choices: list[int | None]) -> None:
    boxes = [s.key for s in at.selectbox if s.key]
    for choice in choices:
        for key in boxes:
            found = [s for s in at.selectbox if s.key == key]
            if not found:
                continue
            box, before = found[0], found[0]._value
            try:
                if choice is None:
                    box.set_value(None)
                elif choice < len(box.options):
                    box.select_index(choice)
                box.index  # noqa: B018 - AppTest cannot map some options back through a format_func
            except ValueError:
                box._value = before
        at.run()
        _check(at, f"{where} selectors {choice}")


def _drive(at, where: str) -> None:
    """Every payload into every text field, each run clicking the next button (form submitters included)."""
    _check(at, where)
    keys = [b.key for b in at.button if b.key and b.key not in SKIP_BUTTONS and not b.disabled][:MAX_BUTTONS]
    for i in range(max(len(PAYLOADS), len(keys))):
        _fill(at, PAYLOADS[i % len(PAYLOADS)])
        key = keys[i] if i < len(keys) else None
        found = [b for b in at.button if b.key == key and not b.disabled] if key else []
        if found:
            found[0].click()
        at.run()
        _check(at, f"{where} payload {i % len(PAYLOADS)} button {key}")
    _selectors(at, where, [None, *range(MAX_OPTIONS)])


# Clearing a selector with its ⊗ (None) still ends in an error box on these pages on this branch: item 10 of the
# issue belongs to another branch (first21). strict: once that branch is merged these pass, and the marks must go.
def _cases():
    for role in (None, "viewer", "agri"):
        for page in PAGES:
            yield pytest.param(role, page, id=f"{role or 'visitor'}-{page.split('/')[1][:-3]}")


@pytest.mark.parametrize(("role", "page"), list(_cases()))
def test_hostile_input_changes_nothing_the_role_may_not_change(accounts, role, page):  # noqa: F811
    tables = REPORTER_MAY_NOT if role == "agri" else EVERYTHING
    token = token_for(accounts[role]) if role else None
    before = _fingerprint(tables)
    at = run_as(token, page)
    _drive(at, f"{role or '访客'} {page}")
    assert _fingerprint(tables) == before
