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
    _ensure_admin()
    return 0


def _ensure_admin() -> None:
    import os

    from db.users import ADMIN_PASSWORD_ENV, ensure_initial_admin

    created = ensure_initial_admin(os.environ.get(ADMIN_PASSWORD_ENV) or None)
    if created is None:
        return
    name, password = created
    if password is None:
        print(f"已创建管理员账号“{name}”，密码取自环境变量 {ADMIN_PASSWORD_ENV}。")
    else:
        path = _write_initial_admin_password(name, password)
        print(f"已创建管理员账号“{name}”，初始密码写在 {path}（仅本机当前用户可读）；"
              "登录后请用“管理 → 用户管理”或 manage.py user reset 更换，并删除该文件。")


def _write_initial_admin_password(name: str, password: str) -> Path:
    """The random first password goes to a file only its owner can read, never to the terminal:
    `make run` shows init's output among pip's, where it would be lost or copied into logs."""
    import os

    from core.paths import var_dir

    path = var_dir() / "initial-admin-password.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # an old file from an earlier database: replace it, never widen its mode
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"用户名：{name}\n初始密码：{password}\n"
                "（首次登录后请更换密码并删除本文件）\n")
    return path


def cmd_user(args: argparse.Namespace) -> int:
    import getpass
    import os

    from db.users import UserError, add_user, reset_password, set_active, users

    if args.action == "list":
        df = users().fillna({"department": ""})
        for r in df.itertuples():
            state = "启用" if r.active else "停用"
            print(f"{r.username}\t{r.role}\t{r.department}\t{state}")
        return 0
    if not args.username:
        print("请给出用户名", file=sys.stderr)
        return 2
    try:
        if args.action == "disable":
            set_active(args.username, False, by="命令行")
        elif args.action == "enable":
            set_active(args.username, True, by="命令行")
        else:
            # From the environment or typed without echo: never a command-line argument (shell history).
            password = os.environ.get("ZJ_NEW_PASSWORD") or getpass.getpass("新密码：")
            if args.action == "add":
                add_user(args.username, password, args.role, args.department, by="命令行",
                         display_name=args.name or "")
            else:
                reset_password(args.username, password, by="命令行")
    except UserError as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1
    print(f"已完成：{args.action} {args.username}")
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


def cmd_template(args: argparse.Namespace) -> int:
    from core.importer.templates import build_template
    from core.periods import parse_period
    from core.settings import load_settings

    period = parse_period(args.period)
    if period is None:
        print(f"无法识别的报告期：{args.period}（应为 2020Q4 这样的格式）", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    if args.department and catalogue.canonical_department(args.department) is None:
        print(f"不是方案中的责任部门：{args.department}", file=sys.stderr)
        return 2
    data = build_template(catalogue, period=period.code, department=args.department,
                          deadline=period.deadline(load_settings().deadline_days))
    Path(args.output).write_bytes(data)
    print(f"已生成填报模板 {args.output}（{args.department or '全市'}，{period.code}）")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0: imported (or dry run clean); 1: validation errors, nothing written; 2: file refused."""
    from core.importer.model import UploadRefused
    from core.importer.preview import plan_changes
    from core.importer.reader import read_upload, sha256_of
    from core.importer.summary import MIME_TYPES, import_summary, refused_summary
    from core.importer.validate import validate_upload
    from core.auth import permission_problems, write_scope
    from db import queries
    from db.imports import CommitRefused, commit_import
    from db.users import user_identity

    identity = user_identity(args.user)
    if identity is None or identity.role not in ("管理员", "填报员"):
        print(f"--user “{args.user}” 不是可报送的有效账号（用 manage.py user list 查看）", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        content = path.read_bytes()
        book = read_upload(path.name, content)
    except (UploadRefused, OSError) as exc:
        print(json.dumps(refused_summary(path.name, str(exc)), ensure_ascii=False, indent=2))
        return 2
    catalogue = load_catalogue()
    result = validate_upload(book, catalogue, filename=path.name, sha256=sha256_of(content), period=args.period,
                             department=args.department, known_periods=list(queries.periods()["code"]) or None)
    result.problems.extend(permission_problems(result, identity, catalogue))
    plan = plan_changes(result, queries.current_values(), queries.current_progress(), catalogue)
    if result.problems or args.dry_run:
        print(json.dumps(import_summary(result, plan, dry_run=args.dry_run), ensure_ascii=False, indent=2))
        return 1 if result.problems else 0
    scope = write_scope(identity, catalogue)
    try:
        committed = commit_import(result, plan, user=identity.username, source="cli", file_bytes=content,
                                  mime=MIME_TYPES[book.kind], department=result.department, period=result.period,
                                  state="committed" if scope is None else "pending", scope=scope)
    except CommitRefused as exc:
        print(f"未导入：{exc}", file=sys.stderr)
        return 1
    summary = import_summary(result, plan, dry_run=False, committed=committed)
    summary["state"] = committed.get("state", "")  # pending: waits for the office's review
    if committed["duplicate"]:
        summary["message"] = f"同一文件已于提交 #{committed['submission_id']} 导入，本次未写入任何数据"
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from db.setup import RestoreRefused, restore_sqlite

    try:
        out = restore_sqlite(Path(args.file))
    except RestoreRefused as exc:
        print(f"未恢复：{exc}", file=sys.stderr)
        return 1
    print(f"已从 {args.file} 恢复：{out['counts']['submission']} 次报送，{out['counts']['indicatorvalue']} 个指标值；"
          f"恢复前的数据库已另存为 {out['safety_copy']}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from db.engine import get_engine
    from db.migrations import SchemaMismatch, schema_status, upgrade_database
    from db.setup import backup_sqlite

    engine = get_engine()
    status = schema_status(engine)
    print(f"数据库结构：当前版本 {status.current or '无（尚未纳入迁移管理）'}，最新版本 {status.head}")
    if args.status or status.up_to_date:
        return 0 if status.up_to_date else 1
    if status.has_tables and engine.dialect.name == "sqlite":
        # An upgrade rewrites tables; keep the database as it was, whatever happens next.
        out = backup_sqlite(var_dir() / "backups" / f"before-migrate-{datetime.now():%Y%m%d-%H%M%S}.sqlite3")
        print(f"升级前已备份到 {out}")
    try:
        result = upgrade_database(engine)
    except SchemaMismatch as exc:
        print(f"未迁移：{exc}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from core.status_report import report_text, status_report
    from db import queries

    known = list(queries.periods()["code"])
    if args.period not in known:
        print(f"不是报告期：{args.period}（可选 {known[0]}…{known[-1]}）", file=sys.stderr)
        return 2
    report = status_report(queries.targets(), queries.current_values(up_to_period=args.period, city_only=True),
                           queries.tasks(), queries.current_progress(up_to_period=args.period), args.period)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report_text(report), end="")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the dashboard with its modules imported and its pages opened by the server itself
    before officials arrive, and reopened every [cache] warm_seconds (service/warm_start.py)."""
    import logging

    from streamlit.web import cli as streamlit_cli

    from core.settings import load_settings
    from service import warm_start

    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    warm_start.log.setLevel(logging.INFO)
    warm_start.import_app_modules()
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::", "") else args.address
    warm_start.keep_warm(f"http://{host}:{args.port}", load_settings().warm_seconds,
                         announce=warm_start.serving_lines(args.port, args.address))
    app = str(Path(__file__).resolve().parent / "app.py")
    return streamlit_cli.main(["run", app, "--server.port", str(args.port), "--server.address", args.address,
                               *args.streamlit_options], prog_name="streamlit")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="manage.py", description="湛江质量提升督查看板 管理命令")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="建库并写入计划目录（可重复执行）")
    p.add_argument("--demo", action="store_true", help="数据库没有任何报送时载入演示数据")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("serve", help="启动看板（先预热各页面，之后定时预热）；其他参数如 --server.headless true 原样交给 streamlit run")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="监听地址；内网访问用 0.0.0.0")
    p.set_defaults(func=cmd_serve, streamlit_options=[])
    p = sub.add_parser("migrate", help="把数据库结构升级到最新版本（SQLite 先自动备份）；--status 只显示版本")
    p.add_argument("--status", action="store_true", help="只显示当前/最新版本，不升级（未到最新时退出码 1）")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("demo", help="载入或删除演示数据")
    p.add_argument("action", choices=["load", "clear"])
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("catalogue", help="检查 data/plan 下的计划目录")
    p.add_argument("action", choices=["check"])
    p.set_defaults(func=cmd_catalogue)
    p = sub.add_parser("report", help="输出某报告期全部指标和任务的状态及说明")
    p.add_argument("--period", required=True, help="报告期，如 2020Q4")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("backup", help="在线备份 SQLite 数据库")
    p.add_argument("-o", "--output", help="备份文件路径（默认 var/backups/）")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份文件恢复 SQLite 数据库（先校验，并自动另存恢复前的数据库）")
    p.add_argument("file", help="manage.py backup 生成的备份文件")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("template", help="生成进度填报模板（.xlsx）；不指定部门则为全市模板")
    p.add_argument("--department", help="填报部门（方案中的部门全称）")
    p.add_argument("--period", required=True, help="报告期，如 2020Q4")
    p.add_argument("-o", "--output", required=True, help="输出文件")
    p.set_defaults(func=cmd_template)
    p = sub.add_parser("import", help="导入进度表，打印 JSON 摘要（退出码 0 成功，1 有校验错误，2 文件被拒绝）")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    p.add_argument("--period", help="表中未写报告期时使用")
    p.add_argument("--department", help="表中未写责任部门时使用")
    p.add_argument("--user", required=True,
                   help="提交人账号（须已存在；填报员只能导入本部门的数据，且待审核）")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("user", help="用户账号：add / reset / disable / enable / list（密码取自 ZJ_NEW_PASSWORD 或提示输入）")
    p.add_argument("action", choices=["add", "reset", "disable", "enable", "list"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=["管理员", "填报员", "浏览"], default="填报员")
    p.add_argument("--department", help="填报员所属部门（方案中的部门全称）")
    p.add_argument("--name", help="姓名")
    p.set_defaults(func=cmd_user)
    return ap


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.func is not cmd_serve:
        parser.error(f"无法识别的参数：{' '.join(rest)}")
    args.streamlit_options = rest  # serve passes options it does not know to streamlit run
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
