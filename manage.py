"""Admin CLI for the supervision office: python manage.py --help"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from core.catalogue import CatalogueError, load_catalogue
from core.paths import var_dir

# Exit codes (README.md “管理命令”): every failure is one Chinese sentence on stderr, never a traceback.
EXIT_OK = 0
EXIT_INVALID = 1  # the input did not pass its checks (file, account, backup, plan folder, unknown --plan); nothing written
EXIT_REFUSED = 2  # arguments or file refused before any check (unknown option, period, user; unreadable upload;
#                   an import into an archived plan)
EXIT_DATABASE = 3  # the database could not be reached or answered with an error (details in the log)
EXIT_DISK_FULL = 4  # no space left on the disk; nothing half-written was left behind
EXIT_FILE = 5  # a file could not be read or written (missing, no permission)
EXIT_UNEXPECTED = 9  # a bug: the details are in var/logs/manage-errors.log
EXIT_INTERRUPTED = 130


def refusal_code(exc: BaseException, otherwise: int) -> int:
    """A write refused because its plan is archived ends with EXIT_REFUSED whichever command tried it
    (the command's own refusals keep their code)."""
    from db.engine import PlanArchived

    return EXIT_REFUSED if isinstance(exc, PlanArchived) else otherwise


def cmd_init(args: argparse.Namespace) -> int:
    from db.setup import ensure_ready

    try:
        report, loaded = ensure_ready(with_demo=args.demo)
    except CatalogueError as exc:  # the CSVs, or plan.toml's [catalogue] revised_from: nothing written
        print(exc, file=sys.stderr)
        return 1
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

    from services.first_admin import initial_password_file

    path = initial_password_file()
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

    from db.users import UserError, add_user, set_active, users
    from services.first_admin import reset_password  # the first admin's new password also deletes its file

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
        from core.plan_context import current_plan_id
        from core.plans import current_plan
        from services.plans import demo_supported

        if not demo_supported():
            print(f"未载入：演示数据只为 2018—2020 年方案准备，方案“{current_plan_id()}”（{current_plan().short_name}）"
                  "没有演示数据。", file=sys.stderr)
            return EXIT_INVALID
        catalogue = load_catalogue()
        init_database(catalogue)
        counts = load_demo(catalogue)
        print("演示数据已存在，未重复载入" if not counts["submissions"] else f"已载入演示数据：{counts}")
    else:
        print(f"已删除演示数据：{clear_demo(by='命令行')}")
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    if args.action == "diff":
        return cmd_catalogue_diff(args)
    from services.continuity import link_problems

    folder = Path(args.folders[0]) if args.folders else None  # catalogue check [FOLDER]
    try:
        cat = load_catalogue(folder) if folder else load_catalogue()
        links = link_problems(folder, cat) if folder else []
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if links:  # predecessor/change and [continuity] cancelled against the predecessor plan (issue 15)
        print(CatalogueError(links), file=sys.stderr)
        return 1
    print(f"目录无误：{len(cat.targets)} 个指标，{len(cat.tasks)} 项任务，"
          f"{len(cat.department_names())} 个部门（另有 {len(cat.departments) - len(cat.department_names())} 个部门组），"
          f"{len(cat.districts)} 个区县，{len(cat.places)} 个地点")
    return 0


def cmd_catalogue_diff(args: argparse.Namespace) -> int:
    """catalogue diff OLD_DIR NEW_DIR (issue 15): every added, removed or changed target and task."""
    from core.catalogue_diff import diff_text
    from services.catalogue_versions import catalogue_diff

    if len(args.folders) != 2:
        print("参数有误：catalogue diff 需要两个文件夹：旧目录 新目录", file=sys.stderr)
        return EXIT_REFUSED
    old, new = (Path(f) for f in args.folders)
    try:
        entries = catalogue_diff(old, new)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps({"old": str(old), "new": str(new), "changes": entries}, ensure_ascii=False, indent=2))
    else:
        print(diff_text(entries, str(old), str(new)), end="")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from core.paths import DEFAULT_PLAN_ID
    from core.plan_context import use_plan
    from db.setup import NotSqlite, backup_sqlite

    # The home database (accounts and the 2018–2020 plan) unless --plan names another plan's database.
    plan_id = getattr(args, "plan", None) or DEFAULT_PLAN_ID
    name = "dashboard" if plan_id == DEFAULT_PLAN_ID else f"plan-{plan_id}"
    out = Path(args.output) if args.output else var_dir() / "backups" / f"{name}-{datetime.now():%Y%m%d-%H%M%S}.sqlite3"
    try:
        with use_plan(plan_id):
            done = backup_sqlite(out)
        print(f"已备份到 {done}")
    except NotSqlite as exc:
        print(f"未备份：{exc}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from core.importer.templates import build_template
    from core.periods import parse_period
    from core.settings import load_settings

    period = parse_period(args.period)
    if period is None:
        print(f"无法识别的报告期：{args.period}（应为 2020Q4 这样的格式）", file=sys.stderr)
        return 2
    settings = load_settings()
    if not settings.first_period <= period.code <= settings.last_period:
        print(f"{period.code} 不在本方案的报告期（{settings.first_period}–{settings.last_period}）内", file=sys.stderr)
        return 2
    catalogue = load_catalogue()
    if args.department and catalogue.canonical_department(args.department) is None:
        print(f"不是方案中的责任部门：{args.department}", file=sys.stderr)
        return 2
    from services.trust import assignments  # targets 基期与责任备案 gave to the department are in its template

    data = build_template(catalogue, period=period.code, department=args.department,
                          deadline=period.deadline(settings.deadline_days), assigned=assignments())
    Path(args.output).write_bytes(data)
    print(f"已生成填报模板 {args.output}（{args.department or '全市'}，{period.code}）")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 0: imported (or dry run clean); 1: validation errors, or second-look warnings without a 备注 or
    --note, nothing written; 2: file refused."""
    from core.auth import may_upload
    from core.importer.summary import import_summary, refused_summary
    from db.users import user_identity
    from services import submissions
    from services.identity import CLI, Caller

    identity = user_identity(args.user)
    if identity is None or not may_upload(identity):
        print(f"--user “{args.user}” 不是可报送的有效账号（用 manage.py user list 查看）", file=sys.stderr)
        return 2
    closed = submissions.archived_refusal()
    if closed:  # the write would refuse it too (db.engine); said before the file is read
        print(f"未导入：{closed}", file=sys.stderr)
        return EXIT_REFUSED
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        print(json.dumps(refused_summary(path.name, f"无法读取文件：{exc.strerror or exc}"), ensure_ascii=False,
                         indent=2))
        return 2
    draft = submissions.prepare_file(identity, path.name, content, args.department, args.period, source="cli")
    if draft.refused:
        print(json.dumps(refused_summary(path.name, draft.refused), ensure_ascii=False, indent=2))
        return 2
    note = (args.note or "").strip()
    # The second look (大幅变动, 不升反降, 区县不一致): warnings listed with the summary, answered by --note.
    warnings = submissions.warning_records(draft, note)
    if draft.problems or args.dry_run:
        summary = import_summary(draft.result, draft.plan, dry_run=args.dry_run)
        print(json.dumps({**summary, "warnings": warnings}, ensure_ascii=False, indent=2))
        if draft.problems:  # the JSON lists every cell; the operator reads the first one at once
            more = f"（共 {len(draft.problems)} 处，见上方 errors）" if len(draft.problems) > 1 else ""
            print(f"未导入：{draft.problems[0].text()}{more}", file=sys.stderr)
        return 1 if draft.problems else 0
    if submissions.unexplained_warnings(draft, note):
        print(json.dumps({**import_summary(draft.result, draft.plan, dry_run=False), "warnings": warnings},
                         ensure_ascii=False, indent=2))
        cells = [f"  {w['where']} {w['message']}" for w in warnings if not w["explained"]]
        print("未导入：以下数据需要说明（数据异常的原因）：\n" + "\n".join(cells) + "\n数据无误的，请在该行“备注”中写明原因，"
              f"或加 --note \"说明\"（不超过 {submissions.MAX_NOTE} 字）重新导入", file=sys.stderr)
        return 1
    outcome = submissions.commit(Caller(identity, None, CLI), draft, note=note)
    if outcome.refused:
        print(f"未导入：{outcome.refused}", file=sys.stderr)
        return EXIT_REFUSED if submissions.archived_refusal() else EXIT_INVALID
    summary = import_summary(draft.result, draft.plan, dry_run=False, committed=outcome.as_dict())
    summary["state"] = outcome.state  # pending: waits for the office's review
    summary["warnings"], summary["note"] = warnings, note
    if outcome.duplicate:
        summary["message"] = f"同一文件已于提交 #{outcome.submission_id} 导入，本次未写入任何数据"
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from core.paths import DEFAULT_PLAN_ID
    from core.plan_context import use_plan
    from db.setup import NotSqlite, RestoreRefused, restore_sqlite

    try:
        with use_plan(DEFAULT_PLAN_ID):  # the home database: it holds the accounts the restore carries over
            out = restore_sqlite(Path(args.file), by="命令行")
    except RestoreRefused as exc:
        print(f"未恢复：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except NotSqlite as exc:
        print(f"未恢复：{exc}", file=sys.stderr)
        return EXIT_REFUSED
    kept = out["accounts"]
    print(f"已从 {args.file} 恢复：{out['counts']['submission']} 次报送，{out['counts']['indicatorvalue']} 个指标值；"
          f"账号与登录保持恢复前的状态（{kept['kept']} 个账号，{kept['sessions']} 个会话）；"
          f"恢复前的数据库已另存为 {out['safety_copy']}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Every plan's database (the home one and each plan's that exists), or only --plan's."""
    from core.paths import DEFAULT_PLAN_ID
    from core.plan_context import use_plan
    from services import plans

    if getattr(args, "plan", None):
        return _migrate_one(args, "")
    targets = [DEFAULT_PLAN_ID] + [p for p in plans.ids() if p != DEFAULT_PLAN_ID and plans.has_database(p)]
    codes = []
    for plan_id in targets:
        with use_plan(plan_id):
            codes.append(_migrate_one(args, f"方案 {plan_id}：" if len(targets) > 1 else ""))
    return max(codes)


def _migrate_one(args: argparse.Namespace, label: str) -> int:
    from core.paths import DEFAULT_PLAN_ID
    from core.plan_context import current_plan_id
    from db.engine import get_engine
    from db.migrations import SchemaMismatch, schema_status, upgrade_database
    from db.setup import backup_sqlite

    engine = get_engine()
    status = schema_status(engine)
    print(f"{label}数据库结构：当前版本 {status.current or '无（尚未纳入迁移管理）'}，最新版本 {status.head}")
    if args.status or status.up_to_date:
        return 0 if status.up_to_date else 1
    if status.has_tables and engine.dialect.name == "sqlite":
        # An upgrade rewrites tables; keep the database as it was, whatever happens next.
        plan = "" if current_plan_id() == DEFAULT_PLAN_ID else f"plan-{current_plan_id()}-"
        out = backup_sqlite(var_dir() / "backups" / f"before-migrate-{plan}{datetime.now():%Y%m%d-%H%M%S}.sqlite3")
        print(f"{label}升级前已备份到 {out}")
    try:
        result = upgrade_database(engine)
    except SchemaMismatch as exc:
        print(f"{label}未迁移：{exc}", file=sys.stderr)
        return 1
    print(f"{label}{result.summary()}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from core.status_report import report_text
    from services import status
    from services.submissions import known_periods

    known = known_periods()
    if args.period not in known:
        print(f"不是报告期：{args.period}（可选 {known[0]}…{known[-1]}）", file=sys.stderr)
        return 2
    report = status.status_report(args.period)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report_text(report), end="")
    return 0


# --- 基期与责任备案、报告期关闭 (issue 16): self-contained, each write re-checks the account in its transaction ---


def _trust_actor(username: str):
    from db.trust import CLI, Actor

    return Actor(username, via=CLI)


def cmd_baseline(args: argparse.Namespace) -> int:
    from db.trust import TrustRefused, baselines, set_baseline

    if args.action == "list":
        df = baselines()
        if args.target:
            df = df[df["target_id"] == args.target]
        rows = [{"target_id": r.target_id, "district": r.district or "全市",
                 "value": None if pd_isna(r.value) else float(r.value),
                 "year": None if pd_isna(r.year) else int(r.year), "source": r.source,
                 "responsible_department": r.responsible_department, "confirmed": bool(r.confirmed),
                 "demo": bool(r.is_demo)} for r in df.itertuples()]
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                state = "已确认" if r["confirmed"] else "未确认"
                print(f"{r['target_id']}\t{r['district']}\t{r['value']}\t{r['year'] or ''}\t{r['source']}\t"
                      f"{r['responsible_department']}\t{state}{'（演示）' if r['demo'] else ''}")
        return 0
    if not (args.target and args.user):
        print("baseline set 需要 --target 与 --user", file=sys.stderr)
        return 2
    try:
        after = set_baseline(_trust_actor(args.user), args.target, district=args.district or "", value=args.value,
                             year=args.year, source=args.source or "", responsible=args.responsible,
                             reason=args.reason or "", confirm=args.confirm)
    except TrustRefused as exc:
        print(f"未备案：{exc}", file=sys.stderr)
        return refusal_code(exc, 1)
    print(f"已备案：{args.target}{' ' + args.district if args.district else ''} "
          + json.dumps(after, ensure_ascii=False))
    return 0


def pd_isna(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def cmd_period(args: argparse.Namespace) -> int:
    from core.timeutil import CHINA_TZ
    from db.trust import TrustRefused, grant_lock_exception, lock_exceptions, revoke_lock_exception, set_period_state
    from services.trust import period_states

    try:
        if args.action in ("close", "open"):
            if not (args.period and args.user):
                print(f"period {args.action} 需要报告期与 --user", file=sys.stderr)
                return 2
            set_period_state(_trust_actor(args.user), args.period, args.action, args.reason or "")
            print(f"{args.period} 已{'关闭' if args.action == 'close' else '重新开放'}")
            return 0
        if args.action == "list":
            for r in period_states().itertuples():
                print(f"{r.period_code}\t{'已关闭' if r.closed else '开放'}\t{r.why}")
            return 0
        # exceptions: grant with --department/--until, revoke with --revoke, else list
        if args.revoke:
            revoke_lock_exception(_trust_actor(args.user or ""), args.revoke)
            print(f"已撤销锁定例外 #{args.revoke}")
            return 0
        if args.department:
            if not (args.period and args.until and args.user):
                print("授予锁定例外需要报告期、--department、--until 与 --user", file=sys.stderr)
                return 2
            until = datetime.fromisoformat(args.until)
            until = until.replace(tzinfo=CHINA_TZ) if until.tzinfo is None else until
            gid = grant_lock_exception(_trust_actor(args.user), args.department, args.period, until, args.reason or "")
            print(f"已授予锁定例外 #{gid}：{args.department} 可报送 {args.period} 至 {until:%Y-%m-%d %H:%M}")
            return 0
        df = lock_exceptions()
        for r in df.itertuples():
            state = "已撤销" if not pd_isna(r.revoked_at) else "有效"
            print(f"#{r.id}\t{r.department}\t{r.period_code}\t至 {r.until.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}\t"
                  f"{state}\t{r.granted_by}\t{r.reason}")
        return 0
    except TrustRefused as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return refusal_code(exc, 1)
    except ValueError as exc:
        print(f"参数有误：{exc}", file=sys.stderr)
        return 2


def _add_trust_commands(sub, plan) -> None:
    p = sub.add_parser("baseline", parents=[plan], help="基期与责任备案：set 登记/修改（确认后修改须 --reason），list 列出")
    p.add_argument("action", choices=["set", "list"])
    p.add_argument("--target", help="指标编号，如 T47")
    p.add_argument("--district", help="区县代码（分区县指标的区县基期；不填为全市）")
    p.add_argument("--value", type=float, help="基期值（基期年份年底的数值）")
    p.add_argument("--year", type=int, help="基期年份")
    p.add_argument("--source", help="基期数据来源")
    p.add_argument("--responsible", help="责任部门（须为该指标所属任务的牵头或参与部门）")
    p.add_argument("--reason", help="变更原因（已确认的备案修改时必填）")
    p.add_argument("--confirm", action="store_true", help="确认备案（仅督查办管理员）")
    p.add_argument("--user", help="操作人账号（须为有效账号）")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_baseline)
    p = sub.add_parser("period", parents=[plan], help="报告期：close 关闭 / open 重新开放 / exceptions 锁定例外（列出、授予、撤销）/ list")
    p.add_argument("action", choices=["close", "open", "exceptions", "list"])
    p.add_argument("period", nargs="?", help="报告期，如 2019Q4")
    p.add_argument("--department", help="锁定例外：获准继续报送的部门")
    p.add_argument("--until", help="锁定例外截止时间（北京时间），如 2026-12-31 或 2026-12-31T18:00")
    p.add_argument("--revoke", type=int, help="撤销的锁定例外编号")
    p.add_argument("--reason", help="原因")
    p.add_argument("--user", help="操作人账号（督查办管理员）")
    p.set_defaults(func=cmd_period)


# --- 佐证材料 of task reports (issue 16) ---------------------------------------------------------------


def cmd_evidence(args: argparse.Namespace) -> int:
    """补充佐证材料 to a task report in force, or list the files of task reports. Same checks and messages as
    the page (services.report_evidence). Exit 0 done; 1 refused (that account may not, or there is no
    report in force; nothing written); 2 bad input (account, period, task, department, a file refused)."""
    from core.evidence import EvidenceRefused
    from db import queries
    from db.users import user_identity
    from services import report_evidence
    from services.identity import CLI, Caller
    from services.submissions import Refused

    def fail(message: str, code: int) -> int:
        print(message, file=sys.stderr)
        return code

    if args.period and args.period not in set(queries.periods()["code"]):
        return fail(f"不是报告期：{args.period}", EXIT_REFUSED)
    if args.department and args.department not in set(queries.departments()["name"]):
        return fail(f"不是方案中的部门：{args.department}（请用部门全称，如 市市场监管局）", EXIT_REFUSED)
    if args.action == "list":
        df = report_evidence.task_files(args.task, args.department, args.period)
        rows = [{"id": int(r.id), "task_id": None if r.task_id != r.task_id else int(r.task_id),
                 "target_id": r.target_id, "district": r.district, "department": r.department,
                 "period": r.period_code, "submission_id": int(r.submission_id), "live": bool(r.live),
                 "filename": r.filename, "size": int(r.size), "sha256": r.sha256, "uploaded_by": r.uploaded_by,
                 "uploaded_at": r.uploaded_at.isoformat()} for r in df.itertuples()]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    identity = user_identity(args.user or "")
    if identity is None:
        return fail(f"--user “{args.user}” 不是有效账号（须已存在且启用；用 manage.py user list 查看）", EXIT_REFUSED)
    if args.task is None or not args.period:
        return fail("请用 --task 与 --period 指定任务报告，如 --task 5 --period 2020Q4", EXIT_REFUSED)
    if args.task not in set(queries.tasks()["id"]):
        return fail(f"任务编号不存在：{args.task}", EXIT_REFUSED)
    department = args.department or identity.department
    if not department:
        return fail("请用 --department 指定报送部门（部门全称）", EXIT_REFUSED)
    if not args.files:
        return fail("请给出佐证材料文件", EXIT_REFUSED)
    files = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            return fail(f"找不到佐证材料文件：{name}", EXIT_REFUSED)
        files.append((path.name, path.read_bytes()))
    try:
        ids = report_evidence.attach(Caller(identity, None, CLI), args.task, department, args.period, files)
    except EvidenceRefused as exc:
        return fail(f"未保存：{exc}", EXIT_REFUSED)
    except Refused as exc:
        return fail(f"未保存：{exc}", refusal_code(exc, EXIT_INVALID))
    print(json.dumps({"task_id": args.task, "department": department, "period": args.period, "evidence_ids": ids},
                     ensure_ascii=False, indent=2))
    return EXIT_OK


def _add_evidence_commands(sub, plan) -> None:
    p = sub.add_parser("evidence", parents=[plan], help="佐证材料：attach 为已计入的任务报告补充文件 / list 列出（退出码 0 完成，"
                       "1 被拒绝未写入，2 输入有误）")
    actions = p.add_subparsers(dest="action", required=True)
    attach = actions.add_parser("attach", help="为已计入的任务报告补充佐证材料")
    attach.add_argument("files", nargs="+", help="佐证材料文件（pdf、jpg、png、docx、xlsx、ofd）")
    listing = actions.add_parser("list", help="列出任务报告与指标数值的佐证材料（JSON）")
    for q in (attach, listing):
        q.add_argument("--task", type=int, help="任务编号（方案附件 1–30）")
        q.add_argument("--period", help="报告期，如 2020Q4")
        q.add_argument("--department", help="报送部门（attach 默认为 --user 所属部门）")
    attach.add_argument("--user", required=True, help="操作人账号（督查办管理员，或该部门的填报员）")
    p.set_defaults(func=cmd_evidence)


def cmd_export(args: argparse.Namespace) -> int:
    """The office's documents (issue 19) from the builders the pages use; kinds in services.documents.EXPORTS.
    Exit 0 written; 1 nothing to write (no open notice, nobody owes a report); 2 bad period or department."""
    from core.notice_docx import NoticeError
    from db import queries
    from services.documents import EXPORTS, NothingToExport

    known = list(queries.periods()["code"])
    if args.period not in known:
        print(f"不是报告期：{args.period}（可选 {known[0]}…{known[-1]}）", file=sys.stderr)
        return 2
    if args.department and args.department not in set(queries.departments()["name"]):
        print(f"不是方案中的部门：{args.department}（请用部门全称，如 市市场监管局）", file=sys.stderr)
        return 2
    what, suffix, build = EXPORTS[args.kind]
    out = Path(args.output or f"{what}-{args.period}{'-' + args.department if args.department else ''}{suffix}")
    try:
        data = build(args.period, args.department)
    except (NothingToExport, NoticeError) as exc:
        print(f"未生成{what}：{exc}", file=sys.stderr)
        return 1
    out.write_bytes(data)
    print(f"已生成{what}：{out}")
    return 0


def cmd_supervision(args: argparse.Namespace) -> int:
    """督办事项 through the same services as the page. Exit 0 done; 1 refused (nothing written); 2 bad input.

    The command runs on the server with local admin rights, so no login session is asked for; the
    --user account must exist and be active, and its role and department decide what it may do,
    checked again inside the write.
    """
    from datetime import date

    from core.evidence import EvidenceRefused
    from db.users import user_identity
    from services import supervision as sup

    def fail(message: str, code: int) -> int:
        print(message, file=sys.stderr)
        return code

    if args.action == "list":
        try:
            df = sup.list_notices(period=args.period, department=args.department, state=args.state)
        except sup.Refused as exc:
            return fail(str(exc), 2)
        rows = sup.list_rows(df)
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for r in rows:
                print(f"{r['id']}\t{r['number']}\t{r['colour']}\t{r['state']}\t{r['department']}\t{r['item']}\t"
                      f"期限 {r['due']}")
        return 0
    identity = user_identity(args.user or "")
    if identity is None:
        return fail(f"--user “{args.user}” 不是有效账号（须已存在且启用；用 manage.py user list 查看）", 2)
    actor = sup.Actor(identity, channel=sup.CLI)
    due = None
    if getattr(args, "due", None):
        try:
            due = date.fromisoformat(args.due)
        except ValueError:
            return fail(f"--due 应为 2021-01-31 这样的日期：{args.due}", 2)
    try:
        if args.action == "issue":
            if not args.period:
                return fail("请用 --period 指定报告期，如 2020Q4", 2)
            if args.period not in sup.period_codes():
                return fail(f"不是报告期：{args.period}", 2)
            out = sup.issue_bulk(actor, args.period, due=due, dry_run=args.dry_run)
        elif args.action == "remind":
            if not args.department:
                return fail("请用 --department 指定被催办的部门", 2)
            out = {"reminder_id": sup.remind(actor, args.department, args.period, args.id, args.text or "")}
        else:
            if args.id is None:
                return fail("请给出督办单编号（supervision list 中的 id）", 2)
            files = []
            for name in args.evidence or []:
                path = Path(name)
                if not path.is_file():
                    return fail(f"找不到佐证材料文件：{name}", 2)
                files.append((path.name, path.read_bytes()))
            out = sup.act(actor, args.id, args.action, args.text or "", files)
    except EvidenceRefused as exc:
        return fail(f"未办理：{exc}", 2)
    except sup.Refused as exc:
        return fail(f"未办理：{exc}", refusal_code(exc, 1))
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_assessment(args: argparse.Namespace) -> int:
    """年度考核 of one year per department (read-only). Exit 0; 1 refused (database not ready); 2 bad input."""
    from core.assessment import AssessmentInputError
    from db.engine import get_engine
    from db.schema_version import schema_is_current
    from services.assessment import annual_view, view_records

    if not str(args.year).isdigit():
        print(f"年度应为四位数字，如 2020，收到“{args.year}”", file=sys.stderr)
        return 2
    if not schema_is_current(get_engine()):
        print("数据库尚未初始化或结构不是最新版本：请先运行 manage.py init 或 manage.py migrate", file=sys.stderr)
        return 1
    try:
        view = annual_view(int(args.year))
    except AssessmentInputError as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 2
    records = view_records(view)
    if args.department:
        records = [r for r in records if r["department"] == args.department]
        if not records:
            print(f"“{args.department}”不是计划目录中的部门", file=sys.stderr)
            return 2
    if args.format == "json":
        print(json.dumps({"year": view.year, "demo": view.demo, "rule": view.rule_lines, "departments": records},
                         ensure_ascii=False, indent=2))
        return 0
    if view.demo:
        print("（含演示数据）")
    for r in records:
        veto = "，一票否决" if r["veto"] else ""
        lock = "，已锁定" if r["locked"] else ""
        print(f"{r['rank_text']}\t{r['department']}\t{r['equation'] or '—'}\t{r['grade'] or '—'}{veto}\t"
              f"自评 {r['self_score'] if r['self_score'] is not None else '—'}\t{r['state']}{lock}")
    return 0


# --- 方案 (issue 15): list, add, archive, activate; --plan runs a command for one plan ---------------


def cmd_plan(args: argparse.Namespace) -> int:
    """Exit 0 done; 1 refused (folder not a usable plan, unknown plan), nothing changed."""
    from services import plans

    try:
        if args.action == "list":
            rows = [{"id": e.plan.id, "name": e.plan.name, "short_name": e.plan.short_name,
                     "first_period": e.plan.first_period, "last_period": e.plan.last_period,
                     "status": e.status, "default": e.is_default} for e in plans.listed()]
            if args.format == "json":
                print(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for r in rows:
                    print(f"{r['id']}\t{r['short_name']}\t{r['first_period']}–{r['last_period']}\t"
                          f"{plans.STATUS_WORDS[r['status']]}{chr(9) + '默认' if r['default'] else ''}")
            return EXIT_OK
        if not args.target:
            print(f"plan {args.action} 需要{'方案文件夹' if args.action == 'add' else '方案编号'}", file=sys.stderr)
            return EXIT_REFUSED
        if args.action == "add":
            entry = plans.add(Path(args.target), actor="命令行")
            print(f"已添加方案 {entry.plan.id}：{entry.plan.name}（{entry.plan.first_period}–{entry.plan.last_period}）")
        elif args.action == "archive":
            entry = plans.archive(args.target, actor="命令行")
            print(f"已归档方案 {entry.plan.id}：只读，不能再填报或修改（恢复：python manage.py plan activate "
                  f"{entry.plan.id}）")
        else:
            entry = plans.activate(args.target, actor="命令行")
            print(f"已启用方案 {entry.plan.id}，并设为默认方案")
    except plans.PlanRefused as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _plan_option() -> argparse.ArgumentParser:
    """--plan ID for the commands that work on one plan's data (default: the office's default plan)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--plan", help="方案编号，如 2021-2025（默认：默认方案；manage.py plan list 查看）")
    return parent


def _run_for_plan(args: argparse.Namespace) -> int:
    """The command inside use_plan(--plan): every read and write goes to that plan's database."""
    from core.plan_context import use_plan
    from services import plans

    if not getattr(args, "plan", None):
        return args.func(args)
    if plans.get(args.plan) is None:
        print(plans.unknown_message(args.plan), file=sys.stderr)
        return EXIT_INVALID
    with use_plan(args.plan):
        if args.func not in (cmd_migrate, cmd_catalogue, cmd_backup):
            plans.ensure_ready(args.plan)  # its database made and its catalogue written on first use
        return args.func(args)


def _add_plan_commands(sub) -> None:
    p = sub.add_parser("plan", help="方案：list 列出 / add 文件夹 添加 / archive 编号 归档（只读）/ activate 编号 启用并设为默认"
                       "（退出码 0 完成，1 被拒绝未改动）")
    p.add_argument("action", choices=["list", "add", "archive", "activate"])
    p.add_argument("target", nargs="?", help="add：方案文件夹；archive/activate：方案编号")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_plan)


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
    # service/asgi.py serves app.py as an ASGI app: the login cookie set HttpOnly by the server, security headers.
    app = str(Path(__file__).resolve().parent / "service" / "asgi.py")
    return streamlit_cli.main(["run", app, "--server.port", str(args.port), "--server.address", args.address,
                               *args.streamlit_options], prog_name="streamlit")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one Chinese sentence and exit 2, instead of argparse's English usage text
        print(f"参数有误：{message}（用 python manage.py --help 查看用法）", file=sys.stderr)
        sys.exit(EXIT_REFUSED)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="manage.py", description="湛江质量提升督查看板 管理命令")
    sub = ap.add_subparsers(dest="command", required=True)
    plan = _plan_option()
    p = sub.add_parser("init", parents=[plan], help="建库并写入计划目录（可重复执行）")
    p.add_argument("--demo", action="store_true", help="数据库没有任何报送时载入演示数据")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("serve", help="启动看板（先预热各页面，之后定时预热）；其他参数如 --server.headless true 原样交给 streamlit run")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1", help="监听地址；内网访问用 0.0.0.0")
    p.set_defaults(func=cmd_serve, streamlit_options=[])
    p = sub.add_parser("migrate", parents=[plan], help="把数据库结构升级到最新版本（SQLite 先自动备份）；--status 只显示版本")
    p.add_argument("--status", action="store_true", help="只显示当前/最新版本，不升级（未到最新时退出码 1）")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("demo", parents=[plan], help="载入或删除演示数据")
    p.add_argument("action", choices=["load", "clear"])
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("catalogue", parents=[plan], help="检查方案的计划目录（data/plans/<方案编号>/，默认为默认方案）；diff 旧目录 新目录：列出修订之处")
    p.add_argument("action", choices=["check", "diff"])
    p.add_argument("folders", nargs="*", help="check：方案文件夹（默认为当前方案）；diff：旧目录文件夹 新目录文件夹")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_catalogue)
    p = sub.add_parser("report", parents=[plan], help="输出某报告期全部指标和任务的状态及说明")
    p.add_argument("--period", required=True, help="报告期，如 2020Q4")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("backup", parents=[plan], help="在线备份 SQLite 数据库（主数据库；--plan 为该方案的数据库）")
    p.add_argument("-o", "--output", help="备份文件路径（默认 var/backups/）")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="从备份文件恢复 SQLite 主数据库（账号与 2018—2020 年方案；先校验，并自动另存恢复前的数据库）")
    p.add_argument("file", help="manage.py backup 生成的备份文件")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("template", parents=[plan], help="生成进度填报模板（.xlsx）；不指定部门则为全市模板")
    p.add_argument("--department", help="填报部门（方案中的部门全称）")
    p.add_argument("--period", required=True, help="报告期，如 2020Q4")
    p.add_argument("-o", "--output", required=True, help="输出文件")
    p.set_defaults(func=cmd_template)
    p = sub.add_parser("import", parents=[plan], help="导入进度表，打印 JSON 摘要（退出码 0 成功，1 有校验错误，2 文件被拒绝）")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入")
    p.add_argument("--period", help="表中未写报告期时使用")
    p.add_argument("--department", help="表中未写责任部门时使用")
    p.add_argument("--user", required=True,
                   help="提交人账号（须已存在；填报员只能导入本部门的数据，且待审核）")
    p.add_argument("--note", default="",
                   help="说明（数据异常的原因，不超过 500 字）：有大幅变动、不升反降或全市与区县不一致的数据时必填，"
                        "审核人可见")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("user", help="用户账号：add / reset / disable / enable / list（密码取自 ZJ_NEW_PASSWORD 或提示输入）")
    p.add_argument("action", choices=["add", "reset", "disable", "enable", "list"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=["管理员", "填报员", "浏览"], default="填报员")
    p.add_argument("--department", help="填报员所属部门（方案中的部门全称）")
    p.add_argument("--name", help="姓名")
    p.set_defaults(func=cmd_user)
    _add_trust_commands(sub, plan)
    _add_evidence_commands(sub, plan)
    _add_plan_commands(sub)
    from services.documents import EXPORTS

    p = sub.add_parser("export", parents=[plan], help="导出文书：" + "、".join(f"{k} {v[0]}" for k, v in EXPORTS.items()))
    p.add_argument("kind", choices=list(EXPORTS))
    p.add_argument("--period", required=True, help="报告期，如 2020Q4")
    p.add_argument("--department", help="只含该部门的事项（部门全称）")
    p.add_argument("-o", "--output", help="输出文件（默认：文书名-报告期.扩展名）")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("supervision", parents=[plan], help="督办事项：issue（批量交办）/ list / ack 签收 / reply 反馈 / close 销号 / "
                       "return 退回 / remind 催办（退出码 0 完成，1 被拒绝未写入，2 输入有误）")
    p.add_argument("action", choices=["issue", "list", "ack", "reply", "close", "return", "remind"])
    p.add_argument("id", nargs="?", type=int, help="督办单 id（ack/reply/close/return；remind 可选）")
    p.add_argument("--period", help="报告期，如 2020Q4")
    p.add_argument("--department", help="部门（list 筛选；remind 被催办部门）")
    p.add_argument("--state", choices=["待签收", "办理中", "待核验", "已销号"], help="list 按状态筛选")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.add_argument("--dry-run", action="store_true", help="issue：只预览，不写入")
    p.add_argument("--due", help="issue：办理期限 YYYY-MM-DD（默认交办之日起 [supervision] due_days 天）")
    p.add_argument("--text", help="反馈内容 / 退回理由 / 意见 / 催办说明")
    p.add_argument("--evidence", action="append", help="reply：佐证材料文件，可重复")
    p.add_argument("--user", help="操作人账号（须已存在且启用；list 不需要）")
    p.set_defaults(func=cmd_supervision)
    p = sub.add_parser("assessment", parents=[plan], help="年度考核：各部门季度得分、汇总分、加分、扣分、否决、自评、最终得分、"
                       "等级、名次（退出码 0 成功，1 数据库未就绪，2 输入有误）")
    p.add_argument("--year", required=True, help="考核年度，如 2020")
    p.add_argument("--department", help="只看一个部门（方案中的部门全称）")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(func=cmd_assessment)
    return ap


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, rest = parser.parse_known_args(argv)
    except SystemExit as exc:  # --help (0) or a refused argument (2, already said in Chinese)
        return int(exc.code or 0)
    if rest and args.func is not cmd_serve:
        print(f"参数有误：无法识别的参数 {' '.join(rest)}（用 python manage.py --help 查看用法）", file=sys.stderr)
        return EXIT_REFUSED
    args.streamlit_options = rest  # serve passes options it does not know to streamlit run
    try:
        return _run_for_plan(args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - every failure ends as one sentence and its own exit code
        code, sentence = failure_sentence(exc)
        print(sentence, file=sys.stderr)
        if code in (EXIT_UNEXPECTED, EXIT_DATABASE):  # the maintainer needs the database's own words too
            _log_unexpected(args.command)
        return code


def failure_sentence(exc: BaseException) -> tuple[int, str]:
    """(exit code, one Chinese sentence) for an error no command handled itself."""
    import errno
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    causes, seen = [], exc
    while seen is not None and len(causes) < 5:
        causes.append(seen)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    from db.engine import PlanArchived

    archived = next((c for c in causes if isinstance(c, PlanArchived)), None)
    if archived is not None:  # before the file errors: it is also a PermissionError
        return EXIT_REFUSED, f"未完成：{archived}"
    text = " ".join(str(c) for c in causes).lower()
    if any(isinstance(c, OSError) and c.errno == errno.ENOSPC for c in causes) or "disk is full" in text \
            or "no space left" in text:
        return EXIT_DISK_FULL, ("磁盘空间不足，操作未完成，未留下写了一半的文件；"
                                "请清理磁盘（如 var/backups 中的旧备份）后重试。")
    for c in causes:
        if isinstance(c, (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError,
                          FileExistsError)):
            name = getattr(c, "filename", None) or ""
            return EXIT_FILE, f"无法读写文件{('“' + str(name) + '”') if name else ''}：文件不存在、是目录或没有权限。"
    if any(isinstance(c, (SQLAlchemyError, sqlite3.Error)) for c in causes):
        return EXIT_DATABASE, "数据库无法访问或出错，操作未完成；请检查 DATABASE_URL / var 目录和数据库服务后重试。"
    if any(isinstance(c, OSError) for c in causes):
        return EXIT_FILE, "读写文件时出错，操作未完成；请检查路径、权限和磁盘后重试。"
    return EXIT_UNEXPECTED, "发生意外错误，操作未完成；详情已记入 var/logs/manage-errors.log，请交给系统维护人员。"


def _log_unexpected(command: str) -> None:
    # The traceback is for the maintainer, not the terminal; if even this cannot be written, say nothing more.
    import traceback

    try:
        folder = var_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "manage-errors.log").open("a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} manage.py {command}\n{traceback.format_exc()}\n")
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
