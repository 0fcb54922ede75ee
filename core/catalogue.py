"""The plan catalogue: data/plans/<方案>/*.csv read, validated and cross-checked.

The CSV files are what a city edits when it revises its plan, so every problem
is reported with file, row and column, all at once, in Chinese.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

COMPARATORS = ("≥", "≤", "=", "区间")
KINDS = ("numeric", "yesno")
# The plan's own qualifier of a ≥ target: 超过 is judged strictly, 左右 within a tolerance (core/status.py).
QUALIFIERS = ("", "超过", "左右")
FREQUENCIES = {"quarterly": "每季度", "annual": "每年"}
# Indicator metadata columns added after the first release: optional, so an older targets.csv still loads.
TARGET_METADATA = ("qualifier", "definition", "data_source", "frequency")
DISTRICT_KINDS = ("区", "县", "县级市")
# Continuity across plans (issue 15): a successor plan's target or task may name its predecessor
# ("2018-2020/T02"; a task by its number, "2018-2020/1") and say how it changed. 取消 (a predecessor's item
# not carried over) has no row here: it goes to plan.toml's [continuity] cancelled (core.continuity).
# Optional columns: a catalogue without them (2018–2020) loads unchanged.
CHANGES = ("继承", "调整", "新增", "取消")
CONTINUITY = ("predecessor", "change")


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("计划目录有误：\n" + "\n".join(problems))


@dataclass(frozen=True)
class Department:
    name: str
    kind: str  # department | group
    aliases: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class Task:
    id: int
    title: str
    measure: int
    lead_department: str
    participants: tuple[str, ...]
    content: str
    predecessor: str = ""  # "2018-2020/1": plan id / task number (continuity, CHANGES)
    change: str = ""  # 继承 | 调整 | 新增 | ""


@dataclass(frozen=True)
class Target:
    id: str
    category: str
    name: str
    unit: str
    comparator: str
    target_value: float
    target_max: float | None
    target_year: int
    kind: str
    task_id: int | None
    lead_department: str
    lead_basis: str
    district_breakdown: bool
    baseline: float | None
    source_clause: str
    order: int
    qualifier: str = ""  # 超过 | 左右 | "" (see QUALIFIERS)
    definition: str = ""  # 口径
    data_source: str = ""
    frequency: str = "quarterly"  # quarterly | annual: annual targets are asked for once a year
    predecessor: str = ""  # "2018-2020/T02": plan id / target id (continuity, CHANGES)
    change: str = ""  # 继承 | 调整 | 新增 | ""

    @property
    def lower_is_better(self) -> bool:
        return self.comparator == "≤"


@dataclass(frozen=True)
class District:
    adcode: str
    name: str
    kind: str
    order: int


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    district: str
    task_id: int | None
    lon: float
    lat: float
    approximate: bool
    source_clause: str


@dataclass
class Catalogue:
    departments: list[Department]
    tasks: list[Task]
    targets: list[Target]
    districts: list[District]
    places: list[Place]
    target_aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # target id -> spellings departments use
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for d in self.departments:
            self._alias_index[d.name] = d.name
            for a in d.aliases:
                self._alias_index[a] = d.name

    def canonical_department(self, name: str) -> str | None:
        return self._alias_index.get(name.strip())

    def department_names(self, include_groups: bool = False) -> list[str]:
        return [d.name for d in self.departments if include_groups or d.kind == "department"]


class _Rows:
    """Reads one CSV and collects problems with file, row and column."""

    def __init__(self, path: Path, required: list[str], problems: list[str]):
        self.path, self.problems = path, problems
        self.rows: list[tuple[int, dict[str, str]]] = []
        if not path.exists():
            problems.append(f"{path.name}：文件不存在（应在 {path.parent}）")
            return
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(f"{path.name}：缺少列 {'、'.join(missing)}")
                return
            # Row numbers as a spreadsheet shows them: the header is row 1.
            self.rows = [(i, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader, 2)]

    def error(self, row: int, column: str, message: str) -> None:
        self.problems.append(f"{self.path.name} 第{row}行 {column} 列：{message}")

    def number(self, row: int, rec: dict, column: str, *, optional: bool = False) -> float | None:
        raw = rec.get(column, "")
        if raw == "" and optional:
            return None
        try:
            return float(raw)
        except ValueError:
            self.error(row, column, f"“{raw}”不是数字")
            return None

    def integer(self, row: int, rec: dict, column: str, *, optional: bool = False) -> int | None:
        value = self.number(row, rec, column, optional=optional)
        if value is not None and value != int(value):
            self.error(row, column, f"“{rec[column]}”不是整数")
            return None
        return None if value is None else int(value)

    def boolean(self, row: int, rec: dict, column: str) -> bool:
        raw = rec.get(column, "").lower()
        if raw in ("true", "1", "是", "yes"):
            return True
        if raw in ("false", "0", "否", "no", ""):
            return False
        self.error(row, column, f"“{rec[column]}”应为 true 或 false")
        return False

    def unique(self, column: str) -> None:
        seen: dict[str, int] = {}
        for row, rec in self.rows:
            key = rec.get(column, "")
            if key in seen:
                self.error(row, column, f"编号“{key}”与第{seen[key]}行重复")
            seen.setdefault(key, row)


def load_catalogue(plan_dir: Path | None = None) -> Catalogue:
    """The catalogue of a plan folder; the current plan's (core.plans.current_plan) when none is given."""
    from core.plans import current_plan, measure_range

    plan_dir = Path(plan_dir) if plan_dir is not None else current_plan().folder
    problems: list[str] = []
    departments = _departments(_Rows(plan_dir / "departments.csv", ["name", "kind", "aliases"], problems))
    known = {d.name for d in departments} | {a for d in departments for a in d.aliases}
    groups = {d.name for d in departments if d.kind == "group"}
    canon = {a: d.name for d in departments for a in (d.name, *d.aliases)}

    def check_department(rows: _Rows, row: int, column: str, name: str, allow_group: bool) -> str:
        if name not in known:
            rows.error(row, column, f"部门“{name}”不在 departments.csv 中（请先在 departments.csv 增加该部门或别名）")
            return name
        if name in groups and not allow_group:
            rows.error(row, column, f"“{name}”是部门组，不能作为牵头部门")
        return canon[name]

    tasks = _tasks(_Rows(plan_dir / "tasks.csv", ["id", "title", "measure", "lead_department", "participants", "content"], problems), check_department,
                   measure_range(plan_dir))
    task_ids = {t.id for t in tasks}
    districts = _districts(_Rows(plan_dir / "districts.csv", ["adcode", "name", "kind"], problems))
    district_names = {d.name for d in districts}
    targets = _targets(
        _Rows(plan_dir / "targets.csv",
              [f for f in Target.__dataclass_fields__
               if f != "order" and f not in TARGET_METADATA and f not in CONTINUITY], problems),
        check_department, task_ids,
    )
    places = _places(
        _Rows(plan_dir / "places.csv", ["id", "name", "district", "task_id", "lon", "lat", "approximate", "source_clause"], problems),
        district_names, task_ids,
    )
    aliases = _target_aliases(plan_dir / "target_aliases.csv", {t.id for t in targets}, problems)
    if problems:
        raise CatalogueError(problems)
    return Catalogue(departments, tasks, targets, districts, places, aliases)


def _departments(rows: _Rows) -> list[Department]:
    rows.unique("name")
    out = []
    for order, (row, rec) in enumerate(rows.rows):
        if rec["kind"] not in ("department", "group"):
            rows.error(row, "kind", f"“{rec['kind']}”应为 department 或 group")
        if not rec["name"]:
            rows.error(row, "name", "部门名称为空")
        aliases = tuple(a.strip() for a in rec["aliases"].split("|") if a.strip())
        out.append(Department(rec["name"], rec["kind"], aliases, order))
    return out


def _tasks(rows: _Rows, check_department, measures: tuple[int, int] | None = None) -> list[Task]:
    rows.unique("id")
    out = []
    for row, rec in rows.rows:
        tid = rows.integer(row, rec, "id")
        measure = rows.integer(row, rec, "measure")
        # The range comes from plan.toml's `measures` (2018–2020: 3–32); a plan without one is not checked.
        if measure is not None and measures is not None and not measures[0] <= measure <= measures[1]:
            rows.error(row, "measure", f"举措编号 {measure} 不在方案的 {measures[0]}–{measures[1]} 之内")
        lead = check_department(rows, row, "lead_department", rec["lead_department"], False)
        parts = tuple(
            check_department(rows, row, "participants", p, True)
            for p in rec["participants"].split("、") if p.strip()
        )
        if not rec["title"]:
            rows.error(row, "title", "工作任务名称为空")
        predecessor, change = _continuity(rows, row, rec, task=True)
        out.append(Task(tid or 0, rec["title"], measure or 0, lead, parts, rec["content"], predecessor, change))
    return out


def _districts(rows: _Rows) -> list[District]:
    rows.unique("adcode")
    out = []
    for order, (row, rec) in enumerate(rows.rows):
        if not (rec["adcode"].isdigit() and len(rec["adcode"]) == 6):
            rows.error(row, "adcode", f"“{rec['adcode']}”不是6位行政区划代码")
        if rec["kind"] not in DISTRICT_KINDS:
            rows.error(row, "kind", f"“{rec['kind']}”应为 {'、'.join(DISTRICT_KINDS)} 之一")
        out.append(District(rec["adcode"], rec["name"], rec["kind"], order))
    return out


def _targets(rows: _Rows, check_department, task_ids: set[int]) -> list[Target]:
    rows.unique("id")
    out = []
    for order, (row, rec) in enumerate(rows.rows):
        comparator, kind = rec["comparator"], rec["kind"]
        if comparator not in COMPARATORS:
            rows.error(row, "comparator", f"“{comparator}”应为 {' '.join(COMPARATORS)} 之一")
        if kind not in KINDS:
            rows.error(row, "kind", f"“{kind}”应为 numeric 或 yesno")
        value = rows.number(row, rec, "target_value")
        vmax = rows.number(row, rec, "target_max", optional=True)
        if comparator == "区间" and (vmax is None or value is None or vmax <= value):
            rows.error(row, "target_max", "区间目标需要大于 target_value 的上限")
        if kind == "yesno" and value not in (None, 1.0):
            rows.error(row, "target_value", "是/否类目标的目标值应为 1（表示“是”）")
        task_id = rows.integer(row, rec, "task_id", optional=True)
        if task_id is not None and task_id not in task_ids:
            rows.error(row, "task_id", f"任务编号 {task_id} 不在 tasks.csv 中")
        lead = check_department(rows, row, "lead_department", rec["lead_department"], False)
        qualifier, frequency = rec.get("qualifier", ""), rec.get("frequency", "") or "quarterly"
        if qualifier not in QUALIFIERS:
            rows.error(row, "qualifier", f"“{qualifier}”应为 超过、左右 或留空")
        elif qualifier and (comparator != "≥" or qualifier not in rec["source_clause"]):
            rows.error(row, "qualifier", f"“{qualifier}”须是方案原文（source_clause）中的用词，且比较符为 ≥")
        if frequency not in FREQUENCIES:
            rows.error(row, "frequency", f"“{frequency}”应为 quarterly（每季度）或 annual（每年）")
        predecessor, change = _continuity(rows, row, rec, task=False)
        out.append(Target(
            id=rec["id"], category=rec["category"], name=rec["name"], unit=rec["unit"],
            comparator=comparator, target_value=value or 0.0, target_max=vmax,
            target_year=rows.integer(row, rec, "target_year") or 0, kind=kind, task_id=task_id,
            lead_department=lead, lead_basis=rec["lead_basis"],
            district_breakdown=rows.boolean(row, rec, "district_breakdown"),
            baseline=rows.number(row, rec, "baseline", optional=True),
            source_clause=rec["source_clause"], order=order, qualifier=qualifier,
            definition=rec.get("definition", ""), data_source=rec.get("data_source", ""), frequency=frequency,
            predecessor=predecessor, change=change,
        ))
    return out


def _continuity(rows: _Rows, row: int, rec: dict, task: bool) -> tuple[str, str]:
    """The optional predecessor and change cells of a target or task row, checked (issue 15)."""
    predecessor, change = rec.get("predecessor", ""), rec.get("change", "")
    example = "2018-2020/1" if task else "2018-2020/T02"
    if change and change not in CHANGES:
        rows.error(row, "change", f"“{change}”应为 {'、'.join(CHANGES)} 之一（或留空）")
    elif change == "取消":
        rows.error(row, "change", "取消的是上一方案中不再延续的事项，本方案中没有这一行：请删去此行，"
                                  "把上一方案的编号写入 plan.toml 的 [continuity] cancelled")
    elif change in ("继承", "调整") and not predecessor:
        rows.error(row, "predecessor", f"change 为“{change}”时须写明上一方案的对应编号，如 {example}")
    elif change == "新增" and predecessor:
        rows.error(row, "predecessor", f"change 为“新增”时不应有上一方案的编号（“{predecessor}”）：请删去，或把 change 改为 继承 或 调整")
    elif predecessor and not change:
        rows.error(row, "change", f"写了上一方案的编号“{predecessor}”，请在 change 列写明 继承 或 调整")
    if predecessor:
        from core.plans import PLAN_ID  # here, not at the top: core.plans may come to read catalogues

        plan, _, item = predecessor.partition("/")
        ok = bool(PLAN_ID.match(plan)) and (item.isdigit() if task else bool(item))
        if not ok:
            rows.error(row, "predecessor", f"“{predecessor}”应写成 上一方案编号/{'任务序号' if task else '指标编号'}，"
                                           f"如 {example}")
    return predecessor, change


def _places(rows: _Rows, district_names: set[str], task_ids: set[int]) -> list[Place]:
    rows.unique("id")
    out = []
    for row, rec in rows.rows:
        if rec["district"] not in district_names:
            rows.error(row, "district", f"区县“{rec['district']}”不在 districts.csv 中")
        task_id = rows.integer(row, rec, "task_id", optional=True)
        if task_id is not None and task_id not in task_ids:
            rows.error(row, "task_id", f"任务编号 {task_id} 不在 tasks.csv 中")
        lon, lat = rows.number(row, rec, "lon"), rows.number(row, rec, "lat")
        out.append(Place(rec["id"], rec["name"], rec["district"], task_id, lon or 0.0, lat or 0.0,
                         rows.boolean(row, rec, "approximate"), rec["source_clause"]))
    return out


# --- target aliases (the importer matches a row's target by these spellings too) --------------------


def _target_aliases(path: Path, target_ids: set[str], problems: list[str]) -> dict[str, tuple[str, ...]]:
    """target_aliases.csv (optional): target_id, alias, note — the ways departments name a target."""
    if not path.exists():
        return {}
    rows = _Rows(path, ["target_id", "alias"], problems)
    out: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for row, rec in rows.rows:
        tid, alias = rec["target_id"], rec["alias"]
        if tid not in target_ids:
            rows.error(row, "target_id", f"指标编号“{tid}”不在 targets.csv 中")
        if not alias:
            rows.error(row, "alias", "别名为空")
        elif alias in seen:
            rows.error(row, "alias", f"别名“{alias}”与第{seen[alias]}行重复")
        else:
            seen[alias] = row
            out.setdefault(tid, []).append(alias)
    return {k: tuple(v) for k, v in out.items()}
