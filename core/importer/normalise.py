"""Forgiving readings of what officials type: numbers, percents, periods, districts, departments."""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from core.catalogue import Catalogue
from core.periods import parse_period
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


def brief(value: object, limit: int = 60) -> str:
    """The value as shown, cut to `limit` characters for a message or a note (cells can be huge)."""
    s = shown(value)
    return s if len(s) <= limit else s[:limit] + "…"


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


# Bigger than any count, money or index the plan speaks of: a slip (or 400 nines), not a report.
MAX_MAGNITUDE = 1e13
# Words that make a number an estimate: "约90", "90左右", "近百", "90多".
_UNCERTAIN_BEFORE = ("大约", "大概", "约", "近", "将近", "接近", "超过", "逾", "不足", "不到", "预计", "估计", "估算")
_UNCERTAIN_AFTER = ("左右", "上下", "多", "余", "以上", "以下", "许", "出头")
_QUANTITY = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)([万亿]?)(.*)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


@dataclass(frozen=True)
class Quantity:
    """A number as written in a cell: 12, “12项”, “3.5万”, “1,200”, “９５％”."""

    value: float  # the number with 万/亿 applied
    percent: bool  # written with %
    unit: str  # the words after the number ("项", "元/人"), 万/亿 not included
    scale: str  # "万", "亿" or ""
    written: str  # the cell's text, compacted ("" for a numeric cell)


def _finite(value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise Invalid("数值过大或不是有效数字")
    return value


def quantity(value: object) -> Quantity:
    """The number in a cell, with the unit and 万/亿 written around it. Raises Invalid."""
    if isinstance(value, bool):
        return Quantity(float(value), False, "", "", "")
    if isinstance(value, (int, float)):
        return Quantity(_finite(float(value)), False, "", "", "")
    if not isinstance(value, str):
        raise Invalid("不是数字")
    return _quantity_text(value)


@lru_cache(maxsize=8192)
def _quantity_text(value: str) -> Quantity:
    s = _compact_text(value)
    s = _THOUSANDS.sub("", s)
    bare = s
    for w in _UNCERTAIN_BEFORE:
        bare = bare.removeprefix(w)
    for w in _UNCERTAIN_AFTER:
        bare = bare.removesuffix(w)
    if bare != s and bare[:1].isdigit():
        raise Invalid("是估计的数（带“约”“左右”“多”等字），不能作为实际值")
    m = _QUANTITY.fullmatch(s)
    if not m:
        raise Invalid("不是数字")
    sign, digits, scale, unit = m.groups()
    n = float(sign + digits)
    percent = unit in ("%", "％")
    if percent:
        unit = ""
    elif unit and (re.search(r"[\d.]", unit) or len(unit) > 6):
        raise Invalid("不是数字")  # "90-95", "3项5件", a sentence
    if scale:
        n *= 1e4 if scale == "万" else 1e8
    return Quantity(_finite(n), percent, unit, scale, s)


def number(value: object) -> tuple[float, bool]:
    """(number, written with %) of a cell that should hold a bare number. Raises Invalid for anything else."""
    if value.__class__ is float or value.__class__ is int:  # a numeric cell: most of them
        return _finite(float(value)), False
    q = quantity(value)
    if q.unit or q.scale:
        raise Invalid("不是数字")
    return q.value, q.percent


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


# --- a number in the target's own unit -----------------------------------------------------------

COUNT_WORDS = frozenset("项件个家座所条次批处宗户台套名只款类种")
MONEY = {"元": 1.0, "万元": 1e4, "亿元": 1e8}
_SCALE = {"": 1.0, "万": 1e4, "亿": 1e8}


def plain_number(n: float) -> str:
    """1200.5 as 1200.5, 96.0 as 96: how a number reads back in a message."""
    return f"{n:,.6f}".rstrip("0").rstrip(".").replace(",", "")


def in_unit(q: Quantity, unit: str) -> tuple[float, str]:
    """(value in the target's unit, how it was read: "" when written as a plain number). Raises Invalid.

    “420亿元” for a target in 亿元 is 420; “4,200,000万元” is 420 too; “66万元/人” for 万元/人 is 66;
    “3.5万” for a count is 35000; “12项” for a target counted in 个 is 12 (any counting word).
    """
    if unit == "%":
        if q.unit or q.scale:
            raise Invalid(f"单位“{q.scale}{q.unit}”不是百分比")
        return q.value, ""
    if q.percent:
        raise Invalid(f"带了百分号，但该指标的单位是“{unit}”")
    if not q.unit and not q.scale:
        return q.value, ""
    digits = q.value / _SCALE[q.scale]
    written = q.scale + q.unit
    if written == unit:
        return digits, f"“{q.written}”读作 {plain_number(digits)}（单位：{unit}）"
    head, _, per = written.partition("/")
    target_head, _, target_per = unit.partition("/")
    if head in MONEY and target_head in MONEY and per == target_per:
        value = digits * MONEY[head] / MONEY[target_head]
        return value, f"“{q.written}”换算为 {plain_number(value)} {unit}"
    if not q.unit or (q.unit in COUNT_WORDS and (unit in COUNT_WORDS or unit == "")):
        return q.value, f"“{q.written}”读作 {plain_number(q.value)}{'（单位：' + unit + '）' if unit else ''}"
    raise Invalid(f"单位“{written}”与指标单位“{unit}”不符")


# --- progress: a status word, a percent, or both ---------------------------------------------------

_STATUS_IN_TEXT = re.compile(r"(" + "|".join(sorted({*TASK_STATUSES, *STATUS_SYNONYMS}, key=len, reverse=True)) + r")")


@lru_cache(maxsize=4096)
def _progress_text(value: str) -> tuple[str | None, float | None]:
    s = _compact_text(value).strip("。.，,；;")
    word = STATUS_SYNONYMS.get(s, s)
    if word in TASK_STATUSES:
        return word, None
    m = re.fullmatch(r"(?:完成|进度|已完成)?[:：]?([\d.]+%)[,，、（(]?" + _STATUS_IN_TEXT.pattern + r"?[)）]?", s)
    if m:  # "60%，推进中"、"完成60%"
        word = m.group(2)
        return (STATUS_SYNONYMS.get(word, word) if word else None), number(m.group(1))[0]
    m = re.fullmatch(_STATUS_IN_TEXT.pattern + r"[,，、:：（(]?(?:完成|进度)?[:：]?([\d.]+%)[)）]?", s)
    if m:  # "推进中，60%"、"已完成（100%）"
        return STATUS_SYNONYMS.get(m.group(1), m.group(1)), number(m.group(2))[0]
    return None, None


def progress(value: object, *, formatted_percent: bool) -> tuple[str | None, float | None]:
    """(status, percent) of a progress cell holding a status word, a percent or both. Raises Invalid."""
    if isinstance(value, str):
        status_word, percent = _progress_text(value)
        if status_word is not None or percent is not None:
            return status_word, percent
        try:
            return None, percent_value(value, formatted_percent=formatted_percent, format_known=False)
        except Invalid:
            raise Invalid(f"既不是进展状态（{'、'.join(TASK_STATUSES)}），也不是完成比例") from None
    # Progress below 1% is implausible, so a bare 0.95 is a share even in an xlsx.
    return None, percent_value(value, formatted_percent=formatted_percent, format_known=False)


def inferred_status(percent: float | None, has_narrative: bool) -> str:
    """The status a row without one most plausibly means: 100% done, some progress, or not started."""
    if percent is not None and percent >= 100:
        return "已完成"
    if (percent is not None and percent > 0) or has_narrative:
        return "推进中"
    return "未启动"


def contradiction(status_word: str, percent: float | None) -> str | None:
    if percent is None:
        return None
    if status_word == "已完成" and percent < 100:
        return f"进展状态“已完成”与完成比例 {plain_number(percent)}% 矛盾"
    if status_word == "未启动" and percent > 0:
        return f"进展状态“未启动”与完成比例 {plain_number(percent)}% 矛盾"
    return None


# --- bounded text -------------------------------------------------------------------------------

TEXT_LIMITS = {"narrative": 2000, "problems": 2000, "next_steps": 2000, "data_source": 200, "note": 500}


def too_long(value: str, limit: int) -> str | None:
    return f"文字过长（{len(value):,} 字，最多 {limit:,} 字）" if len(value) > limit else None


# --- periods as written in Chinese --------------------------------------------------------------

_CN_YEAR = str.maketrans("〇零一二三四五六七八九", "00123456789")
_HALF = (("前三季度", "Q3"), ("上半年", "Q2"), ("下半年", "Q4"), ("全年", "Q4"), ("年度", "Q4"))


@lru_cache(maxsize=2048)
def _period_text(value: str):
    s = _compact_text(value)
    m = re.match(r"([〇零一二三四五六七八九]{4})年", s)
    if m:
        s = m.group(1).translate(_CN_YEAR) + s[4:]
    s = re.sub(r"^(截至|截止|截止到|至)", "", s)
    s = re.sub(r"(末|底|止|以来|累计|份)$", "", s)
    s = re.sub(r"年1[-~～—至到]+(\d{1,2})月", r"年\1月", s)  # 2020年1-12月: to December
    s = re.sub(r"(\d{1,2})月\d{1,2}日$", r"\1月", s)  # a date: its month
    for words, quarter in _HALF:
        if s.endswith(words) and re.fullmatch(r"\d{4}年?", s[:-len(words)]):
            s = s[:4] + quarter
    return parse_period(s)


def period(value: object):
    """The quarter a cell means (core.periods.Period), None when it is none.

    Beyond parse_period: 二〇二〇年第四季度, 2020年四季度末, 截至2020年12月底, 2020年1-12月,
    2020年12月31日, 2020年上半年 (Q2), 前三季度 (Q3), 全年/年度 (Q4).
    """
    if isinstance(value, str):
        return _period_text(value)
    if isinstance(value, float) and value.is_integer():
        return None  # 2020.0: a year alone is no quarter
    return parse_period(value)
