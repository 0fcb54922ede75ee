"""Downloads of the 通报: the Excel workbook (key sc_download) and the 公文 .docx (key sc_download_docx).
Built only when clicked, not on every rerun."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from components.plan_switch import plan_file
from core.bulletin import build_bulletin
from core.scoring import Scoreboard
from core.timeutil import CHINA_TZ
from db import document_reads
from services import cache, documents

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(board: Scoreboard, demo: bool) -> bytes:
    payload = cache.read(document_reads.period_payload, board.period)
    return documents.bulletin(board, payload, demo)  # with the period's 催办 counts


def bulletin_button(board: Scoreboard, demo: bool) -> None:
    st.download_button(
        "下载通报（Excel）", data=lambda: build_bulletin(board, datetime.now(CHINA_TZ).date(), demo),
        file_name=f"部门记分卡通报-{board.period}.xlsx", mime=MIME, key="sc_download", on_click="ignore",
        help="排名、区县排名、滞后清单、扣分明细和评分规则；横向 A4、按页宽打印、每页重复表头", width="stretch",
    )
    st.download_button(
        "下载通报（Word 公文）", data=lambda: _docx(board, demo), file_name=f"通报-{board.period}.docx",
        mime=DOCX_MIME, key="sc_download_docx", on_click="ignore", width="stretch",
        help="按公文格式起草：总体情况、进展较好、存在问题、下一步要求，附件为排名、红色清单和扣分明细；"
             f"固定文字可在 {plan_file('bulletin_template.toml')} 中修改",
    )
