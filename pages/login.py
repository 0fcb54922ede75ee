"""登录: the way in for 填报员 and the office; after login, the pages this account may use."""
import streamlit as st

from components.auth_login import current_identity, render_login_form
from components.badges import page_title
from components.plan_switch import link_params
from components.router_guard import ensure_router
from core.auth import may_administer, may_upload

ensure_router()
page_title("登录", "各部门填报员登录后可下载模板、上传或在线填报进展；督查办管理员登录后可审核报送、管理账号。"
                 "不登录也可查看总览、目标指标、任务台账、区县地图、部门记分卡和会议模式。")
identity = current_identity()
if identity is None:
    render_login_form("请输入督查办为您开设的用户名和密码。")
    st.markdown(
        "**还没有账号？** 账号由市质量强市工作督查办公室（督查办）统一开设：请本单位负责报送的同志联系督查办，"
        "告知姓名、单位和联系电话，开通后督查办会把用户名和初始密码告诉您。\n\n"
        "**忘记密码或账号被锁定？** 请联系督查办管理员重置密码；连续输错多次后账号会暂时锁定，稍后可再试。")
else:
    st.success(f"已登录：{identity.label}")
    st.markdown("**您可以使用：**")
    if may_upload(identity):
        st.page_link("pages/upload.py", label="进度填报：下载模板、上传文件、在线填报、查看报送记录",
                     query_params=link_params())
    if may_administer(identity):
        st.page_link("pages/admin.py", label="管理：审核报送、审计日志、用户管理", query_params=link_params())
    st.page_link("pages/overview.py", label="总览及各查看页面", query_params=link_params())
