"""Catalogue versions and revisions for screens and the CLI (issue 15, item 6).

Which version judges a period is core.catalogue_versions; the period reads apply it through
db.catalogue_versions. Here: what the target detail says about revisions, and the diff of two folders.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from core import catalogue_versions as core_versions
from core.catalogue import load_catalogue
from core.catalogue_diff import diff_catalogues
from db import catalogue_versions as db_versions
from services.cache import cached


@cached
def targets_at(period: str) -> pd.DataFrame:
    """The targets as in force at `period`: what a page shows beside that period's values."""
    return db_versions.targets_at(period)


@cached
def roles_at(period: str) -> pd.DataFrame:
    """Task departments (lead, participants) as in force at `period`: who owes that period's report."""
    return db_versions.roles_at(period)


@cached
def target_revisions(target_id: str) -> list[dict]:
    """Every revision of the target's definition: [{"version", "applies_from", "changes", "text"}], oldest
    first; text like “2020Q3 起按修订后的目录：目标值 96 → 97”."""
    return core_versions.target_revisions(target_id, db_versions.versions())


@cached
def version_in_force(period: str) -> dict | None:
    """The version judging `period`: number, applies_from, and whether a newer one exists."""
    versions = db_versions.versions()
    chosen = core_versions.in_force(versions, period)
    if chosen is None:
        return None
    return {"number": chosen.number, "applies_from": chosen.applies_from, "count": len(versions),
            "newest": chosen.number == max(v.number for v in versions)}


def catalogue_diff(old_dir: Path, new_dir: Path) -> list[dict]:
    """Every added, removed or changed target and task between two catalogue folders (CatalogueError when a
    folder is not a valid catalogue: its own message names file, row and column)."""
    return diff_catalogues(load_catalogue(Path(old_dir)), load_catalogue(Path(new_dir)))
