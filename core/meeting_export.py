"""The meeting taken away: a PPTX deck, a print-ready HTML and an Excel summary, all from one payload.

The deck is built in core.meeting_deck, the charts drawn in core.meeting_images, the tables in
core.meeting_tables; the names are re-exported here for the pages that download them.
"""
from __future__ import annotations

import base64
import html
import io

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.meeting import SLIDE_TITLES, slides, title_text
from core.meeting_charts import CHARTS
from core.meeting_deck import deck_pptx
from core.meeting_images import FontMissing, chart_png
from core.meeting_tables import changes_table, district_table, ranking_table, slide_table
from core.spreadsheet_safety import neutralise_workbook

__all__ = ["FontMissing", "chart_png", "changes_table", "deck_html", "deck_pptx", "slide_table", "summary_frames",
           "summary_xlsx"]


# --- Print-ready HTML ----------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #1f2328; margin: 0; }
section { page-break-after: always; break-after: page; padding: 8mm 4mm; }
section:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 28pt; margin: 0 0 4mm; } h2 { font-size: 22pt; margin: 0 0 3mm; }
p.msg { font-size: 14pt; color: #0969da; margin: 0 0 5mm; }
p.sub { font-size: 14pt; } .demo { color: #bc4c00; font-weight: bold; }
img { max-width: 100%; max-height: 150mm; display: block; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; font-size: 10.5pt; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } tr { page-break-inside: avoid; }
"""


def deck_html(payload: dict) -> str:
    """Every slide on its own A4 landscape page, charts embedded, tables in full; no external loads."""
    title, subtitle = title_text(payload)
    demo = '<p class="demo">演示数据，并非真实报送</p>' if payload.get("is_demo") else ""
    parts = [f"<section><h1>{html.escape(title)}</h1><p class='sub'>{html.escape(subtitle)}</p>{demo}</section>"]
    for slide in slides(payload):
        body = (f'<img alt="{html.escape(slide.title)}" src="data:image/png;base64,'
                f'{base64.b64encode(chart_png(slide.key, payload)).decode()}">' if slide.key in CHARTS
                else _html_table(slide_table(slide.key, payload)))
        if slide.key == "ranking":
            body += _html_table(ranking_table(payload))
        if slide.key == "districts":
            body += _html_table(district_table(payload))
        parts.append(f"<section><h2>{html.escape(slide.title)}</h2><p class='msg'>{html.escape(slide.message)}</p>"
                     f"{body}</section>")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")


def _html_table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return "<p>（无）</p>"
    return df.to_html(index=False, escape=True, border=0, na_rep="—")


# --- Excel summary -------------------------------------------------------------------------------


def summary_frames(payload: dict) -> dict[str, pd.DataFrame]:
    """Sheet name → table: the messages first, then every table behind the slides, in full."""
    title, subtitle = title_text(payload)
    info = [{"项目": "会议", "内容": title}, {"项目": "说明", "内容": subtitle}]
    info += [{"项目": s.title, "内容": s.message} for s in slides(payload)]
    targets = pd.DataFrame([{"编号": t["id"], "指标": t["name"], "类别": t["category"],
                             "牵头部门": t["lead_department"], "目标": t["target_text"], "实际": t["value_text"],
                             "状态": t["status"],
                             "说明": t["explanation"]} for t in payload["targets"]])
    tasks = pd.DataFrame([{"任务": t["id"], "名称": t["title"], "牵头部门": t["lead_department"],
                           "完成%": t["percent"], "状态": t["status"], "说明": t["explanation"]}
                          for t in payload["tasks"]])
    frames = {"概况": pd.DataFrame(info), "指标状态": targets, "任务状态": tasks,
              SLIDE_TITLES["red_list"]: slide_table("red_list", payload),
              SLIDE_TITLES["ranking"]: ranking_table(payload), SLIDE_TITLES["districts"]: district_table(payload),
              SLIDE_TITLES["due_soon"]: slide_table("due_soon", payload),
              SLIDE_TITLES["decisions"]: slide_table("decisions", payload)}
    if payload.get("changes"):
        frames[SLIDE_TITLES["changes"]] = changes_table(payload["changes"])
    return frames


def summary_xlsx(payload: dict) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        for name, df in summary_frames(payload).items():
            df.to_excel(writer, sheet_name=name, index=False)
            _style_sheet(writer.sheets[name], df)
        neutralise_workbook(writer.book)  # task titles, decisions, snapshot names: never live formulas
    return out.getvalue()


def _style_sheet(ws, df: pd.DataFrame) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F6F8FA")
    for j, col in enumerate(df.columns, start=1):
        longest = max([len(str(col)), *(len(str(v)) for v in df[col].head(200))]) if len(df) else len(str(col))
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest * 1.8))
        if ws.column_dimensions[get_column_letter(j)].width >= 60:
            for cell in ws[get_column_letter(j)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
