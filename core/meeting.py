"""会议模式: what a 督查 meeting is shown, as one JSON-able payload, and what changed between two meetings.

The payload holds everything the slides, the PPTX, the print version and the Excel summary show
(statuses, explanations, scores, chart data). It is built once from the live frames; a frozen
snapshot stores it verbatim, so a meeting reopens exactly as shown whatever is uploaded later.
Statuses come from core.status, department scores from core.scoring, district shares from
core.district_views: this module only arranges their results.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from core.district_views import choropleth, district_grid
from core.periods import period_from_code
from core.ranking import rank_text
from core.red_order import red_sort_key, shortfall
from core.settings import Settings, load_settings
from core.status import (
    ALL_KINDS,
    DONE,
    DUE_SOON,
    GOOD_LABELS,
    OVERDUE,
    RED_LABELS,
    TARGET_KINDS,
    TASK_KINDS,
    TargetSpec,
    evaluate_targets,
    evaluate_tasks,
    fmt,
    target_text,
)
from core.timeutil import CHINA_TZ, today_beijing

PAYLOAD_SCHEMA = 1
# Unfinished tasks are listed as 临期 once the plan's end is no further than one quarter away.
DUE_WINDOW_DAYS = 92
SLIDE_KEYS = ("changes", "overview", "red_list", "ranking", "districts", "due_soon", "decisions")
SLIDE_TITLES = {
    "changes": "较上次会议的变化", "overview": "总体情况", "red_list": "红色清单", "ranking": "部门排名",
    "districts": "区县情况", "due_soon": "临期任务", "decisions": "会议决定与批示",
}


@dataclass(frozen=True)
class MeetingInputs:
    """The live frames one payload is built from (db.meetings.meeting_inputs reads them)."""

    period: str
    targets: pd.DataFrame  # db.queries.targets()
    values: pd.DataFrame  # db.queries.current_values(up_to_period=period)
    tasks: pd.DataFrame  # db.queries.tasks()
    progress: pd.DataFrame  # db.queries.current_progress(up_to_period=period)
    districts: pd.DataFrame  # db.queries.districts()
    ranking: pd.DataFrame  # core.scoring.ranking(...) of the period (Scoreboard.ranking)
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)  # db.meetings.decisions_for_deck()
    is_demo: bool = False


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    message: str  # the one sentence the slide says


# --- Building ------------------------------------------------------------------------------------


def build_payload(inputs: MeetingInputs, previous: dict | None = None, today: date | None = None,
                  settings: Settings | None = None, built_at: datetime | None = None) -> dict:
    """Everything the meeting shows for `inputs.period`; `previous` is the last frozen payload, if any,
    so the deck can open with what changed since."""
    s = settings or load_settings()
    period = inputs.period
    targets = target_rows(inputs.targets, inputs.values, period, s)
    tasks = task_rows(inputs.tasks, inputs.progress, period, s, today)
    payload = {
        "schema": PAYLOAD_SCHEMA,
        "period": period,
        "period_label": period_from_code(period).label,
        "built_at": (built_at or datetime.now(CHINA_TZ)).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
        "is_demo": bool(inputs.is_demo),
        "meeting": None,  # name and date, set when the payload is frozen
        "targets": targets,
        "tasks": tasks,
        "overview": overview_counts(targets, tasks),
        "red_list": red_list(targets, tasks),
        "ranking": ranking_rows(inputs.ranking),
        "districts": district_rows(inputs.targets, inputs.values, inputs.districts, period),
        "due_soon": due_soon(tasks, period, s, today),
        "decisions": decision_rows(inputs.decisions, tasks),
        "changes": None,
    }
    if previous:
        payload["changes"] = compare_payloads(previous, payload)
    return payload


def target_rows(targets: pd.DataFrame, values: pd.DataFrame, period: str, settings: Settings) -> list[dict]:
    city = values[(values["district_adcode"] == "") & (values["period_code"] <= period)]
    st = evaluate_targets(targets, city, period, settings).set_index("target_id")
    rows = []
    for t in targets.to_dict("records"):
        s = st.loc[t["id"]]
        spec = TargetSpec.from_row(t)
        actual = s["actual"]
        rows.append({"id": t["id"], "name": t["name"], "category": t["category"],
                     "lead_department": t["lead_department"], "status": s["status"], "color": s["color"],
                     "explanation": s["explanation"], "target_text": target_text(spec),
                     "value_text": fmt(None if pd.isna(actual) else float(actual), spec.unit),
                     "behind": _target_behind(spec, s)})
    return rows


def task_rows(tasks: pd.DataFrame, progress: pd.DataFrame, period: str, settings: Settings,
              today: date | None) -> list[dict]:
    st = evaluate_tasks(tasks, progress, period, settings, today=today).set_index("task_id")
    rows = []
    for t in tasks.to_dict("records"):
        s = st.loc[t["id"]]
        pct = s["percent"]
        rows.append({"id": int(t["id"]), "title": t["title"], "lead_department": t["lead_department"],
                     "status": s["status"], "color": s["color"], "explanation": s["explanation"],
                     "percent": None if pd.isna(pct) else round(float(pct), 1),
                     "behind": shortfall(_num(pct), _num(s["expected"]))})
    return rows


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _target_behind(spec: TargetSpec, s) -> float | None:
    """The shortfall against 序时进度 (or the target, once its year is over); a yes/no target not yet met
    has achieved nothing of it."""
    if spec.kind == "yesno":
        return 1.0 if s["status"] in RED_LABELS else None
    return shortfall(_num(s["actual"]), _num(s["expected"]), lower_is_better=spec.comparator == "≤")


def overview_counts(targets: list[dict], tasks: list[dict]) -> dict:
    """Counts per status in the engine's order, with each status's colour, for the overview chart."""
    def count(rows: list[dict], kinds) -> list[dict]:
        labels = [r["status"] for r in rows]
        return [{"status": k.label, "color": k.color, "count": labels.count(k.label)} for k in kinds]

    return {"targets": count(targets, TARGET_KINDS), "tasks": count(tasks, TASK_KINDS),
            "target_total": len(targets), "task_total": len(tasks),
            "target_good": sum(r["status"] in GOOD_LABELS for r in targets),
            "task_good": sum(r["status"] in GOOD_LABELS for r in tasks)}


def red_list(targets: list[dict], tasks: list[dict]) -> list[dict]:
    """Red targets and tasks (滞后、未完成、逾期) in core.red_order's order: worst status, furthest behind,
    number as a number."""
    rows = [{"kind": "指标", "id": t["id"], "name": t["name"], "department": t["lead_department"],
             "status": t["status"], "explanation": t["explanation"], "behind": t.get("behind")}
            for t in targets if t["status"] in RED_LABELS]
    rows += [{"kind": "任务", "id": f"任务{t['id']}", "name": t["title"], "department": t["lead_department"],
              "status": t["status"], "explanation": t["explanation"], "behind": t.get("behind")}
             for t in tasks if t["status"] in RED_LABELS]
    return sorted(rows, key=red_sort_key)


def ranking_rows(ranking: pd.DataFrame) -> list[dict]:
    rows = []
    for r in ranking.to_dict("records"):
        change = r.get("change")
        rows.append({"rank": int(r["rank"]), "name": r["name"], "score": float(r["score"]), "grade": r["grade"],
                     "change": None if change is None or pd.isna(change) else float(change),
                     "main_loss": r.get("main_loss") or ""})
    return rows


def district_rows(targets: pd.DataFrame, values: pd.DataFrame, districts: pd.DataFrame, period: str) -> dict:
    """The share of each district's district-level targets that are on track (the map's colour)."""
    chart = choropleth("on_track", district_grid(targets, values, districts, period), period)
    f = chart.frame
    rows = [{"adcode": r["adcode"], "district": r["district"],
             "value": None if r["value"] is None or pd.isna(r["value"]) else round(float(r["value"]), 1),
             "value_text": r["value_text"], "color": r["color"], "class_label": r["class_label"],
             "explanation": r["explanation"]} for r in f.to_dict("records")]
    return {"title": chart.title, "rows": rows, "legend": [{"label": e.label, "color": e.color} for e in chart.legend]}


def due_soon(tasks: list[dict], period: str, settings: Settings, today: date | None = None) -> dict:
    """Unfinished tasks once the plan's end is within DUE_WINDOW_DAYS of the period (or of today while
    the period runs), and every task the engine already calls 即将到期 or 逾期."""
    end = period_from_code(settings.last_period).end
    as_of = min(period_from_code(period).end, today or today_beijing())
    days_left = (end - as_of).days
    near = days_left <= DUE_WINDOW_DAYS
    rows = [dict(t, days_left=days_left) for t in tasks
            if t["status"] in (DUE_SOON.label, OVERDUE.label) or (near and t["status"] != DONE.label)]
    rows.sort(key=lambda r: (r["percent"] if r["percent"] is not None else -1, r["id"]))
    return {"deadline": end.isoformat(), "days_left": days_left, "rows": rows}


def decision_rows(decisions: pd.DataFrame, tasks: list[dict]) -> list[dict]:
    """Decisions to follow up, each with its task's status now, so the meeting sees whether it was carried out."""
    if decisions is None or decisions.empty:
        return []
    status = {t["id"]: (t["status"], t["color"]) for t in tasks}
    rows = []
    for d in decisions.to_dict("records"):
        tid = int(d["task_id"])
        at = d["decided_at"]
        rows.append({"id": int(d["id"]), "task_id": tid, "task_title": d.get("task_title", ""),
                     "kind": d["kind"], "text": d["text"], "decided_by": d.get("decided_by", ""),
                     "decided_at": at.strftime("%Y-%m-%d") if hasattr(at, "strftime") else str(at)[:10],
                     "meeting": d.get("meeting_name") or "本次会议",
                     "task_status": status.get(tid, ("", ""))[0], "task_color": status.get(tid, ("", ""))[1]})
    return rows


# --- Comparing two meetings ----------------------------------------------------------------------


def _meeting_label(payload: dict) -> str:
    m = payload.get("meeting") or {}
    return f"{m['name']}（{m['date']}）" if m.get("name") else f"{payload['period']} 实时数据"


def _status_changes(before: list[dict], after: list[dict], key: str, name: str) -> list[dict]:
    old = {r[key]: r for r in before}
    out = []
    for r in after:
        o = old.get(r[key])
        if o is None or o["status"] == r["status"]:
            continue
        better = ALL_KINDS[r["status"]].rank - ALL_KINDS[o["status"]].rank
        out.append({"id": r[key], "name": r[name], "before": o["status"], "after": r["status"],
                    "before_color": o["color"], "after_color": r["color"],
                    "direction": "好转" if better > 0 else "变差" if better < 0 else "变化"})
    return sorted(out, key=lambda c: ({"变差": 0, "变化": 1, "好转": 2}[c["direction"]], str(c["id"])))


def _ranking_moves(before: list[dict], after: list[dict]) -> list[dict]:
    old = {r["name"]: r for r in before}
    out = []
    for r in after:
        o = old.get(r["name"])
        if o is None:
            out.append({"name": r["name"], "rank_before": None, "rank_after": r["rank"], "move": None,
                        "score_before": None, "score_after": r["score"]})
            continue
        move = o["rank"] - r["rank"]  # positive: moved up
        if move or o["score"] != r["score"]:
            out.append({"name": r["name"], "rank_before": o["rank"], "rank_after": r["rank"], "move": move,
                        "score_before": o["score"], "score_after": r["score"]})
    return sorted(out, key=lambda m: (-(abs(m["move"]) if m["move"] is not None else 99), m["rank_after"]))


def compare_payloads(before: dict, after: dict) -> dict:
    """What changed from one meeting to the next: targets and tasks that changed colour,
    departments that moved in the ranking, red items that are new or closed."""
    red_before = {(r["kind"], r["id"]): r for r in before["red_list"]}
    red_after = {(r["kind"], r["id"]): r for r in after["red_list"]}
    return {
        "from": _meeting_label(before), "to": _meeting_label(after),
        "from_period": before["period"], "to_period": after["period"],
        "targets": _status_changes(before["targets"], after["targets"], "id", "name"),
        "tasks": _status_changes(before["tasks"], after["tasks"], "id", "title"),
        "ranking": _ranking_moves(before["ranking"], after["ranking"]),
        "new_red": [r for k, r in red_after.items() if k not in red_before],
        "closed_red": [r for k, r in red_before.items() if k not in red_after],
    }


# --- Slides --------------------------------------------------------------------------------------


def slides(payload: dict) -> list[Slide]:
    """The deck: one message per slide; the changes slide opens it when there was an earlier meeting."""
    keys = [k for k in SLIDE_KEYS if k != "changes" or payload.get("changes")]
    return [Slide(k, SLIDE_TITLES[k], _MESSAGES[k](payload)) for k in keys]


def title_text(payload: dict) -> tuple[str, str]:
    """(title, subtitle) of the title slide."""
    m = payload.get("meeting")
    title = m["name"] if m else "湛江市质量提升行动督查会议"
    when = f"会议日期：{m['date']}　" if m else ""
    demo = "　（演示数据，并非真实报送）" if payload.get("is_demo") else ""
    return title, f"{when}数据截至：{payload['period_label']}（{payload['period']}）　生成：{payload['built_at']}{demo}"


def _overview_message(p: dict) -> str:
    o = p["overview"]
    red_t = sum(c["count"] for c in o["targets"] if c["status"] in RED_LABELS)
    red_k = sum(c["count"] for c in o["tasks"] if c["status"] in RED_LABELS)
    return (f"{o['target_total']} 个指标中 {o['target_good']} 个正常或已达标、{red_t} 个亮红灯；"
            f"{o['task_total']} 项任务中 {o['task_good']} 项按进度推进、{red_k} 项亮红灯")


def _red_message(p: dict) -> str:
    rows = p["red_list"]
    if not rows:
        return f"截至 {p['period']} 没有亮红灯的指标和任务"
    depts = pd.Series([r["department"] for r in rows]).value_counts()
    top = "、".join(f"{d} {n} 项" for d, n in depts.head(3).items())
    return f"共 {len(rows)} 项亮红灯（滞后、未完成或逾期），最多的是 {top}"


def _ranking_message(p: dict) -> str:
    rows = p["ranking"]
    if not rows:
        return "本期没有可排名的部门"

    def end(rank: int) -> str:
        # A tie is named by its first member and counted whole; the chart and tables list every member.
        group = [r for r in rows if r["rank"] == rank]
        tie = f"等（{rank_text(rank, len(group))}）" if len(group) > 1 else ""
        return f"{group[0]['name']}{tie} {group[0]['score']:g} 分"

    return f"{len(rows)} 个部门参与排名：第一 {end(rows[0]['rank'])}，末位 {end(rows[-1]['rank'])}"


def _district_message(p: dict) -> str:
    rows = [r for r in p["districts"]["rows"] if r["value"] is not None]
    if not rows:
        return "本期尚无分区县数据"
    best = max(rows, key=lambda r: r["value"])
    worst = min(rows, key=lambda r: r["value"])
    return (f"分区县指标正常及达标占比：最高 {best['district']} {best['value']:.0f}%，"
            f"最低 {worst['district']} {worst['value']:.0f}%")


def _due_message(p: dict) -> str:
    d = p["due_soon"]
    when = (f"计划期于 {d['deadline']} 结束" if d["days_left"] <= 0
            else f"距计划期结束（{d['deadline']}）还有 {d['days_left']} 天")
    if not d["rows"]:
        return f"{when}，暂无临期未完成的任务"
    return f"{when}，{len(d['rows'])} 项任务尚未完成"


def _decision_message(p: dict) -> str:
    rows = p["decisions"]
    if not rows:
        return "尚无记录的会议决定或批示"
    done = sum(r["task_status"] == DONE.label for r in rows)
    return f"共 {len(rows)} 条决定和批示，涉及任务中已完成 {done} 条"


def _changes_message(p: dict) -> str:
    c = p["changes"]
    worse = sum(x["direction"] == "变差" for x in c["targets"] + c["tasks"])
    better = sum(x["direction"] == "好转" for x in c["targets"] + c["tasks"])
    moved = sum(1 for m in c["ranking"] if m["move"])
    return (f"自 {c['from']} 以来：{better} 项好转、{worse} 项变差；新增红灯 {len(c['new_red'])} 项、"
            f"消除红灯 {len(c['closed_red'])} 项；{moved} 个部门排名变动")


_MESSAGES = {"changes": _changes_message, "overview": _overview_message, "red_list": _red_message,
             "ranking": _ranking_message, "districts": _district_message, "due_soon": _due_message,
             "decisions": _decision_message}
