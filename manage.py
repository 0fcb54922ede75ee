"""Admin CLI for the supervision office: python manage.py --help"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from core.catalogue import CatalogueError, load_catalogue
from core.paths import var_dir


def cmd_init(args: argparse.Namespace) -> int:
    from db.setup import ensure_ready

    report, loaded = ensure_ready(with_demo=args.demo)
    print(report.summary())
    if loaded:
        print(f"已载入演示数据：{loaded['submissions']} 次报送，{loaded['values']} 个指标值，{loaded['progress']} 条任务进展")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from db.demo import clear_demo, load_demo
    from db.setup import init_database

    if args.action == "load":
        catalogue = load_catalogue()
        init_database(catalogue)
        counts = load_demo(catalogue)
        print("演示数据已存在，未重复载入" if not counts["submissions"] else f"已载入演示数据：{counts}")
    else:
        print(f"已删除演示数据：{clear_demo()}")
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    try:
        cat = load_catalogue()
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"目录无误：{len(cat.targets)} 个指标，{len(cat.tasks)} 项任务，"
          f"{len(cat.department_names())} 个部门（另有 {len(cat.departments) - len(cat.department_names())} 个部门组），"
          f"{len(cat.districts)} 个区县，{len(cat.places)} 个地点")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from db.setup import backup_sqlite

    out = Path(args.output) if args.output else var_dir() / "backups" / f"dashboard-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
    print(f"已备份到 {backup_sqlite(out)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="manage.py", description="湛江质量提升督查看板 管理命令")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="建库并写入计划目录（可重复执行）")
    p.add_argument("--demo", action="store_true", help="数据库没有任何报送时载入演示数据")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("demo", help="载入或删除演示数据")
    p.add_argument("action", choices=["load", "clear"])
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("catalogue", help="检查 data/plan 下的计划目录")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_catalogue)
    p = sub.add_parser("backup", help="在线备份 SQLite 数据库")
    p.add_argument("-o", "--output", help="备份文件路径（默认 var/backups/）")
    p.set_defaults(func=cmd_backup)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
