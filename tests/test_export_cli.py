"""manage.py export: the page builders behind a command, one entry per kind."""
from __future__ import annotations

import io

from docx import Document
from pptx import Presentation

import manage


def _tables(prs: Presentation, prefix: str):
    for s in prs.slides:
        title = next(sh.text_frame.text for sh in s.shapes if sh.name == "标题")
        if title.startswith(prefix):
            yield from (sh.table for sh in s.shapes if sh.has_table)


def test_export_deck_for_one_department(demo_db, tmp_path, capsys):
    out = tmp_path / "deck.pptx"
    assert manage.main(["export", "deck", "--period", "2020Q4", "--department", "市市场监管局", "-o", str(out)]) == 0
    assert "已生成会议 PPT" in capsys.readouterr().out
    prs = Presentation(str(out))
    depts = {t.cell(i, 1).text for t in _tables(prs, "红色清单") for i in range(1, len(t.rows))}
    assert depts == {"市市场监管局"}
    cover = " ".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "市市场监管局" in cover


def test_export_bulletin_addressed_to_a_department(demo_db, tmp_path):
    out = tmp_path / "b.docx"
    assert manage.main(["export", "bulletin", "--period", "2019Q2", "--department", "市水务局", "-o", str(out)]) == 0
    doc = Document(io.BytesIO(out.read_bytes()))
    paras = [p.text for p in doc.paragraphs]
    assert "市水务局：" in paras and any("2019年第二季度" in p for p in paras)
    deductions = doc.tables[-1]
    assert {r.cells[0].text for r in deductions.rows[1:]} == {"市水务局"}


def test_export_refuses_unknown_period_and_department(demo_db, tmp_path, capsys):
    out = tmp_path / "x.pptx"
    assert manage.main(["export", "deck", "--period", "2031Q1", "-o", str(out)]) == 2
    assert manage.main(["export", "bulletin", "--period", "2020Q4", "--department", "市不存在局", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "不是报告期：2031Q1" in err and "不是方案中的部门：市不存在局" in err and not out.exists()
