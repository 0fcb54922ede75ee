"""Demo 年度考核 (演示数据): 2019 decided and locked, 2020 under way. Deterministic, like core/demo.py.

Every text says 【演示数据】 and every row is flagged is_demo, so `manage.py demo clear` removes it.
A few 加分 and 扣分, one 一票否决 (2020) and one appeal, answered (2019), as the issue asks.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime

from core.assessment import BONUS, CHECKED, DECIDED, NOT_STARTED, PENALTY, SELF, UPHELD
from core.demo import DEMO_TAG
from core.timeutil import CHINA_TZ

TAG = f"【{DEMO_TAG}】"
DECIDED_YEAR, OPEN_YEAR = 2019, 2020

# (year, department, kind, item code, reason, evidence note)
ADJUSTMENTS = (
    (2019, "市市场监管局", BONUS, "B2", "组织推荐的本地企业获评广东省政府质量奖（演示情形）",
     "省政府质量奖获奖名单（演示）.pdf"),
    (2019, "市住房和城乡建设局", BONUS, "B1", "牵头推进的项目获评国家级建筑产业现代化示范项目（演示情形）",
     "示范项目认定文件（演示）.pdf"),
    (2019, "市水务局", PENALTY, "P1", "市督查办交办的饮用水水源地整治事项逾期未办结（演示情形）", "督查交办单（演示）"),
    (2019, "市交通运输局", PENALTY, "P3", "工程质量专项督查中被市政府通报批评（演示情形）", "督查通报（演示）"),
    (2020, "市农业农村局", BONUS, "B2", "农产品质量安全工作获省级表彰（演示情形）", "省级表彰文件（演示）.pdf"),
    (2020, "市生态环境局", BONUS, "B3", "饮用水水源保护经验被省生态环境厅发文推广（演示情形）", "省厅推广通知（演示）"),
    (2020, "市卫生健康局", PENALTY, "P1", "市督查办交办事项逾期未办结（演示情形）", "督查交办单（演示）"),
    (2020, "市商务局", PENALTY, "P2", "第三季度报送的进度数据经实地核查与台账不符（演示情形）", "核查记录（演示）"),
)
# The one veto and the one appeal (against the 2019 deduction of 市水务局, answered: the deduction stands).
VETO = (2020, "市交通运输局", "辖区在建工程发生一起造成较大社会影响的质量安全事件，经核查属实（演示情形）",
        "事件调查报告（演示）")
APPEAL = (2019, "市水务局", "P1", "该事项涉及跨县协调，已于 2020 年 1 月初办结，逾期系客观原因所致（演示情形）",
          "经核查，办结时间晚于交办期限 23 天，且未按规定申请延期，维持扣分（演示情形）")


@dataclass
class DemoYear:
    department: str
    year: int
    state: str
    self_score: float | None = None
    narrative: str = ""
    findings: str = ""
    adjustments: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, code, reason, evidence
    veto: tuple[str, str] | None = None
    appeal: tuple[str, str, str, str] | None = None  # code, reason, outcome, answer

    @property
    def decided(self) -> bool:
        return self.state == DECIDED


def demo_time(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """Events of year Y's assessment happen early in Y+1 (Beijing time)."""
    return datetime(year + 1, month, day, hour, tzinfo=CHINA_TZ)


def _pick(*parts: object) -> float:
    return (zlib.crc32("|".join(map(str, parts)).encode()) % 10_000) / 10_000


def demo_years(rollups: dict[tuple[str, int], float | None]) -> list[DemoYear]:
    """One DemoYear per department and demo year that has something to assess (rollup not None)."""
    out = []
    for (dept, year), rollup in sorted(rollups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if rollup is None or year not in (DECIDED_YEAR, OPEN_YEAR):
            continue
        marks = [a for a in ADJUSTMENTS if a[0] == year and a[1] == dept]
        vetoed = VETO[0] == year and VETO[1] == dept
        if year == DECIDED_YEAR:
            state = DECIDED
        elif marks or vetoed:
            state = CHECKED  # the office has looked at the departments it marked
        else:
            r = _pick("state", dept, year)
            state = NOT_STARTED if r < 0.12 else CHECKED if r < 0.35 else SELF
        d = DemoYear(dept, year, state)
        if state != NOT_STARTED:
            # Departments tend to rate themselves a little above what the scores show.
            d.self_score = round(min(100.0, rollup + 1 + 7 * _pick("self", dept, year)), 1)
            d.narrative = (f"{TAG}{year} 年本部门按《方案》分工推进牵头和参与的各项任务，按季度报送进度，"
                           f"自评 {d.self_score:.1f} 分。")
        if state in (CHECKED, DECIDED):
            d.findings = f"{TAG}经查阅季度报送台账并实地抽查，{year} 年各项工作进展与报送情况基本相符。"
        d.adjustments = [(kind, code, reason, evidence) for _, _, kind, code, reason, evidence in marks]
        if vetoed:
            d.veto = (VETO[2], VETO[3])
        if APPEAL[0] == year and APPEAL[1] == dept:
            d.appeal = (APPEAL[2], APPEAL[3], UPHELD, APPEAL[4])
        out.append(d)
    return out
