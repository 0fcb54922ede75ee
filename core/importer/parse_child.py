"""Runs in a child process: turns an uploaded file into plain rows of cell values.

Started by core.importer.reader as `python -I parse_child.py KIND MEMORY_MB`, file bytes on stdin,
a pickle on stdout. It imports nothing from the project so it starts fast, and it limits its own
address space first, so a hostile file can exhaust only this process.
"""
from __future__ import annotations

import html
import io
import pickle
import re
import resource
import sys
import zipfile

_CELL_ATTRS = re.compile(rb"<c\s([^>]*?)(/?)>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_XF_BLOCK = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf\b([^>]*)")
_NUMFMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_BUILTIN_PERCENT = {9, 10}


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from workbook.xml and its relationships."""
    try:
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        target = target.lstrip("/")
        targets[rid] = target if target.startswith("xl/") else "xl/" + target
    return {html.unescape(name): targets.get(rid, "") for name, rid in _SHEET.findall(wb)}


def _percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of cell styles whose number format shows a percent (0.95 displayed as 95%)."""
    try:
        styles = zf.read("xl/styles.xml")
    except KeyError:
        return set()
    custom = {int(i) for i, code in _NUMFMT.findall(styles) if b"%" in code}
    block = _XF_BLOCK.search(styles)
    out = set()
    for index, attrs in enumerate(_XF.findall(block.group(1)) if block else []):
        fmt = dict(_ATTR.findall(attrs)).get(b"numFmtId", b"0")
        if int(fmt) in _BUILTIN_PERCENT or int(fmt) in custom:
            out.add(index)
    return out


def _scan_cells(xml: bytes, percent_styles: set[int]) -> tuple[list[str], list[str]]:
    """Cells holding a formula with no cached value, and cells formatted as percent."""
    formulas, percents = [], []
    has_formula = b"<f" in xml
    if not has_formula and not percent_styles:
        return formulas, percents
    for m in _CELL_ATTRS.finditer(xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        ref = attrs.get(b"r", b"").decode()
        if percent_styles and int(attrs.get(b"s", b"0") or 0) in percent_styles:
            percents.append(ref)
        if has_formula and not m.group(2):
            end = xml.find(b"</c>", m.end())
            body = xml[m.end():end]
            if b"<f" in body and not re.search(rb"<v>[^<]+</v>", body):
                formulas.append(ref)
    return formulas, percents


def _read_excel(data: bytes, kind: str) -> dict:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        sheets.append((name, sheet.to_python(skip_empty_area=False)))
    formula_cells, percent_cells = [], []
    if kind in ("xlsx", "xlsm"):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            styles = _percent_styles(zf)
            for name, member in _sheet_paths(zf).items():
                if not member:
                    continue
                try:
                    xml = zf.read(member)
                except KeyError:
                    continue
                formulas, percents = _scan_cells(xml, styles)
                formula_cells += [(name, ref) for ref in formulas]
                percent_cells += [(name, ref) for ref in percents]
    return {"sheets": sheets, "formula_cells": formula_cells, "percent_cells": percent_cells, "encoding": ""}


def _read_csv(data: bytes, sheet_name: str) -> dict:
    import csv

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return {"error": "not_text"}
    # Binary files decoded as GB18030 still show control characters; a real CSV has none.
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in text or controls > 2:
        return {"error": "not_text"}
    sample = text[:5000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    return {"sheets": [(sheet_name, rows)], "formula_cells": [], "percent_cells": [], "encoding": encoding}


def main() -> None:
    kind, memory_mb, sheet_name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    _limit_memory(memory_mb)
    data = sys.stdin.buffer.read()
    try:
        out = _read_csv(data, sheet_name) if kind == "csv" else _read_excel(data, kind)
    except MemoryError:
        out = {"error": "memory"}
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported to the parent as text
        out = {"error": "parse", "detail": f"{type(exc).__name__}: {exc}"[:500]}
    sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
