"""A revised copy of the 2018–2020 catalogue for tests (issue 15, item 6): T02's target 96 → 97 and T03's lead
department changed, applying from 2020Q3 (plan.toml [catalogue] revised_from)."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from core.paths import PLAN_DIR

NEW_LEAD = "市交通运输局"


def edit_targets(folder: Path, edits: dict[str, dict[str, str]]) -> None:
    path = folder / "targets.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        row.update(edits.get(row["id"], {}))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def revised_plan(tmp_path: Path, revised_from: str | None = "2020Q3") -> Path:
    folder = tmp_path / "2018-2020"
    shutil.copytree(PLAN_DIR, folder)
    edit_targets(folder, {
        "T02": {"target_value": "97", "source_clause": "农产品质量安全例行检测总体合格率达到97%"},
        "T03": {"lead_department": NEW_LEAD},
    })
    if revised_from:
        with (folder / "plan.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[catalogue]\nrevised_from = "{revised_from}"\n')
    return folder
