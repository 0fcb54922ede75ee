"""The 通报 as a 公文 (.docx): drafted from the data of one period, the fixed wording from a file the office edits.

Every number in the text is one of `bulletin_figures`, taken from the status engine (the meeting payload of the
period: counts by status, the red list) and the scoreboard (scores, grades, ranks, deductions); tests convert the
document to PDF and find each of them in it. Sections: 总体情况, 进展较好, 存在问题, 下一步要求; 附件 1 排名,
2 红色清单, 3 扣分明细.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.official_doc import OfficialDoc
from core.periods import period_from_code
from core.plans import current_plan, plan_file
from core.ranking import head_with_ties, rank_texts, records
from core.scoring import COMPONENTS, Scoreboard, most_improved, red_list
from core.status import RED_LABELS, TARGET_KINDS, TASK_KINDS

DEMO_NOTICE = "（本通报含演示数据，并非真实报送，仅供演示）"
TOP_SHOWN = 3  # 进展较好: the first three places, ties whole
PROBLEM_STATUSES = ("未完成", "逾期", "滞后", "未报送")
STATUS_FILLS = {"未完成": "F4B6B6", "逾期": "F4B6B6", "滞后": "FFC7CE", "未报送": "E7E6E6"}
CN_NUMBERS = "一二三四五六七八九十"


@dataclass(frozen=True)
class BulletinTemplate:
    title: str
    addressee: str
    opening: str
    next_steps: tuple[str, ...]
    closing: str
    issuer: str


def template_file() -> Path:
    """The current plan's bulletin_template.toml (the 2018–2020 plan's when a plan has none)."""
    return plan_file("bulletin_template.toml")


def load_template(path: Path | None = None) -> BulletinTemplate:
    raw = tomllib.loads(Path(path or template_file()).read_text(encoding="utf-8"))
    return BulletinTemplate(raw["title"], raw["addressee"], raw["opening"], tuple(raw["next_steps"]),
                            raw.get("closing", "特此通报。"), raw["issuer"])


def _n(x: float) -> str:
    return f"{x:.1f}"


def bulletin_figures(board: Scoreboard, payload: dict, department: str | None = None,
                     reminders: dict[str, int] | None = None) -> dict[str, str]:
    """Every figure the text states, as written, keyed by what it is: "指标滞后", or "单位:what" for a figure
    written right after the unit's name, "市市场监管局:逾期" (for the text and for the tests)."""
    o = payload["overview"]
    f: dict[str, str] = {"指标总数": str(o["target_total"]), "任务总数": str(o["task_total"])}
    for c in o["targets"]:
        f[f"指标{c['status']}"] = str(c["count"])
    for c in o["tasks"]:
        f[f"任务{c['status']}"] = str(c["count"])
    f["红灯事项"] = str(len(payload["red_list"]))
    t = board.ranking
    f["参与排名部门"] = str(len(t))
    if len(t):
        f["平均分"] = _n(float(t["score"].mean()))
        for g in "ABCD":
            f[f"{g}级"] = str(int((t["grade"] == g).sum()))
        top = head_with_ties(records(t), TOP_SHOWN)
        for r in top:
            f[f"{r['name']}:得分"] = _n(float(r["score"]))
        for name in most_improved(t):
            f[f"{name}:进步"] = _n(float(t.loc[t["name"] == name, "change"].iloc[0]))
    problems = problem_counts(board, department)
    for dept, counts in problems.items():
        for status, n in counts.items():
            if status != "未报送":  # a missing report is named, not counted
                f[f"{dept}:{status}"] = str(n)
    f["未报送单位"] = str(sum("未报送" in c for c in problems.values()))
    for dept, n in _reminders(reminders, department).items():
        f[f"{dept}:催办"] = str(n)
    return f


def _reminders(reminders: dict[str, int] | None, department: str | None) -> dict[str, int]:
    """催办 counts per department (from the supervision loop), most first; only those above zero."""
    rows = {d: int(n) for d, n in (reminders or {}).items() if int(n) > 0 and (not department or d == department)}
    return dict(sorted(rows.items(), key=lambda x: -x[1]))


def problem_counts(board: Scoreboard, department: str | None = None) -> dict[str, dict[str, int]]:
    """Per department with a problem, its red items and missing report by status, worst-scored first."""
    red = red_list(board)
    if department:
        red = red[red["department"] == department]
    out: dict[str, dict[str, int]] = {}
    for dept, status in red[["department", "status"]].itertuples(index=False):
        key = "未报送" if str(status).startswith("未报送") else status
        if key in PROBLEM_STATUSES:
            out.setdefault(dept, {}).setdefault(key, 0)
            out[dept][key] += 1
    return {d: {s: c[s] for s in PROBLEM_STATUSES if s in c} for d, c in out.items()}


def bulletin_docx(board: Scoreboard, payload: dict, generated_on: date, demo: bool = False,
                  department: str | None = None, template: BulletinTemplate | None = None,
                  reminders: dict[str, int] | None = None) -> bytes:
    """The 通报 of `board.period`; `department`: addressed to that department, its problems and deductions only;
    `reminders`: 催办 sent this period per department (the supervision loop's counts), named under 存在问题."""
    tpl = template or load_template()
    p = period_from_code(board.period)
    fill = {"period_label": p.label, "period": p.code, "plan_name": current_plan().name}
    fig = bulletin_figures(board, payload, department, reminders)
    doc = OfficialDoc(tpl.title.format(**fill))
    doc.title(tpl.title.format(**fill))
    if demo:
        doc.notice(DEMO_NOTICE)
    doc.addressee(department or tpl.addressee)
    doc.para(tpl.opening.format(**fill))
    sections = [("总体情况", _overall(fig, payload, board)), ("进展较好", _good(fig, board)),
                ("存在问题", _problems(fig, board, department, reminders))]
    for i, (head, paras) in enumerate(sections):
        doc.heading(f"{CN_NUMBERS[i]}、{head}")
        for text in paras:
            doc.para(text)
    doc.heading(f"{CN_NUMBERS[len(sections)]}、下一步要求")
    for i, text in enumerate(tpl.next_steps):
        doc.para(f"（{CN_NUMBERS[i]}）{text.format(**fill)}")
    doc.para(tpl.closing)
    names = ["部门得分排名", "红色清单（滞后、未完成、逾期事项）", "扣分明细"]
    doc.attachments_list(names)
    doc.signature(tpl.issuer, f"{generated_on.year}年{generated_on.month}月{generated_on.day}日")
    _ranking_annex(doc, 1, names[0], board)
    _red_annex(doc, 2, names[1], payload, department)
    _deduction_annex(doc, 3, names[2], board, department)
    return doc.bytes()


# --- 正文 ----------------------------------------------------------------------------------------


def _counts(fig: dict[str, str], kinds, prefix: str, unit: str) -> str:
    return "、".join(f"{k.label}{fig[prefix + k.label]}{unit}" for k in kinds if fig.get(prefix + k.label, "0") != "0")


def _overall(fig: dict[str, str], payload: dict, board: Scoreboard) -> list[str]:
    out = [f"截至{payload['period_label']}，方案{fig['指标总数']}个目标指标中，"
           f"{_counts(fig, TARGET_KINDS, '指标', '个')}；附件{fig['任务总数']}项工作任务中，"
           f"{_counts(fig, TASK_KINDS, '任务', '项')}。亮红灯（{'、'.join(sorted(RED_LABELS))}）的指标和任务共"
           f"{fig['红灯事项']}项，详见附件2。"]
    if "平均分" in fig:
        out.append(f"按部门记分卡评分规则，本期{fig['参与排名部门']}个部门参与排名，平均得分{fig['平均分']}分；"
                   f"其中A级{fig['A级']}个、B级{fig['B级']}个、C级{fig['C级']}个、D级{fig['D级']}个，详见附件1。")
    return out


def _good(fig: dict[str, str], board: Scoreboard) -> list[str]:
    t = board.ranking
    if not len(t):
        return ["本期尚无可评分的部门。"]
    top = head_with_ties(records(t), TOP_SHOWN)
    texts = rank_texts([r["rank"] for r in records(t)])
    by_name = dict(zip(t["name"], texts))
    parts = [f"{r['name']}（{fig[r['name'] + ':得分']}分，{by_name[r['name']]}）" for r in top]
    out = [f"得分居前的单位：{'；'.join(parts)}。"]
    improved = most_improved(t)
    if improved:
        out.append("较上期进步最大的单位：" + "、".join(f"{n}（提高{fig[n + ':进步']}分）" for n in improved)
                   + f"（对比期：{board.previous_period}）。")
    else:
        out.append("本期没有得分较上期上升的单位。")
    return out


def _problems(fig: dict[str, str], board: Scoreboard, department: str | None,
              reminders: dict[str, int] | None = None) -> list[str]:
    counts = problem_counts(board, department)
    chased = _reminders(reminders, department)
    if not counts and not chased:
        return ["本期没有滞后、未完成、逾期或未报送的事项。"]
    out = []
    for status in PROBLEM_STATUSES:
        named = sorted(((d, c[status]) for d, c in counts.items() if status in c), key=lambda x: -x[1])
        if not named:
            continue
        if status == "未报送":
            out.append(f"未按时报送本期进展的单位（{fig['未报送单位']}个）：{'、'.join(d for d, _ in named)}。")
            continue
        body = "、".join(f"{d}（{fig[d + ':' + status]}项）" for d, _ in named)
        out.append(f"有{status}事项的单位：{body}。")
    if chased:
        out.append("本期被催办的单位：" + "、".join(f"{d}（催办{fig[d + ':催办']}次）" for d in chased) + "。")
    out.append("各单位滞后、未完成和逾期事项的具体情况见附件2，扣分情况见附件3。")
    return out


# --- 附件 ----------------------------------------------------------------------------------------


def _ranking_annex(doc: OfficialDoc, n: int, title: str, board: Scoreboard) -> None:
    doc.attachment(n, title)
    t = board.ranking
    rows = [[text, r["name"], _n(float(r["score"])), r["grade"],
             "—" if r["change"] is None or r["change"] != r["change"] else f"{float(r['change']):+.1f}",
             r["timeliness"]]
            for text, r in zip(rank_texts(t["rank"].tolist()), records(t))]
    doc.table(["名次", "部门", "得分", "等级", "较上期", "报送情况"], rows, [42, 46, 16, 12, 16, 24])


def _red_annex(doc: OfficialDoc, n: int, title: str, payload: dict, department: str | None) -> None:
    doc.attachment(n, title)
    red = [r for r in payload["red_list"] if not department or r["department"] == department]
    rows = [[i, f"{r['id']} {r['name']}", r["department"], r["status"], r["explanation"]]
            for i, r in enumerate(red, 1)]
    doc.table(["序号", "事项", "牵头部门", "状态", "说明"], rows, [12, 48, 30, 14, 52],
              fills=[STATUS_FILLS.get(r["status"]) for r in red], fill_column=3)


def _deduction_annex(doc: OfficialDoc, n: int, title: str, board: Scoreboard, department: str | None) -> None:
    doc.attachment(n, title)
    by_name = {s.department: s for s in board.scores}
    rows = []
    for name in board.ranking["name"]:
        if department and name != department:
            continue
        s = by_name[name]
        for d in s.deductions:
            rows.append([name, COMPONENTS[d.component], d.item, d.status, f"{d.points:.1f}"])
        if not s.deductions:
            rows.append([name, "", "无扣分", "", "0.0"])
    doc.table(["部门", "考核项", "扣分事项", "状态", "扣分"], rows, [32, 28, 58, 22, 16])
