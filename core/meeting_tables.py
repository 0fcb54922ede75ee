"""The tables behind the meeting's slides, with Chinese column names: one source for the screen, the print
version, the Excel summary and the deck."""
from __future__ import annotations

import pandas as pd

from core.ranking import rank_texts


def slide_table(key: str, payload: dict) -> pd.DataFrame | None:
    """The table a slide shows, with Chinese column names; None for chart slides."""
    if key == "red_list":
        return pd.DataFrame([{"类别": r["kind"], "编号": r["id"], "名称": r["name"], "牵头部门": r["department"],
                              "状态": r["status"], "说明": r["explanation"]} for r in payload["red_list"]],
                            columns=["类别", "编号", "名称", "牵头部门", "状态", "说明"])
    if key == "due_soon":
        return pd.DataFrame([{"任务": f"{r['id']}. {r['title']}", "牵头部门": r["lead_department"],
                              "完成": "—" if r["percent"] is None else f"{r['percent']:.0f}%", "状态": r["status"],
                              "说明": r["explanation"]} for r in payload["due_soon"]["rows"]],
                            columns=["任务", "牵头部门", "完成", "状态", "说明"])
    if key == "decisions":
        return pd.DataFrame([{"会议": r["meeting"], "任务": f"{r['task_id']}. {r['task_title']}", "类型": r["kind"],
                              "内容": r["text"], "决定人": r["decided_by"], "日期": r["decided_at"],
                              "任务现状": r["task_status"]} for r in payload["decisions"]],
                            columns=["会议", "任务", "类型", "内容", "决定人", "日期", "任务现状"])
    if key == "changes":
        return changes_table(payload["changes"])
    return None


def changes_table(changes: dict) -> pd.DataFrame:
    """One row per change: colour changes of targets and tasks, ranking moves, red items opened or closed."""
    rows = [{"类别": "指标", "对象": f"{c['id']} {c['name']}", "变化": f"{c['before']} → {c['after']}",
             "判断": c["direction"]} for c in changes["targets"]]
    rows += [{"类别": "任务", "对象": f"{c['id']}. {c['name']}", "变化": f"{c['before']} → {c['after']}",
              "判断": c["direction"]} for c in changes["tasks"]]
    for m in changes["ranking"]:
        if m["move"] is None:
            text = f"新进入排名，第 {m['rank_after']} 名"
        elif m["move"]:
            text = (f"第 {m['rank_before']} 名 → 第 {m['rank_after']} 名"
                    f"（{m['score_before']:g} → {m['score_after']:g} 分）")
        else:
            continue
        rows.append({"类别": "部门排名", "对象": m["name"], "变化": text,
                     "判断": "上升" if (m["move"] or 0) > 0 else "下降" if (m["move"] or 0) < 0 else "新增"})
    rows += [{"类别": "新增红灯", "对象": f"{r['id']} {r['name']}", "变化": r["status"], "判断": "变差"}
             for r in changes["new_red"]]
    rows += [{"类别": "消除红灯", "对象": f"{r['id']} {r['name']}", "变化": f"原为{r['status']}", "判断": "好转"}
             for r in changes["closed_red"]]
    return pd.DataFrame(rows, columns=["类别", "对象", "变化", "判断"])


def ranking_table(payload: dict) -> pd.DataFrame:
    """Every ranked department; a shared rank is said whole in 并列 (并列第22名，8个部门)."""
    rows = payload["ranking"]
    ties = [t if t.startswith("并列") else "" for t in rank_texts([r["rank"] for r in rows])]
    return pd.DataFrame([{"名次": r["rank"], "并列": tie, "部门": r["name"], "得分": r["score"], "等级": r["grade"],
                          "较上期": "—" if r["change"] is None else f"{r['change']:+g}", "主要失分": r["main_loss"]}
                         for r, tie in zip(rows, ties)],
                        columns=["名次", "并列", "部门", "得分", "等级", "较上期", "主要失分"])


def district_table(payload: dict) -> pd.DataFrame:
    return pd.DataFrame([{"区县": r["district"], "正常及达标": r["value_text"], "分档": r["class_label"],
                          "说明": r["explanation"]} for r in payload["districts"]["rows"]],
                        columns=["区县", "正常及达标", "分档", "说明"])
