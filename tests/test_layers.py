"""The layers, kept by walking every module's imports (AST, nothing is imported):

    app.py, pages/, components/ (screens), manage.py, service/ (warm-up)  →  services/  →  db/, core/
    db/    → core's vocabulary and models only (no engine, no streamlit)
    core/  → nothing of ours above it (no db, services, components, pages; no streamlit)
    nothing outside db/ opens a database session.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = ("app", "manage", "pages", "components", "services", "service", "db", "core")

# What db/ may use from core: names, states, settings, the catalogue, the shapes of an import, and the
# pure helpers that decide an account's rights. Not the engines (status, scoring, views, meeting).
CORE_VOCABULARY = {
    "core.auth", "core.catalogue", "core.demo", "core.importer.model", "core.paths", "core.periods",
    "core.reporting", "core.settings", "core.timeutil",
    # The rules a write checks inside its own transaction against the rows it read there (states and legal
    # transitions, limits of text and files, who may answer for a target, whether a period is closed):
    # checked before the transaction they could be outrun by another write.
    "core.user_text", "core.evidence", "core.supervision", "core.assessment", "core.baseline_rules",
    "core.period_lock", "core.revision_history",
    # Which catalogue version judges a period (issue 15): the snapshot the sync writes and the pure rule the
    # period reads apply (db.catalogue_versions), not an engine.
    "core.catalogue_versions",
    # Which plan the code runs for and where its folder is: db.engine picks the plan's database by it.
    "core.plans", "core.plan_context",
}

# Breaches that live in files other branches own, listed so this test passes today; the lead empties
# this set as those branches merge. (file, imported module) — keep each line commented.
KNOWN_EXCEPTIONS = {
    # The meeting read-model runs the status and scoring engines in db/ (documents branch moves it to services).
    ("db/meetings.py", "core.meeting"),
    ("db/scoring_reads.py", "core.scoring"),  # scoreboard() kept only for db/meetings.py (services.scoring has it)
    # Read-models that still run an engine in db/ (to move to services, like services.status did):
    ("db/document_reads.py", "core.meeting"),  # the documents' period payload
    ("db/document_reads.py", "core.scoring"),
    ("db/trust.py", "core.status"),  # the verification states (RETURNED, VERIFIED) the engine judges by
    ("db/supervision.py", "core.overview"),  # the demo notices pick red and yellow items by status
    ("db/assessment_demo.py", "core.assessment_demo"),  # the demo 年度考核 computed from the demo quarters
    # Screens that still reach db/ for an exception type or a read (security and documents branches).
    ("components/cache_guard.py", "db.users"),
    ("components/meeting_controls.py", "db.users"),
    ("components/scorecard_export.py", "db.document_reads"),
    # Screens that still call db/ directly: the security branch rewrites login and accounts.
    ("components/auth_login.py", "db.users"),
    ("components/auth_users.py", "db.users"),
    ("components/auth_audit.py", "db.audit"),
    # Meeting screens (security and documents branches).
    ("components/meeting_controls.py", "db.meetings"),
    ("components/meeting_decisions.py", "db.meetings"),
    # manage.py's commands other than import/template/report (init, demo, backup, restore, migrate, user)
    # are database administration; they move behind services with their owners' branches.
    ("manage.py", "db.setup"),
    ("manage.py", "db.users"),
    ("manage.py", "db.demo"),
    ("manage.py", "db.engine"),
    ("manage.py", "db.migrations"),
    ("manage.py", "db.queries"),  # export: period and department names checked before building
    ("manage.py", "db.schema_version"),  # assessment: refuses a database that is not migrated
    ("manage.py", "db.trust"),  # baseline and period administration (issue 16)
}

# Sessions opened outside db/, in files other branches own. (file, call)
KNOWN_SESSION_OPENERS = {
    ("manage.py", "get_engine"),  # `migrate` hands the engine to db.migrations (database administration)
}


def _modules() -> dict[str, Path]:
    files = {"app": ROOT / "app.py", "manage": ROOT / "manage.py"}
    for package in ("pages", "components", "services", "service", "db", "core"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            files[name.removesuffix(".__init__")] = path
    return files


def _imports(path: Path, modules: dict[str, Path] | None = None) -> set[str]:
    """Every module imported anywhere in the file (top level and inside functions); with `modules`,
    "from pkg.mod import name" counts as pkg.mod unless pkg.mod.name is a module itself."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # "from db import queries" imports the module db.queries
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    if modules is not None:
        found = {t if t in modules or not _ours(t) or t.rpartition(".")[0] not in modules else t.rpartition(".")[0]
                 for t in found}
    return found


def _ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def _layer(name: str) -> str:
    return {"app": "screen", "manage": "screen", "pages": "screen", "components": "screen",
            "service": "screen"}.get(name.split(".")[0], name.split(".")[0])


def _allowed(layer: str, target: str, modules: dict[str, Path]) -> bool:
    top = target.split(".")[0]
    if layer == "screen":
        return top in ("components", "services", "service", "core", "pages")
    if layer == "services":
        return top in ("services", "db", "core")
    if layer == "db":
        return top == "db" or (top == "core" and (target in CORE_VOCABULARY or target == "core"))
    if layer == "core":
        return top == "core"
    return True


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_import_follows_the_layers():
    modules = _modules()
    breaches = set()
    for name, path in modules.items():
        layer = _layer(name)
        for target in _imports(path, modules):
            if _ours(target) and target not in OURS and not _allowed(layer, target, modules):
                breaches.add((_relative(path), target))
    unexpected = sorted(breaches - KNOWN_EXCEPTIONS)
    assert not unexpected, "imports across the layers:\n" + "\n".join(f"{f} imports {t}" for f, t in unexpected)


def test_the_known_exceptions_are_still_needed():
    """An exception that no longer happens must leave the list (so the list only shrinks)."""
    modules = _modules()
    present = set()
    for name, path in modules.items():
        for target in _imports(path, modules):
            present.add((_relative(path), target))
    stale = sorted(e for e in KNOWN_EXCEPTIONS if e not in present)
    assert not stale, f"no longer imported, remove from KNOWN_EXCEPTIONS: {stale}"


def test_db_and_core_import_no_streamlit():
    offenders = [_relative(p) for n, p in _modules().items() if _layer(n) in ("db", "core")
                 and any(t == "streamlit" or t.startswith("streamlit.") for t in _imports(p))]
    assert not offenders, offenders


def test_core_imports_nothing_of_ours_above_it():
    modules = _modules()
    offenders = sorted((_relative(p), t) for n, p in modules.items() if _layer(n) == "core"
                       for t in _imports(p, modules) if _ours(t) and t.split(".")[0] != "core")
    assert set(offenders) <= KNOWN_EXCEPTIONS, offenders


def test_nothing_outside_db_opens_a_session():
    offenders = []
    for name, path in _modules().items():
        if _layer(name) == "db":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("session_scope", "Session", "get_engine") \
                        and (_relative(path), called) not in KNOWN_SESSION_OPENERS:
                    offenders.append(f"{_relative(path)}:{node.lineno} {called}()")
    assert not offenders, offenders


def test_the_layer_walk_sees_a_breach(tmp_path, monkeypatch):
    """The walk itself works: a core module importing db is reported."""
    path = tmp_path / "bad.py"
    path.write_text("from db import queries\nimport streamlit as st\n", encoding="utf-8")
    imports = _imports(path)
    assert "db.queries" in imports and "streamlit" in imports
    assert not _allowed("core", "db.queries", _modules()) and not _allowed("db", "core.status", _modules())
    assert _allowed("db", "core.reporting", _modules()) and not _allowed("screen", "db.queries", _modules())
