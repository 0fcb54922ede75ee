"""Template download (keys up_tpl_*): a department's or the whole city's progress workbook for a period."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components.period_picker import current_period
from components.plan_switch import current_plan
from components.upload_common import (
    CITY_TEMPLATE,
    catalogue,
    departments_for,
    period_codes,
    period_label,
    render_period_state,
)
from core.auth import Identity, may_administer
from core.importer.templates import build_template, template_filename
from core.timeutil import today_beijing
from services import cache, trust

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_template_download(identity: Identity) -> None:
    st.markdown("下载模板，在 Excel 或 WPS 中填写后于“上传文件”提交。模板已锁定只读列，并为状态、区县提供下拉选项。")
    left, right = st.columns(2)
    options = [*([CITY_TEMPLATE] if may_administer(identity) else []), *departments_for(identity)]
    choice = left.selectbox("部门", options, key="up_tpl_dept", placeholder="请选择…",
                            help="部门模板只含该部门牵头或经备案负责的指标和牵头或参与的任务；全市模板供督查办汇总使用")
    codes = period_codes()
    period = right.selectbox("报告期", codes, index=codes.index(current_period()), key="up_tpl_period",
                             placeholder="请选择…",
                             format_func=period_label)
    department = None if choice == CITY_TEMPLATE else choice
    plan = current_plan()  # the workbook names it; another plan's upload page refuses it
    deadline = pd.Timestamp(cache.periods().set_index("code").loc[period, "deadline"]).date()
    late = "（已过截止日：现在报送计为逾期报送）" if deadline < today_beijing() else ""
    st.caption(f"报送截止：{deadline}{late}")
    render_period_state(period, department)
    st.download_button(
        "下载填报模板", data=lambda: build_template(catalogue(), period=period, deadline=deadline,
                                                    department=department, assigned=trust.assignments(),

                                                    plan=plan),
        file_name=template_filename(period, department), mime=XLSX_MIME, key="up_tpl_download",
        on_click="ignore", type="primary")
