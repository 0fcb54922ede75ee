"""Vocabulary of reporting shared by the importer, the database and the pages."""
from __future__ import annotations

TASK_STATUSES = ("未启动", "推进中", "已完成", "滞后")
ROLES = ("牵头", "参与")
# Submission states whose rows count in statuses and scores. pending waits for the
# office's review; returned and undone rows are kept for history but do not count.
COUNTED_STATES = ("committed", "approved")
SUBMISSION_STATE_LABELS = {
    "committed": "已入库", "pending": "待审核", "approved": "已通过", "returned": "已退回", "undone": "已撤销",
}
SOURCE_LABELS = {"upload": "文件上传", "online": "在线填报", "demo": "演示数据", "cli": "命令行导入"}
