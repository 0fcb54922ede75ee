"""Runs in a child process: turns an uploaded file into plain rows of cell values.

Started by core.importer.reader as `python -I parse_child.py MEMORY_MB`. It limits its own address
space first, so a hostile file can exhaust only this process, loads the parser, and then waits
for one file on stdin: `KIND\n`, the byte length of the sheet name for a CSV and `\n`, the name
(UTF-8), then the file's bytes up to EOF. The result goes to stdout (`M` + marshal, or `P` + pickle
when a cell holds a date or time), and the process ends: every file gets a fresh process.

It imports nothing from the project and as little as it can: the reader starts a child for every
upload, and re, zipfile, html and pickle alone cost a starting child ~40 ms. The workbook's XML is
read from the zip's own directory (zipfile only for an archive that reader cannot follow) and
searched with bytes.find, which also keeps a file full of cells off a per-cell loop.
"""
from __future__ import annotations

import io
import marshal
import resource
import struct
import sys
import zlib

_BUILTIN_PERCENT = {9, 10}
_SPACE = frozenset(b" \t\n\r\f\v")  # what \s matches in a bytes pattern
_SPACE_BYTES = {bytes([c]) for c in _SPACE}
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_NAME = _WORD | frozenset(b":.-")  # an XML attribute name, prefix included
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# --- the zip archive -----------------------------------------------------------------------------


class _Zip:
    """The members of a zip archive, from its central directory; read(name) inflates one.

    Sizes come from the directory, which the reader already checked (core.importer.safety), and
    inflating stops at the declared size. An archive this does not follow (ZIP64) raises ValueError
    and a member it does not (other compression, encryption) is left to zipfile.
    """

    def __init__(self, data: bytes):
        self.data = data
        self._zipfile = None
        self.members: dict[str, tuple[int, int, int, int, int]] = {}  # name -> flags, method, sizes, offset
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
        if end < 0:
            raise ValueError("no end of central directory")
        count, _size, pos = struct.unpack_from("<HII", data, end + 10)
        if count == 0xFFFF or pos == 0xFFFFFFFF:
            raise ValueError("ZIP64")
        for _ in range(count):
            (sig, _made, _need, flags, method, _time, _date, _crc, csize, usize, name_len, extra_len, comment_len,
             _disk, _internal, _external, offset) = struct.unpack_from("<IHHHHHHIIIHHHHHII", data, pos)
            if sig != 0x02014B50:
                raise ValueError("bad central directory")
            if 0xFFFFFFFF in (csize, usize, offset):
                raise ValueError("ZIP64")
            raw = data[pos + 46:pos + 46 + name_len]
            self.members[raw.decode("utf-8" if flags & 0x800 else "cp437")] = (flags, method, csize, usize, offset)
            pos += 46 + name_len + extra_len + comment_len

    def read(self, name: str) -> bytes:
        flags, method, csize, usize, offset = self.members[name]  # KeyError when absent, as zipfile
        sig, name_len, extra_len = struct.unpack_from("<I22xHH", self.data, offset)
        if sig != 0x04034B50 or flags & 0x1 or method not in (0, 8):
            return self._fallback().read(name)
        start = offset + 30 + name_len + extra_len
        raw = self.data[start:start + csize]
        if method == 0:
            return raw[:usize]
        return zlib.decompressobj(-15).decompress(raw, usize)

    def _fallback(self):
        if self._zipfile is None:
            self._zipfile = _zipfile(self.data)
        return self._zipfile


def _zipfile(data: bytes):
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data))


def _open_zip(data: bytes):
    try:
        return _Zip(data)
    except (ValueError, struct.error, UnicodeDecodeError):
        return _zipfile(data)


# --- XML, searched without regular expressions -------------------------------------------------------


def _tags(xml: bytes, name: bytes):
    """(start, end, attribute text) of each <name ...> tag; end is the index of its closing >."""
    opening = b"<" + name
    pos = 0
    while (start := xml.find(opening, pos)) >= 0:
        pos = start + len(opening)
        if pos < len(xml) and xml[pos] in _WORD:
            continue  # <sheets> is not <sheet
        end = xml.find(b">", pos)
        if end < 0:
            return
        yield start, end, xml[pos:end]
        pos = end


def _attrs(text: bytes) -> dict[bytes, bytes]:
    """name="value" pairs of a tag's attribute text."""
    out = {}
    pos = 0
    while (eq := text.find(b'="', pos)) >= 0:
        close = text.find(b'"', eq + 2)
        if close < 0:
            break
        begin = eq
        while begin > 0 and text[begin - 1] in _NAME:
            begin -= 1
        if begin < eq:
            out[text[begin:eq]] = text[eq + 2:close]
        pos = close + 1
    return out


def _unescape(text: str) -> str:
    """XML's character references (&amp; &#24066; ...) in an attribute value."""
    if "&" not in text:
        return text
    out, pos = [], 0
    while (amp := text.find("&", pos)) >= 0:
        semi = text.find(";", amp)
        if semi < 0:
            break
        ref, char = text[amp + 1:semi], None
        try:
            if ref in _ENTITIES:
                char = _ENTITIES[ref]
            elif ref[:2] in ("#x", "#X"):
                char = chr(int(ref[2:], 16))
            elif ref[:1] == "#":
                char = chr(int(ref[1:]))
        except ValueError:
            char = None
        if char is None:
            out.append(text[pos:amp + 1])
            pos = amp + 1
            continue
        out += [text[pos:amp], char]
        pos = semi + 1
    out.append(text[pos:])
    return "".join(out)


def _text(value: bytes) -> str:
    return _unescape(value.decode("utf-8", "replace"))


def _sheet_paths(zf) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from workbook.xml and its relationships."""
    try:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for _, _, text in _tags(rels, b"Relationship"):
        attrs = _attrs(text)
        if b"Id" in attrs and b"Target" in attrs:
            target = _text(attrs[b"Target"]).lstrip("/")
            targets[_text(attrs[b"Id"])] = target if target.startswith("xl/") else "xl/" + target
    out = {}
    for _, _, text in _tags(wb, b"sheet"):
        attrs = _attrs(text)
        rid = attrs.get(b"r:id")
        if b"name" in attrs and rid is not None:
            out[_text(attrs[b"name"])] = targets.get(_text(rid), "")
    return out


def _percent_styles(zf) -> set[int]:
    """Indices of cell styles whose number format shows a percent (0.95 displayed as 95%)."""
    try:
        styles = zf.read("xl/styles.xml")
    except KeyError:
        return set()
    custom = set()
    for _, _, text in _tags(styles, b"numFmt"):
        attrs = _attrs(text)
        code, number = attrs.get(b"formatCode"), attrs.get(b"numFmtId", b"")
        if code is not None and number.isdigit() and b"%" in code:
            custom.add(int(number))
    begin = next((end for _, end, text in _tags(styles, b"cellXfs") if not text.endswith(b"/")), -1)
    close = styles.find(b"</cellXfs>", begin) if begin >= 0 else -1
    out = set()
    if close < 0:
        return out
    for index, (_, _, text) in enumerate(_tags(styles[begin:close], b"xf")):
        fmt = int(_attrs(text).get(b"numFmtId", b"0"))
        if fmt in _BUILTIN_PERCENT or fmt in custom:
            out.add(index)
    return out


def _cell_at(xml: bytes, pos: int, floor: int) -> tuple[int, int] | None:
    """(start, end of its opening tag) of the <c> element whose opening tag holds pos, if one opens
    after floor (the previous hit: a tag opening before it was looked at then)."""
    start = xml.rfind(b"<", floor, pos)  # < cannot appear inside a tag
    if start < 0 or xml[start + 1:start + 2] != b"c" or xml[start + 2:start + 3] not in _SPACE_BYTES:
        return None
    end = xml.find(b">", start)
    return (start, end) if end >= pos else None


def _has_cached_value(body: bytes) -> bool:
    """<v>…</v> with at least one character, as Excel writes a formula's last result."""
    pos = 0
    while (v := body.find(b"<v>", pos)) >= 0:
        pos = v + 3
        lt = body.find(b"<", pos)
        if lt > pos and body.startswith(b"</v>", lt):
            return True
    return False


def _scan_cells(xml: bytes, percent_styles: set[int]) -> tuple[list[str], list[str]]:
    """Cells holding a formula with no cached value, and cells formatted as percent, in sheet order."""
    formulas: dict[int, str] = {}
    pos = 0
    while (f := xml.find(b"<f", pos)) >= 0:
        floor, pos = pos, f + 2
        if pos < len(xml) and xml[pos] in _WORD:
            continue  # <formula1> of a data validation, not a cell's <f>
        # The cell holding this <f> opens after the previous <f> (else it held that one too) and
        # after the last </c>: every search stays between two <f>, so a file of them is read once.
        floor = max(floor, xml.rfind(b"</c>", floor, f))
        start = xml.rfind(b"<c", floor, f)
        while start >= 0 and xml[start + 2:start + 3] not in _SPACE_BYTES:
            start = xml.rfind(b"<c", floor, start)
        if start < 0 or start in formulas:
            continue
        end = xml.find(b">", start)
        close = xml.find(b"</c>", end)
        if end < 0 or xml[end - 1:end] == b"/" or close < f:
            continue  # an empty cell, or the <f> is not inside this cell
        if not _has_cached_value(xml[end + 1:close]):
            formulas[start] = _attrs(xml[start + 2:end]).get(b"r", b"").decode()
    percents: dict[int, str] = {}
    if 0 in percent_styles:  # the default style: every cell without s="…" counts, so look at each
        for start, end, text in _tags(xml, b"c"):
            if text[:1] and text[0] in _SPACE and int(_attrs(text).get(b"s", b"0") or 0) in percent_styles:
                percents[start] = _attrs(text).get(b"r", b"").decode()
    else:
        for style in percent_styles:
            needle = b's="%d"' % style
            pos = 0
            while (hit := xml.find(needle, pos)) >= 0:
                floor, pos = pos, hit + len(needle)
                if hit == 0 or xml[hit - 1] not in _SPACE:
                    continue
                cell = _cell_at(xml, hit, floor)
                if cell:
                    percents[cell[0]] = _attrs(xml[cell[0] + 2:cell[1]]).get(b"r", b"").decode()
    return [formulas[k] for k in sorted(formulas)], [percents[k] for k in sorted(percents)]


# --- reading ---------------------------------------------------------------------------------------


def _read_excel(data: bytes, kind: str) -> dict:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        sheets.append((name, sheet.to_python(skip_empty_area=False)))
    formula_cells, percent_cells = [], []
    if kind in ("xlsx", "xlsm"):
        zf = _open_zip(data)
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


# --- the marked workbook --------------------------------------------------------------------------
# Written here, inside the same limits as parsing, from the cells the parse already read: the upload
# itself is never loaded by a workbook library in the server (nor here). Same positions, every problem
# cell filled and commented, a first sheet listing every problem with a link to its cell.


def _cell_position(ref: str) -> tuple[int, int] | None:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    if not letters.isalpha() or not letters.isascii() or not digits.isdigit():
        return None
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def _mark(data: bytes) -> dict:
    import pickle

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    job = pickle.loads(data)
    sheets, problems, summary_name = job["sheets"], job["problems"], job["summary"]
    fill = PatternFill("solid", fgColor=job["fill"])
    names: dict[str, str] = {}
    for name, _ in sheets:  # Excel's rules for a sheet name: 31 characters, none of []:*?/\, each distinct
        title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31].strip("'") or "Sheet"
        while title in names.values() or title == summary_name:
            title = title[:28] + f"_{len(names)}"
        names[name] = title
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(summary_name)
    for col, width in zip("ABCD", (18, 20, 50, 50)):
        ws.column_dimensions[col].width = width
    title = WriteOnlyCell(ws, f"共 {len(problems)} 个问题：红色单元格的批注说明了原因，改正后请重新上传。")
    title.font = Font(bold=True, color="C00000", size=12)
    ws.append([title])
    ws.append([])
    heads = []
    for h in ("位置", "填写内容", "问题", "修改方法"):
        c = WriteOnlyCell(ws, h)
        c.font = Font(bold=True)
        heads.append(c)
    ws.append(heads)
    by_cell: dict[str, dict[tuple[int, int], list]] = {}
    for i, (sheet, ref, value, message, fix, where) in enumerate(problems, start=4):
        row = []
        for v in (where, value, message, fix):
            c = WriteOnlyCell(ws, v)
            c.data_type = "s"  # a formula-like text stays text
            row.append(c)
        position = _cell_position(ref) if ref else None
        if position and sheet in names:
            row[0].hyperlink = Hyperlink(ref=f"A{i}", location=f"'{names[sheet]}'!{ref}")
            row[0].font = Font(color="0563C1", underline="single")
            by_cell.setdefault(sheet, {}).setdefault(position, []).append(f"{message}。{fix}")
        ws.append(row)
    for name, rows in sheets:
        ws = wb.create_sheet(names[name])
        marks = by_cell.get(name, {})
        last_row = max((r for r, _ in marks), default=0)
        widest: dict[int, int] = {}  # row -> its rightmost marked column
        for r, c in marks:
            widest[r] = max(widest.get(r, 0), c)
        for i in range(1, max(len(rows), last_row) + 1):
            values = rows[i - 1] if i <= len(rows) else []
            width = max(len(values), widest.get(i, 0))
            out = []
            for j in range(1, width + 1):
                v = values[j - 1] if j <= len(values) else None
                note = marks.get((i, j)) if i <= last_row else None
                if v == "":
                    v = None
                if note is None and not (v.__class__ is str and v.startswith("=")):
                    out.append(v)
                    continue
                c = WriteOnlyCell(ws, v)
                if v.__class__ is str:
                    c.data_type = "s"
                if note is not None:
                    c.fill = fill
                    comment = Comment("\n".join(note), job["author"])
                    comment.width, comment.height = 320, 40 + 40 * len(note)
                    c.comment = comment
                out.append(c)
            ws.append(out)
    buffer = io.BytesIO()
    wb.save(buffer)
    return {"xlsx": buffer.getvalue()}


def _shared_strings(sheets: list) -> None:
    """One str object per distinct text: marshal then writes each repeated text once and the reader
    builds it once (5,000 rows: answer 840 KB -> 300 KB, reading it 9 ms -> 2 ms). In place: new
    row lists would cost a fresh process more than they save."""
    same = {}.setdefault
    for _, rows in sheets:
        for row in rows:
            for j, value in enumerate(row):
                if value.__class__ is str:
                    row[j] = same(value, value)


def _encode(out: dict) -> bytes:
    if "sheets" in out:
        _shared_strings(out["sheets"])
    try:
        return b"M" + marshal.dumps(out)
    except ValueError:  # a date, time or duration cell: marshal knows none of them
        import pickle

        return b"P" + pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


def _read_request(stream) -> tuple[str, str, bytes] | None:
    """(kind, sheet name, file bytes), or None when the reader closed the pipe without sending a file."""
    kind = stream.readline().strip().decode("ascii", "replace")
    if not kind:
        return None
    size = int(stream.readline().strip() or 0)
    sheet_name = stream.read(size).decode("utf-8", "replace")
    return kind, sheet_name, stream.read()


def main() -> None:
    _limit_memory(int(sys.argv[1]))
    try:  # the parser loads while the child waits for its file, not after the file came
        import python_calamine  # noqa: F401
    except ImportError:
        pass  # reported as a parse failure of the file
    request = _read_request(sys.stdin.buffer)
    if request is None:
        return  # not needed after all (the server stopped, or wanted a child with other limits)
    kind, sheet_name, data = request
    try:
        if kind == "mark":
            out = _mark(data)
        else:
            out = _read_csv(data, sheet_name) if kind == "csv" else _read_excel(data, kind)
    except MemoryError:
        out = {"error": "memory"}
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported to the parent as text
        out = {"error": "parse", "detail": f"{type(exc).__name__}: {exc}"[:500]}
    sys.stdout.buffer.write(_encode(out))


if __name__ == "__main__":
    main()
