"""进度填报: templates, file upload with preview and confirmation, online entry, submission history."""
import streamlit as st

from components.auth_login import require
from components.badges import page_title
from components.router_guard import ensure_router
from components.upload_common import reporting_note
from components.upload_evidence_tab import render_report_evidence
from components.upload_file import render_file_upload
from components.upload_history import render_history
from components.upload_online import render_online_entry
from components.upload_template import render_template_download
from core.auth import may_upload

ensure_router()
page_title("进度填报", "下载模板填写后上传，或在线修改；确认前不会写入任何数据。")
identity = require(may_upload, "进度填报")
st.caption(reporting_note(identity))
template, upload, entry, history, evidence = st.tabs(["下载模板", "上传文件", "在线填报", "报送记录", "佐证材料"])
with template:
    render_template_download(identity)
with upload:
    render_file_upload(identity)
with entry:
    render_online_entry(identity)
with history:
    render_history(identity)
with evidence:
    render_report_evidence(identity)
