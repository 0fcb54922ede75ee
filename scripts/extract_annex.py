"""Extract tasks.csv and departments.csv from the plan's annex (工作任务分解表).

Run once when the plan text changes: `python scripts/extract_annex.py`.
The CSVs it writes are the catalogue officials edit afterwards, so the script
refuses to overwrite them unless --force is given.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "data/source/zhanjiang-quality-action-plan.txt"
OUT = ROOT / "data/plans/2018-2020"

# The annex names two collectives that are not departments: they are kept as groups.
GROUPS = {"市直相关单位", "市质量强市工作领导小组成员单位"}
# The annex writes one department without the 市 prefix every other city body carries.
MISSING_PREFIX = {"文化广电旅游体育局": "市文化广电旅游体育局"}


def annex_blocks(text: str) -> list[tuple[int, str, str, str]]:
    annex = text.split("责任部门 |", 1)[1]
    cells = [c.strip() for c in annex.split("|") if c.strip()]
    blocks = []
    for i in range(0, len(cells), 3):
        head, content, depts = cells[i : i + 3]
        m = re.match(r"(\d+)\.(.+)", head)
        blocks.append((int(m.group(1)), m.group(2).strip(), content, depts))
    return blocks


def split_departments(raw: str) -> tuple[str, str, list[str], list[str]]:
    """Return (lead canonical, lead as written, participants canonical, participants as written)."""
    raw = raw.rstrip("。")
    m = re.match(r"牵头部门:(.+?)(?:[;:]参与部门:(.*))?$", raw)
    if not m:
        raise ValueError(f"unrecognised 责任部门 cell: {raw}")
    lead_written = m.group(1)
    parts_written = [p for p in (m.group(2) or "").split("、") if p]
    return canonical(lead_written), lead_written, [canonical(p) for p in parts_written], parts_written


def canonical(name: str) -> str:
    name = name.strip().rstrip(":;,。")
    return MISSING_PREFIX.get(name, name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--force", action="store_true", help="overwrite existing CSVs")
    args = ap.parse_args()
    targets = [OUT / "tasks.csv", OUT / "departments.csv"]
    if any(p.exists() for p in targets) and not args.force:
        print("tasks.csv/departments.csv exist; pass --force to regenerate", file=sys.stderr)
        return 1
    text = PLAN.read_text(encoding="utf-8")
    blocks = annex_blocks(text)
    order: list[str] = []
    aliases: dict[str, set[str]] = {}
    with (OUT / "tasks.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "measure", "lead_department", "participants", "content"])
        for num, title, content, depts in blocks:
            lead, lead_w, parts, parts_w = split_departments(depts)
            for canon, written in [(lead, lead_w), *zip(parts, parts_w)]:
                if canon not in aliases:
                    order.append(canon)
                    aliases[canon] = set()
                if written != canon:
                    aliases[canon].add(written)
            # Annex task N carries out numbered measure N+2 of the main text (measures 3-32).
            w.writerow([num, title, num + 2, lead, "、".join(parts), content])
    with (OUT / "departments.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "kind", "aliases"])
        for name in order:
            kind = "group" if name in GROUPS else "department"
            w.writerow([name, kind, "|".join(sorted(aliases[name]))])
    print(f"{len(blocks)} tasks, {len(order)} names ({sum(n in GROUPS for n in order)} groups)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
