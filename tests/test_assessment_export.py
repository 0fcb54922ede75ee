"""The 年度考核 workbook: opened by LibreOffice (headless, to PDF), demo-labelled, formula-safe, adding up."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from core.assessment import PENALTY
from core.assessment_export import build_annual_workbook
from services import assessment as svc
from tests.auth_fixtures import AGRI, make_user, token_for

INJECTION = "=HYPERLINK(\"http://example.invalid\",\"点我\")"


def _workbook(year: int) -> tuple[bytes, svc.AnnualView]:
    view = svc.annual_view(year)
    return build_annual_workbook(view.year, view.quarters, view.results, view.adjustments, view.vetoes,
                                 view.rule_lines, date(2026, 11, 27), view.demo), view


def test_workbook_rows_add_up_and_typed_text_never_runs_as_a_formula(demo_db):
    admin = token_for(make_user("office_x", "管理员"))
    svc.add_adjustment(admin, AGRI, 2020, PENALTY, "P1", INJECTION, "+cmd|' /C calc'!A0")
    content, view = _workbook(2020)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["考核结果", "加分扣分与否决", "考核规则"]
    ws = wb["考核结果"]
    assert "演示数据" in ws["A1"].value and "演示数据" in ws["A2"].value
    heads = [c.value for c in ws[3]]
    rows = [dict(zip(heads, [c.value for c in row])) for row in ws.iter_rows(min_row=4)]
    assert len(rows) == 38
    for r in rows:
        assert r["最终得分"] == pytest.approx(min(100, max(0, r["汇总分"] - r["扣分"] + r["加分"])), abs=0.05)
    assert sum(r["等级"] == "D（一票否决）" for r in rows) == 1
    cells = [c.value for row in wb["加分扣分与否决"].iter_rows(min_row=4) for c in row if isinstance(c.value, str)]
    assert "'" + INJECTION in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(v.startswith(("=", "+", "@")) for ws in wb for row in ws.iter_rows(min_row=3) for c in row
                   if isinstance(v := c.value, str))
    assert any(v == "一票否决" for v in cells)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_opens_the_workbook_and_prints_it(demo_db, tmp_path):
    view = svc.annual_view(2019)
    content = svc.annual_workbook(view)  # what the page's download button sends
    path = tmp_path / "年度考核-2019.xlsx"
    path.write_bytes(content)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "年度考核-2019.pdf"
    assert pdf.exists()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "年度考核（2019 年度）（演示数据）" in text and "核定（已锁定）" in text
    first = next(r for r in view.results if r.rank == 1)
    assert first.department in text and first.equation in text
    assert "样本不足（不排名）" in text and "维持扣分" in text
