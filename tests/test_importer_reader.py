"""read_upload: what is refused before parsing, what the child process returns, and its limits."""
from __future__ import annotations

import dataclasses
import time

import pytest

from core.importer.model import UploadRefused
from core.importer.reader import read_upload
from core.settings import load_settings
from tests import fixtures_excel as fx


def refused(filename: str, content: bytes, settings=None) -> str:
    with pytest.raises(UploadRefused) as info:
        read_upload(filename, content, settings)
    message = str(info.value)
    assert f"“{filename}”" in message  # every refusal names the file
    return message


def settings(**changes):
    return dataclasses.replace(load_settings(), **changes)


def test_empty_file_is_refused():
    assert "空文件" in refused("进度.xlsx", b"")


def test_too_large_file_is_refused_before_reading():
    message = refused("大.xlsx", b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), settings(max_file_mb=1))
    assert "超过上传上限 1 MB" in message and "拆分" in message


def test_renamed_pdf_is_refused():
    assert "PDF" in refused("进度.xlsx", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj")


def test_renamed_docx_is_refused():
    assert "Word 文档" in refused("进度.xlsx", fx.docx_bytes())


def test_random_bytes_are_refused_as_xlsx_and_as_csv():
    noise = bytes((i * 7919 + 13) % 256 for i in range(5000))
    assert "不是 Excel 或 CSV" in refused("进度.xlsx", noise)
    assert "不是表格文件" in refused("进度.csv", noise)


def test_encrypted_workbook_is_refused():
    message = refused("加密.xlsx", fx.encrypted_ooxml())
    assert "密码" in message and "清除密码" in message


def test_zip_bomb_declaring_huge_size_is_refused_quickly():
    bomb = fx.with_declared_sizes(fx.progress_book([["T01", "", "", "", "", "2020Q4", 90]]), 0xFFFFFF00)
    assert len(bomb) < 20_000
    start = time.perf_counter()
    message = refused("炸弹.xlsx", bomb)
    assert "压缩炸弹" in message and "超过上限 200 MB" in message
    assert time.perf_counter() - start < 1


def test_zip_with_absurd_compression_ratio_is_refused():
    bomb = fx.ratio_bomb(60)
    assert len(bomb) < 200_000
    message = refused("比例.xlsx", bomb, settings(max_uncompressed_mb=1000))
    assert "压缩比异常" in message


def test_absurd_declared_dimensions_are_refused_quickly():
    content = fx.with_dimension(fx.progress_book([["T01", "", "", "", "", "2020Q4", 90]]), "A1:XFD1048576")
    start = time.perf_counter()
    message = refused("巨表.xlsx", content)
    assert "1,048,576 行 × 16,384 列" in message
    assert time.perf_counter() - start < 1


def test_child_killed_by_memory_limit_becomes_refusal_and_next_upload_still_works():
    big = fx.raw_xlsx(20000)
    message = refused("很大.xlsx", big, settings(parse_memory_mb=60))
    assert "内存" in message
    # The parent is unharmed: the same server reads the next file normally.
    book = read_upload("正常.xlsx", fx.progress_book([["T01", "", "", "", "", "2020Q4", 90]]))
    assert book.sheets[0].rows[2][6] == 90


def test_parse_timeout_becomes_refusal():
    message = refused("慢.xlsx", fx.raw_xlsx(20000), settings(parse_seconds=0.2))
    assert "秒内未能读完" in message


def test_all_empty_sheets_are_refused():
    assert "没有任何内容" in refused("空表.xlsx", fx.xlsx({"Sheet1": []}))


def test_cells_keep_their_excel_positions_below_title_and_merged_rows():
    content = fx.xlsx({"指标进展": [["标题", None, None], [], [None, "指标编号", "实际值"], [None, "T01", 95]]},
                      merge={"指标进展": ["A1:C1"]})
    sheet = read_upload("a.xlsx", content).sheets[0]
    assert sheet.name == "指标进展"
    assert sheet.rows[0][0] == "标题"
    assert sheet.rows[3][1] == "T01" and sheet.rows[3][2] == 95  # B4, C4


def test_formula_without_cached_value_and_percent_format_are_detected():
    content = fx.xlsx({"任务进展": [["完成进度"], ["=50+10"], [0.95]]}, percent={"任务进展": ["A3"]})
    book = read_upload("f.xlsx", content)
    assert book.formula_cells == [("任务进展", "A2")]
    assert ("任务进展", "A3") in book.percent_cells


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig"])
def test_csv_in_chinese_excel_encodings(encoding):
    content = fx.csv_bytes([["指标编号", "实际值", "备注"], ["T01", "95", "数据来自年报"]], encoding)
    book = read_upload("市场监管局进度.csv", content)
    assert book.sheets[0].name == "市场监管局进度"
    assert book.sheets[0].rows[1] == ["T01", "95", "数据来自年报"]
    assert book.encoding == ("utf-8-sig" if encoding == "utf-8-sig" else "gb18030")


def test_legacy_xls_is_read():
    book = read_upload("旧版.xls", fx.xls({"任务进展": [["任务编号", "进展状态"], [2, "推进中"]]}))
    assert book.kind == "xls"
    assert book.sheets[0].rows[1][1] == "推进中"
    assert book.sheets[0].rows[1][0] == 2
