"""The meeting taken away: a PPTX deck, a print-ready HTML and an Excel summary, all from one payload.

Charts are rendered on the server (Altair → vl_convert PNG) with the Noto CJK fonts of the
server, so the deck shows Chinese on any PC and needs nothing from outside the intranet.
"""
from __future__ import annotations

import base64
import html
import io
import json
from functools import lru_cache

import pandas as pd
import vl_convert as vlc
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

# The 区县地图's PNG renderer: pure (no streamlit), though it lives in components/.
from components.map_image import map_png, register_cjk_fonts
from core.district_geo import load_geojson
from core.district_views import Choropleth, LegendEntry
from core.meeting import SLIDE_TITLES, Slide, slides, title_text
from core.meeting_charts import CHARTS, FONT, slide_figure
from core.spreadsheet_safety import neutralise_workbook

# Slide text is drawn by the viewer's PowerPoint: YaHei is on every office PC, Noto on the server.
SLIDE_FONT = "Microsoft YaHei"
TABLE_ROWS = 12  # rows a projected table can hold at a readable size; the rest go to print and Excel
PNG_SCALE = 1.5


class FontMissing(RuntimeError):
    """The server has no CJK font for charts (install fonts-noto-cjk)."""


def _register_fonts() -> None:
    if not register_cjk_fonts():
        raise FontMissing("服务器缺少中文字体 Noto Sans CJK（请安装 fonts-noto-cjk），无法生成图表图片")


def chart_png(key: str, payload: dict) -> bytes:
    """One slide's chart as PNG, Chinese drawn with Noto Sans CJK SC."""
    return _png(key, json.dumps(payload, ensure_ascii=False, sort_keys=True))


@lru_cache(maxsize=24)
def _png(key: str, payload_json: str) -> bytes:
    # Keyed by the payload's text: a frozen meeting renders once, however often it is downloaded.
    _register_fonts()
    payload = json.loads(payload_json)
    if key == "districts":
        return map_png(load_geojson(), district_choropleth(payload), demo=payload.get("is_demo", False),
                       scale=PNG_SCALE)
    return vlc.vegalite_to_png(slide_figure(key, payload, FONT).to_dict(), scale=PNG_SCALE)


def district_choropleth(payload: dict) -> Choropleth:
    """The frozen district rows as the map module's Choropleth, so the slide's map is the 区县地图's own PNG."""
    d = payload["districts"]
    return Choropleth("on_track", d["title"], payload["period"], pd.DataFrame(d["rows"]),
                      tuple(LegendEntry(e["label"], e["color"]) for e in d["legend"]))


# --- Tables shared by every format ---------------------------------------------------------------


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
            text = f"第 {m['rank_before']} 名 → 第 {m['rank_after']} 名（{m['score_before']:g} → {m['score_after']:g} 分）"
        else:
            continue
        rows.append({"类别": "部门排名", "对象": m["name"], "变化": text,
                     "判断": "上升" if (m["move"] or 0) > 0 else "下降" if (m["move"] or 0) < 0 else "新增"})
    rows += [{"类别": "新增红灯", "对象": f"{r['id']} {r['name']}", "变化": r["status"], "判断": "变差"}
             for r in changes["new_red"]]
    rows += [{"类别": "消除红灯", "对象": f"{r['id']} {r['name']}", "变化": f"原为{r['status']}", "判断": "好转"}
             for r in changes["closed_red"]]
    return pd.DataFrame(rows, columns=["类别", "对象", "变化", "判断"])


# --- PPTX ----------------------------------------------------------------------------------------

_WIDE, _HIGH = Inches(13.333), Inches(7.5)
_DARK = RGBColor(0x1F, 0x23, 0x28)


def _font(run, size: int, bold: bool = False, color: RGBColor = _DARK) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, SLIDE_FONT
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.append(ea)
    ea.set("typeface", SLIDE_FONT)  # the East Asian font is what draws the Chinese characters


def _text(slide, text: str, left, top, width, height, size: int, bold: bool = False,
          color: RGBColor = _DARK) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    _font(run, size, bold, color)


def _title_slide(prs: Presentation, payload: dict) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = title_text(payload)
    s.shapes.title.text = title
    _font(s.shapes.title.text_frame.paragraphs[0].runs[0], 40, bold=True)
    s.placeholders[1].text = subtitle
    _font(s.placeholders[1].text_frame.paragraphs[0].runs[0], 20)


def _content_slide(prs: Presentation, slide: Slide, payload: dict) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[5])  # 仅标题
    s.shapes.title.text = slide.title
    _font(s.shapes.title.text_frame.paragraphs[0].runs[0], 34, bold=True)
    s.shapes.title.top, s.shapes.title.height = Inches(0.3), Inches(0.9)
    _text(s, slide.message, Inches(0.6), Inches(1.2), Inches(12.1), Inches(0.8), 20, color=RGBColor(0x09, 0x69, 0xDA))
    if payload.get("is_demo"):
        _text(s, "演示数据", Inches(11.4), Inches(0.1), Inches(1.8), Inches(0.4), 14, True, RGBColor(0xBC, 0x4C, 0x00))
    if slide.key in CHARTS:
        _picture(s, chart_png(slide.key, payload))
    else:
        _table(s, slide_table(slide.key, payload))


def _picture(s, png: bytes) -> None:
    top, box_w, box_h = Inches(2.0), Inches(12.3), Inches(5.3)
    pic = s.shapes.add_picture(io.BytesIO(png), Inches(0.5), top)
    ratio = min(box_w / pic.width, box_h / pic.height)
    pic.width, pic.height = int(pic.width * ratio), int(pic.height * ratio)
    pic.left = Emu(int((_WIDE - pic.width) / 2))


def _table(s, df: pd.DataFrame) -> None:
    shown = df.head(TABLE_ROWS)
    if shown.empty:
        _text(s, "（无）", Inches(0.6), Inches(2.2), Inches(6), Inches(0.6), 20)
        return
    wide = {"说明": 4.0, "内容": 3.6, "名称": 3.0, "任务": 3.2, "对象": 4.2, "变化": 4.0}
    widths = [wide.get(c, 1.4) for c in shown.columns]
    scale = 12.3 / sum(widths)
    shape = s.shapes.add_table(len(shown) + 1, len(shown.columns), Inches(0.5), Inches(2.0), Inches(12.3),
                               Inches(0.38 * (len(shown) + 1)))
    table = shape.table
    for j, (col, w) in enumerate(zip(shown.columns, widths)):
        table.columns[j].width = Inches(w * scale)
        _cell(table.cell(0, j), col, 14, True)
    for i, row in enumerate(shown.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell(table.cell(i, j), "" if value is None else str(value), 12)
    if len(df) > TABLE_ROWS:
        _text(s, f"另有 {len(df) - TABLE_ROWS} 项未列出，见打印版和 Excel 汇总", Inches(0.6), Inches(7.0),
              Inches(10), Inches(0.4), 14)


def _cell(cell, text: str, size: int, bold: bool = False) -> None:
    cell.text = text
    for p in cell.text_frame.paragraphs:
        for r in p.runs:
            _font(r, size, bold, RGBColor(0xFF, 0xFF, 0xFF) if bold else _DARK)


def deck_pptx(payload: dict) -> bytes:
    """Title slide, then one slide per message (the changes slide first when there was an earlier meeting)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = _WIDE, _HIGH
    _title_slide(prs, payload)
    for slide in slides(payload):
        _content_slide(prs, slide, payload)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


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
            body += _html_table(_ranking_table(payload))
        if slide.key == "districts":
            body += _html_table(_district_table(payload))
        parts.append(f"<section><h2>{html.escape(slide.title)}</h2><p class='msg'>{html.escape(slide.message)}</p>"
                     f"{body}</section>")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>")


def _html_table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return "<p>（无）</p>"
    return df.to_html(index=False, escape=True, border=0, na_rep="—")


def _ranking_table(payload: dict) -> pd.DataFrame:
    return pd.DataFrame([{"名次": r["rank"], "部门": r["name"], "得分": r["score"], "等级": r["grade"],
                          "较上期": "—" if r["change"] is None else f"{r['change']:+g}", "主要失分": r["main_loss"]}
                         for r in payload["ranking"]], columns=["名次", "部门", "得分", "等级", "较上期", "主要失分"])


def _district_table(payload: dict) -> pd.DataFrame:
    return pd.DataFrame([{"区县": r["district"], "正常及达标": r["value_text"], "分档": r["class_label"],
                          "说明": r["explanation"]} for r in payload["districts"]["rows"]],
                        columns=["区县", "正常及达标", "分档", "说明"])


# --- Excel summary -------------------------------------------------------------------------------


def summary_frames(payload: dict) -> dict[str, pd.DataFrame]:
    """Sheet name → table: the messages first, then every table behind the slides, in full."""
    title, subtitle = title_text(payload)
    info = [{"项目": "会议", "内容": title}, {"项目": "说明", "内容": subtitle}]
    info += [{"项目": s.title, "内容": s.message} for s in slides(payload)]
    targets = pd.DataFrame([{"编号": t["id"], "指标": t["name"], "类别": t["category"], "牵头部门": t["lead_department"],
                             "目标": t["target_text"], "实际": t["value_text"], "状态": t["status"],
                             "说明": t["explanation"]} for t in payload["targets"]])
    tasks = pd.DataFrame([{"任务": t["id"], "名称": t["title"], "牵头部门": t["lead_department"],
                           "完成%": t["percent"], "状态": t["status"], "说明": t["explanation"]} for t in payload["tasks"]])
    frames = {"概况": pd.DataFrame(info), "指标状态": targets, "任务状态": tasks,
              SLIDE_TITLES["red_list"]: slide_table("red_list", payload),
              SLIDE_TITLES["ranking"]: _ranking_table(payload), SLIDE_TITLES["districts"]: _district_table(payload),
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
