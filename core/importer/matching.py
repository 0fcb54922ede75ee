"""Which target or task a row means, from an id, a number, a name, an alias or the plan's own wording.

Departments name targets the way they always have ("每万人口发明专利拥有量", "现代服务业增加值占服务业比例"),
and number tasks as the annex does ("1.提高农产品优质供给水平"). A name is compared after `name_key`
(spaces, width, brackets, 的, the 比例/比率/占比/比重 ↔ 率 variants); one that fits no target, or fits
several, is answered with the closest catalogue names so the clerk can pick one.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.catalogue import Catalogue, Target, Task

_BRACKETS = str.maketrans("", "", "()（）[]【】《》<>〈〉“”\"'‘’「」『』")
_UNIT_SUFFIX = re.compile(
    r"[(（\[【](%|％|件|个|家|项|分|指数|元|万元|亿元|万元/人|条|是/否|是否|单位[:：].*)[)）\]】]$")
_LEADING_NUMBER = re.compile(r"^(?:[(（]?\d+[)）.、．]|[一二三四五六七八九十]+[、.．])")
_RATE_WORDS = re.compile(r"比例|比率|占比|比重|百分比")
_PLACE_PREFIX = ("湛江市", "全市", "我市", "市级")


@lru_cache(maxsize=16384)
def name_key(text: str) -> str:
    """What is left of a name once the ways of writing it that do not change its meaning are removed."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    s = _UNIT_SUFFIX.sub("", s)
    s = _LEADING_NUMBER.sub("", s)
    s = s.translate(_BRACKETS).replace("的", "")
    s = _RATE_WORDS.sub("率", s)
    for prefix in _PLACE_PREFIX:
        if s.startswith(prefix) and len(s) > len(prefix) + 3:
            s = s[len(prefix):]
            break
    return s.rstrip("。.;；,，")


@dataclass(frozen=True)
class Match:
    """A target or task found (item), or not (item None, with a message naming the closest names)."""

    item: Target | Task | None
    how: str  # "" (by id or exact name) | 别名 | 方案原文 | 名称 | 部分名称
    message: str = ""
    fix: str = ""


class TargetIndex:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.by_id = {t.id: t for t in catalogue.targets}
        self.names = {t.name: t for t in catalogue.targets}
        self.keys: dict[str, set[str]] = {}  # name key -> target ids
        self.how: dict[tuple[str, str], str] = {}
        for t in catalogue.targets:
            self._add(t.name, t.id, "名称")
            for alias in catalogue.target_aliases.get(t.id, ()):
                self._add(alias, t.id, "别名")
        for t in catalogue.targets:  # the plan's clause last: a name or alias is the better reason
            self._add(t.source_clause, t.id, "方案原文")
        self.name_keys = {t.id: name_key(t.name) for t in catalogue.targets}
        self.alias_keys = [(name_key(a), t.id) for t in catalogue.targets
                           for a in (t.name, *catalogue.target_aliases.get(t.id, ()))]

    def _add(self, text: str, target_id: str, how: str) -> None:
        key = name_key(text)
        if key:
            self.keys.setdefault(key, set()).add(target_id)
            self.how.setdefault((key, target_id), how)

    def by_name(self, text: str) -> Match:
        if text in self.names:
            return Match(self.names[text], "")
        key = name_key(text)
        ids = self.keys.get(key, set())
        if len(ids) == 1:
            (tid,) = ids
            return Match(self.by_id[tid], self.how[(key, tid)])
        if not ids and 4 <= len(key) <= 200:  # a long text is a sentence, not a name
            # A catalogue name inside a longer text ("2020年农产品质量安全例行检测总体合格率达到96%"),
            # the longest one; or the text inside a single name, if it covers most of it.
            inside = {tid: len(k) for k, tid in self.alias_keys if k in key}
            if inside:
                longest = max(inside.values())
                ids = {tid for tid, size in inside.items() if size == longest}
            else:
                ids = {tid for k, tid in self.alias_keys if key in k and len(key) * 5 >= len(k) * 3}
            if len(ids) == 1:
                (tid,) = ids
                return Match(self.by_id[tid], "部分名称")
        if len(ids) > 1:
            shown = "、".join(f"{t} {self.by_id[t].name}" for t in sorted(ids))
            return Match(None, "", "指标名称对应多个指标", f"可能是：{shown}；请改填指标编号")
        close = self.closest(key)
        hint = f"最接近的指标：{close}；" if close else ""
        return Match(None, "", "指标名称与方案中的指标都对不上",
                     f"{hint}请改填指标编号，或使用模板中的指标名称（办公室可在 target_aliases.csv 增加常用写法）")

    def closest(self, key: str, count: int = 3) -> str:
        ranked = sorted(((difflib.SequenceMatcher(None, key, k).ratio(), tid) for tid, k in self.name_keys.items()),
                        reverse=True)
        return "、".join(f"{tid} {self.by_id[tid].name}" for score, tid in ranked[:count] if score >= 0.3)


class TaskIndex:
    def __init__(self, catalogue: Catalogue):
        self.by_id = {t.id: t for t in catalogue.tasks}
        self.keys = {name_key(t.title): t for t in catalogue.tasks}
        self.last = catalogue.tasks[-1].id if catalogue.tasks else 0

    def by_title(self, text: str) -> Match:
        """A task by its title, with or without the annex's number in front ("1.提高农产品优质供给水平")."""
        key = name_key(text)
        if key in self.keys:
            return Match(self.keys[key], "")
        found = {t.id for k, t in self.keys.items() if 4 <= len(key) <= 200 and (key in k or k in key)}
        if len(found) == 1:
            return Match(self.by_id[found.pop()], "部分名称")
        close = difflib.get_close_matches(key, list(self.keys), n=3, cutoff=0.4)
        shown = "、".join(f"任务{self.keys[k].id} {self.keys[k].title}" for k in close)
        if len(found) > 1:
            shown = "、".join(f"任务{i} {self.by_id[i].title}" for i in sorted(found))
            return Match(None, "", "工作任务名称对应多项任务", f"可能是：{shown}；请改填方案附件中的任务序号")
        return Match(None, "", "工作任务与方案附件中的任务都对不上",
                     (f"最接近的任务：{shown}；" if shown else "") + f"请填写方案附件中的任务序号（1–{self.last}）")


_indexes: dict[int, tuple[Catalogue, TargetIndex, TaskIndex]] = {}


def indexes(catalogue: Catalogue) -> tuple[TargetIndex, TaskIndex]:
    """Built once per catalogue object (the app loads one; a revised plan is a new object)."""
    kept = _indexes.get(id(catalogue))
    if kept is None or kept[0] is not catalogue:
        if len(_indexes) > 8:
            _indexes.clear()
        kept = _indexes[id(catalogue)] = (catalogue, TargetIndex(catalogue), TaskIndex(catalogue))
    return kept[1], kept[2]
