"""Every exported document opened by a real office suite: LibreOffice converts it to PDF, then we read the PDF.

Decks, 通报 (.docx and .xlsx), 督办单 and the meeting workbook of 2019Q2 and 2020Q4 demo data are built through
`manage.py export` and the page builders, converted in ONE soffice run per test session (a private profile),
and checked: the conversion succeeds; every slide shape lies inside the slide with a real size; the PDF has one
page per slide and no text below the footer line or off the page (a table that ran over would); the 通报 PDF
states every figure of the report; Chinese glyphs come from a CJK font. CI installs LibreOffice (.ci/run);
without soffice locally these tests skip, saying so.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pptx import Presentation
from pptx.util import Emu

from core import deck_layout as L

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler-utils are not installed here; CI installs them (.ci/run)")
PERIODS = ("2019Q2", "2020Q4")
CJK_FONT = re.compile(r"CJK|Han|Song|Hei|Kai|Fang|Ming|YaHei|WenQuanYi|Droid", re.I)
NOTICES = [
    {"number": "督办〔2020〕7号", "department": "市市场监管局", "item": "T23 规上工业企业质量管理体系认证率",
     "requirement": "对照序时进度补齐差距，报送整改方案", "due": "2021年1月31日", "colour": "红"},
    {"number": "催办〔2020〕3号", "department": "市工业和信息化局", "item": "任务2 质量基础设施建设",
     "requirement": "本周内报送进展", "due": "2021年1月15日", "colour": "黄"},
]


@pytest.fixture(scope="session")
def office(demo_db_path, tmp_path_factory) -> dict:
    """Build every document once, convert them all to PDF in one soffice run; {name: (source, pdf)}."""
    import manage
    from core.bulletin import build_bulletin
    from core.bulletin_docx import bulletin_figures
    from core.meeting_export import summary_xlsx
    from core.notice_docx import notices_docx
    from db.document_reads import bulletin_inputs, period_payload
    from tests.conftest import _point_at

    _point_at(demo_db_path)
    out = tmp_path_factory.mktemp("office")
    docs, facts = {}, {}
    for p in PERIODS:
        for kind, suffix in (("deck", ".pptx"), ("bulletin", ".docx")):
            path = out / f"{kind}-{p}{suffix}"
            assert manage.main(["export", kind, "--period", p, "-o", str(path)]) == 0
            docs[f"{kind}-{p}"] = path
        board, payload, demo = bulletin_inputs(p)
        facts[p] = {"figures": bulletin_figures(board, payload), "board": board, "payload": payload, "demo": demo}
        # Every file has its own stem: soffice names the PDF after it.
        (out / f"bulletin-xlsx-{p}.xlsx").write_bytes(build_bulletin(board, date(2021, 1, 20), demo))
        docs[f"bulletin-xlsx-{p}"] = out / f"bulletin-xlsx-{p}.xlsx"
        (out / f"meeting-xlsx-{p}.xlsx").write_bytes(summary_xlsx(period_payload(p)))
        docs[f"meeting-xlsx-{p}"] = out / f"meeting-xlsx-{p}.xlsx"
    (out / "notices.docx").write_bytes(notices_docx(NOTICES, "督办单", date(2021, 1, 5), demo=True))
    docs["notices"] = out / "notices.docx"
    # The supervision loop's own documents, through manage.py export as the office runs it (2020Q4 demo).
    for kind in ("notices", "reminders"):
        path = out / f"export-{kind}-2020Q4.docx"
        assert manage.main(["export", kind, "--period", "2020Q4", "-o", str(path)]) == 0
        docs[f"export-{kind}"] = path
    facts["export"] = {"notices": _open_notices("2020Q4"), "reminders": _debtors("2020Q4")}
    from services import assessment

    annual = assessment.annual_view(2020)
    (out / "annual-2020.docx").write_bytes(assessment.annual_document(annual))
    docs["annual-2020"], facts["annual"] = out / "annual-2020.docx", annual
    profile = tmp_path_factory.mktemp("lo-profile")
    run = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                          "--outdir", str(out / "pdf"), *map(str, docs.values())],
                         capture_output=True, text=True, timeout=600)
    assert len({v.stem for v in docs.values()}) == len(docs)
    return {"docs": {k: (v, out / "pdf" / (v.stem + ".pdf")) for k, v in docs.items()}, "facts": facts,
            "log": run.stdout + run.stderr}


def _open_notices(period: str) -> list[dict]:
    from services import supervision as sup

    df = sup.list_notices(period=period)
    return df[df["state"] != "已销号"][["number", "department"]].to_dict("records")


def _debtors(period: str) -> list[dict]:
    from services import supervision as sup

    return sup.reminder_notice_rows(period)


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def pdf_words(pdf: Path) -> list[tuple[int, float, float, list[tuple[str, float, float, float, float]]]]:
    """Per page: (number, width, height, words with their boxes) from pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    html = re.sub(r"<!DOCTYPE[^>]*>", "", html)
    root = ElementTree.fromstring(html.replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))
    pages = []
    for i, page in enumerate(root.iter("page"), 1):
        words = [(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
                 for w in page.iter("word")]
        pages.append((i, float(page.get("width")), float(page.get("height")), words))
    return pages


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", [f"{k}-{p}" for p in PERIODS for k in ("deck", "bulletin", "bulletin-xlsx",
                                                                         "meeting-xlsx")]
                         + ["notices", "export-notices", "export-reminders", "annual-2020"])
def test_libreoffice_converts_the_document(office, name):
    source, pdf = office["docs"][name]
    assert pdf.exists(), f"LibreOffice did not convert {source.name}: {office['log'][-2000:]}"
    assert pdf_pages(pdf) >= 1
    fonts = pdf_fonts(pdf)
    assert CJK_FONT.search(fonts), f"no CJK font in {pdf.name}:\n{fonts}"
    assert re.search(r"[\u4e00-\u9fff]{4}", pdf_text(pdf)), "the PDF text has no Chinese"


@pytest.mark.parametrize("period", PERIODS)
def test_deck_shapes_inside_16_9_slides_and_one_pdf_page_per_slide(office, period):
    source, pdf = office["docs"][f"deck-{period}"]
    prs = Presentation(str(source))
    assert (prs.slide_width, prs.slide_height) == (L.WIDE, L.HIGH)
    for n, slide in enumerate(prs.slides, 1):
        assert not slide.placeholders, f"slide {n} keeps template placeholders"
        for sh in slide.shapes:
            where = f"slide {n} shape {sh.name}"
            assert sh.width > Emu(0) and sh.height > Emu(0), where
            assert sh.left >= 0 and sh.top >= 0, where
            assert sh.left + sh.width <= prs.slide_width and sh.top + sh.height <= prs.slide_height, where
            if sh.name != "页脚" and sh.name != "页码":
                assert sh.top + sh.height <= L.FOOTER_TOP, f"{where} runs into the footer"
            if sh.name == "标题" and n > 1:
                assert sh.width == L.CONTENT_W, where  # titles run the full width
            if sh.has_table:
                assert sh.height == sum(r.height for r in sh.table.rows), where
    assert pdf_pages(pdf) == len(prs.slides)


@pytest.mark.parametrize("period", PERIODS)
def test_deck_type_sizes_readable_from_the_back(office, period):
    prs = Presentation(str(office["docs"][f"deck-{period}"][0]))
    for n, slide in enumerate(prs.slides, 1):
        for sh in slide.shapes:
            frames = ([c.text_frame for row in sh.table.rows for c in row.cells] if sh.has_table
                      else [sh.text_frame] if sh.has_text_frame else [])
            least = 28 if sh.name == "标题" else 14 if sh.name in ("页脚", "页码") else 18
            for tf in frames:
                for p in tf.paragraphs:
                    for r in p.runs:
                        assert r.font.size is not None and r.font.size.pt >= least, f"slide {n} {sh.name}: {r.text}"


@pytest.mark.parametrize("period", PERIODS)
def test_deck_text_stays_on_the_page_and_above_the_footer(office, period):
    """Rendered by LibreOffice: a table or text box that ran over would put words below the footer line or
    off the page. Only the footer's own words are below it."""
    source, pdf = office["docs"][f"deck-{period}"]
    prs = Presentation(str(source))
    footer_y = L.FOOTER_TOP / 12700  # EMU → pt
    for (n, width, height, words), slide in zip(pdf_words(pdf), prs.slides):
        footer = squeeze("".join(sh.text_frame.text for sh in slide.shapes if sh.name in ("页脚", "页码")))
        for text, x0, y0, x1, y1 in words:
            assert 0 <= x0 and x1 <= width + 0.5 and 0 <= y0 and y1 <= height + 0.5, f"page {n}: {text} off the page"
            if y0 >= footer_y - 1:
                assert squeeze(text) in footer, f"page {n}: “{text}” below the footer line"


def test_deck_2020q4_red_list_starts_with_failed_targets_and_continues(office):
    prs = Presentation(str(office["docs"]["deck-2020Q4"][0]))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.name == "标题") for s in prs.slides]
    red = [i for i, t in enumerate(titles) if t.startswith("红色清单")]
    assert len(red) > 1 and all("（续）" in titles[i] for i in red[1:])
    first = next(sh for sh in prs.slides[red[0]].shapes if sh.has_table).table
    assert [first.cell(i, 2).text for i in range(1, len(first.rows))] == ["未完成"] * (len(first.rows) - 1)
    assert first.cell(1, 0).text.startswith("T")
    listed = sum(len(next(sh for sh in prs.slides[i].shapes if sh.has_table).table.rows) - 1 for i in red)
    assert listed == len(office["facts"]["2020Q4"]["payload"]["red_list"])  # every row on some slide, none cut


def test_deck_2020q4_names_its_ties(office):
    prs = Presentation(str(office["docs"]["deck-2020Q4"][0]))
    text = " ".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    assert "并列第1名，4个部门" in text and "并列第36名，3个部门" in text
    assert "data/plans/2018-2020" not in text and "橙色圆点" not in text


@pytest.mark.parametrize("period", PERIODS)
def test_bulletin_pdf_states_every_figure_of_the_period(office, period):
    source, pdf = office["docs"][f"bulletin-{period}"]
    facts = office["facts"][period]
    text = squeeze(pdf_text(pdf))
    for key, value in facts["figures"].items():
        if ":" in key:  # per-unit figures are written next to the unit's name, counts in their status's sentence
            unit, what = key.split(":")
            where = text
            if what == "催办":
                where = re.search("本期被催办的单位：([^。]*)。", text).group(1)
            elif what not in ("得分", "进步"):
                where = re.search(f"有{what}事项的单位：([^。]*)。", text).group(1)
            assert re.search(re.escape(unit) + r"（[^）]{0,4}?" + re.escape(value), where), f"{key}={value} not in 通报"
        else:
            assert value in text, f"{key} = {value} not in the 通报"
    # The figures are the engine's and the scoreboard's own.
    f, board, payload = facts["figures"], facts["board"], facts["payload"]
    assert f["指标总数"] == str(len(payload["targets"])) == "52" and f["任务总数"] == "30"
    assert sum(int(f[f"指标{c['status']}"]) for c in payload["overview"]["targets"]) == 52
    assert f["平均分"] == f"{board.ranking['score'].mean():.1f}" and f["参与排名部门"] == str(len(board.ranking))
    assert "演示数据" in text and pdf_pages(pdf) >= 2
    assert "—1—" in text  # page numbers in the footer


def test_bulletin_docx_names_fonts_and_embeds_none(office):
    source, _ = office["docs"]["bulletin-2020Q4"]
    with zipfile.ZipFile(source) as z:
        names = z.namelist()
        settings = z.read("word/settings.xml").decode()
        document = z.read("word/document.xml").decode()
    assert not any(n.startswith("word/fonts/") for n in names) and "embedTrueTypeFonts" not in settings
    assert 'w:eastAsia="仿宋_GB2312"' in document and 'w:eastAsia="黑体"' in document
    from docx import Document

    sec = Document(io.BytesIO(source.read_bytes())).sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)


def test_notices_pdf_one_page_each_with_signoff(office):
    _, pdf = office["docs"]["notices"]
    text = squeeze(pdf_text(pdf))
    assert pdf_pages(pdf) == len(NOTICES)
    for n in NOTICES:
        assert squeeze(n["number"]) in text and n["department"] in text
    assert text.count("签收人") == len(NOTICES) and "红色督办" in text and "黄色督办" in text


@pytest.mark.parametrize("period", PERIODS)
def test_workbooks_render_their_rankings(office, period):
    board = office["facts"][period]["board"]
    for name in (f"bulletin-xlsx-{period}", f"meeting-xlsx-{period}"):
        text = squeeze(pdf_text(office["docs"][name][1]))
        assert board.ranking["name"].iloc[0] in text and board.ranking["name"].iloc[-1] in text, name


@pytest.mark.parametrize("kind", ["notices", "reminders"])
def test_exported_notices_one_page_each_with_signoff(office, kind):
    """manage.py export notices / reminders: each 督办单 or 催办通知 on its own page, its number and unit shown."""
    _, pdf = office["docs"][f"export-{kind}"]
    rows = office["facts"]["export"][kind]
    text = squeeze(pdf_text(pdf))
    assert rows and pdf_pages(pdf) == len(rows)
    assert text.count("签收人") == len(rows) and "演示数据" in text
    for r in rows:
        assert r["department"] in text
        if kind == "notices":
            assert squeeze(r["number"]) in text


def test_annual_docx_pdf_lists_every_department_with_its_place(office):
    _, pdf = office["docs"]["annual-2020"]
    text = squeeze(pdf_text(pdf))
    assert pdf_pages(pdf) >= 3 and "演示数据" in text and "—1—" in text
    for r in office["facts"]["annual"].results:
        assert squeeze(r.department + r.rank_text) in text or (r.department in text and r.rank_text in text), \
            r.department
