"""Forgiving readings of what officials type: numbers, percents, periods, districts, departments."""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from core.catalogue import Catalogue
from core.reporting import TASK_STATUSES

CITY_WORDS = {"", "全市", "市本级", "全市合计", "合计", "湛江市", "市级", "全市总计"}
YES = {"是", "达到", "已达到", "达标", "已建成", "完成", "已完成", "yes", "y", "true", "√"}
NO = {"否", "未达到", "没有达到", "不达标", "未建成", "未完成", "no", "n", "false", "×"}
STATUS_SYNONYMS = {
    "未开始": "未启动", "尚未启动": "未启动", "没有启动": "未启动",
    "进行中": "推进中", "正在推进": "推进中", "推进": "推进中", "持续推进": "推进中", "正在进行": "推进中",
    "完成": "已完成", "全部完成": "已完成",
    "落后": "滞后", "进度滞后": "滞后", "延期": "滞后",
}


class Invalid(ValueError):
    """A value that cannot be read; the message is Chinese and fits “…：{message}”."""


def is_blank(value: object) -> bool:
    if value == "" or value is None:
        return True
    return (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def shown(value: object) -> str:
    """The value as the official sees it in the cell, for messages."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.min.time() else f"{value:%Y-%m-%d}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value).strip()


def compact(value: object) -> str:
    """NFKC (full-width digits and ％), every space and line break removed."""
    if isinstance(value, str):
        return _compact_text(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", shown(value)))


@lru_cache(maxsize=8192)
def _compact_text(value: str) -> str:
    # Ids, periods, districts and statuses repeat on every row: each spelling is normalised once.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value.strip()))


def text(value: object) -> str:
    """Free text: outer spaces gone, Windows line breaks unified, inner breaks kept."""
    if isinstance(value, str) and "\r" not in value and "\n" not in value and "\u3000" not in value:
        return value.strip()
    s = shown(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    return "\n".join(line.strip() for line in s.strip().split("\n"))


def number(value: object) -> tuple[float, bool]:
    """(number, written with %). Raises Invalid for anything else."""
    if isinstance(value, bool):
        return float(value), False
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("不是有效数字")
        return float(value), False
    s = compact(value).replace(",", "").replace("，", "")
    percent = s.endswith("%")
    s = s.rstrip("%")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        raise Invalid("不是数字")
    return float(s), percent


def percent_value(value: object, *, formatted_percent: bool, format_known: bool) -> float:
    """95, “95%”, ９５％ and 0.95 shown as a percent all mean 95.

    When the file does not tell the cell's format (xls, csv), a fraction below 1 is read as a
    share: nobody reports 0.95% progress, but 0.95 is what a percent-formatted cell holds.
    """
    n, written_percent = number(value)
    if formatted_percent and not written_percent:
        return round(n * 100, 6)
    if not format_known and not written_percent and 0 < n < 1:
        return round(n * 100, 6)
    return n


def yes_no(value: object) -> float:
    s = compact(value).lower()
    if s in YES:
        return 1.0
    if s in NO:
        return 0.0
    n, _ = number(value)
    if n in (0.0, 1.0):
        return n
    raise Invalid("应填“是”或“否”（或 1 / 0）")


def status(value: object) -> str:
    s = compact(value)
    s = STATUS_SYNONYMS.get(s, s)
    if s not in TASK_STATUSES:
        raise Invalid(f"不是可选的进展状态（只能是 {'、'.join(TASK_STATUSES)}）")
    return s


def leading_number(value: object) -> int | None:
    """1, 1.0, “１”, “1.提高农产品…”, “1、…” and “（1）…” all give 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else None
    m = re.match(r"[(（]?(\d+)(?:[)）.、．\s]|$)", compact(value) + " ")
    return int(m.group(1)) if m else None


def district(value: object, catalogue: Catalogue) -> str | None:
    """Adcode of the district, None for the whole city; Invalid when unknown."""
    s = compact(value)
    if s in CITY_WORDS:
        return None
    if s.endswith(".0"):
        s = s[:-2]
    for d in catalogue.districts:
        if s in (d.adcode, d.name) or (len(s) >= 2 and d.name.startswith(s) and len(d.name) - len(s) <= 1):
            return d.adcode
    raise Invalid("不是湛江市的区县")


def department(value: object, catalogue: Catalogue) -> str:
    name = catalogue.canonical_department(compact(value))
    if name is None:
        raise Invalid("不是方案中的责任部门")
    return name


def suggest_department(value: object, catalogue: Catalogue) -> str | None:
    """The closest canonical department: 市场监管局 → 市市场监管局."""
    s = compact(value)
    if not s:
        return None
    names = [d.name for d in catalogue.departments if d.kind == "department"]
    for candidate in ("市" + s, s.removeprefix("湛江市").join(("市", "")), s.replace("湛江市", "市")):
        found = catalogue.canonical_department(candidate)
        if found:
            return found
    containing = [n for n in names if s in n]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(s, names, n=1, cutoff=0.5)
    return close[0] if close else None


def lead_from_annex(value: object, catalogue: Catalogue) -> str | None:
    """The annex writes 责任部门 as “牵头部门：X；参与部门：…”; the lead is who reports."""
    m = re.search(r"牵头(?:部门|单位)[:：]?\s*([^；;，,、。\s]+)", shown(value))
    return catalogue.canonical_department(m.group(1)) if m else None
