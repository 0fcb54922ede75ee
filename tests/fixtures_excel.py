"""Builders of test workbooks, made at test time (no binary files in the repository)."""
from __future__ import annotations

import io
import re
import struct
import zipfile
from datetime import date

from openpyxl import Workbook, load_workbook

from core.catalogue import Catalogue


def xlsx(sheets: dict[str, list[list]], *, percent: dict[str, list[str]] | None = None,
         merge: dict[str, list[str]] | None = None) -> bytes:
    """A workbook from rows (row 1 first); percent/merge: sheet -> cells/ranges."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for ref in (percent or {}).get(name, []):
            ws[ref].number_format = "0%"
        for rng in (merge or {}).get(name, []):
            ws.merge_cells(rng)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xls(sheets: dict[str, list[list]]) -> bytes:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    ws.write(i, j, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


INDICATOR_HEADER = ["指标编号", "指标名称", "单位", "目标值", "区县", "报告期", "实际值", "数据来源", "备注"]
TASK_HEADER = ["任务编号", "工作任务", "责任部门", "牵头/参与", "报告期", "进展状态", "完成进度(%)", "进展情况",
               "存在问题", "下一步计划"]


def progress_book(indicators: list[list] = (), tasks: list[list] = (), *, title: bool = True, **kw) -> bytes:
    """指标进展 and 任务进展 sheets laid out like the template (title in row 1, header in row 2)."""
    sheets = {}
    if indicators:
        sheets["指标进展"] = ([["指标进展 标题"]] if title else []) + [INDICATOR_HEADER] + [list(r) for r in indicators]
    if tasks:
        sheets["任务进展"] = ([["任务进展 标题"]] if title else []) + [TASK_HEADER] + [list(r) for r in tasks]
    return xlsx(sheets, **kw)


def fill_template(template: bytes, *, value=90, status="推进中", percent=50, narrative="按计划推进") -> bytes:
    """Fill every input row of a template like a diligent official."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["指标进展"]
    for r in range(3, ws.max_row + 1):
        yesno = ws.cell(r, 3).value == "是/否"
        ws.cell(r, 7).value = "是" if yesno else value
        ws.cell(r, 8).value = "统计年报"
    ws = wb["任务进展"]
    for r in range(3, ws.max_row + 1):
        ws.cell(r, 6).value = status
        ws.cell(r, 7).value = percent
        ws.cell(r, 8).value = narrative
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_declared_sizes(content: bytes, size: int) -> bytes:
    """The same zip with every central-directory entry claiming `size` uncompressed bytes."""
    data = bytearray(content)
    for m in re.finditer(rb"PK\x01\x02", bytes(data)):
        struct.pack_into("<I", data, m.start() + 24, size)
    return bytes(data)


def ratio_bomb(megabytes: int = 60) -> bytes:
    """A real workbook-shaped zip whose one member inflates from a few KB to `megabytes` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/sharedStrings.xml", b" " * (megabytes * 1024 * 1024))
    return out.getvalue()


def with_dimension(content: bytes, ref: str) -> bytes:
    """The same xlsx with every sheet declaring the used range `ref`."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            dst.writestr(item, data)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def encrypted_ooxml() -> bytes:
    """What Excel writes for a password-protected workbook: a compound file with an EncryptedPackage stream.

    Only the container header and the directory entry names matter to the check under test.
    """
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00") + "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + entry + b"\x00" * 4096


def big_sheet(rows: int, cols: int = 10) -> bytes:
    """Many distinct strings, so parsing needs far more memory than the file's size."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    for i in range(rows):
        ws.append([f"第{i}行第{j}列的一段较长文字内容用于占用内存" for j in range(cols)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def department_template(catalogue: Catalogue, department: str | None = "市市场监管局", period: str = "2020Q4") -> bytes:
    from core.importer.templates import build_template

    return build_template(catalogue, period=period, deadline=date(2021, 1, 10), department=department)


def raw_xlsx(rows: int, cols: int = 10) -> bytes:
    """A minimal hand-written xlsx of `rows` x `cols` distinct inline strings: quick to build at any size."""
    cells = []
    for i in range(1, rows + 1):
        row = "".join(f'<c r="{chr(65 + j)}{i}" t="inlineStr"><is><t>第{i}行第{j}列的一段较长文字内容用于占用内存</t></is></c>'
                      for j in range(cols))
        cells.append(f'<row r="{i}">{row}</row>')
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="A1:{chr(64 + cols)}{rows}"/><sheetData>{"".join(cells)}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                    '<Default Extension="xml" ContentType="application/xml"/>'
                    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    '</Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                    '</Relationships>')
        zf.writestr("xl/workbook.xml",
                    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    '<sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                    '</Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def ods(sheets: dict[str, list[list]]) -> bytes:
    """An OpenDocument spreadsheet (LibreOffice, WPS) written by hand: strings, floats and percents."""
    from xml.sax.saxutils import escape

    def cell(value) -> str:
        if value is None or value == "":
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'  # noqa: E501
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = "".join(
        f'<table:table table:name="{escape(name)}">'
        + "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
        + "</table:table>" for name, rows in sheets.items())
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'  # noqa: E501
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return out.getvalue()
