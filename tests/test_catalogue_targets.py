"""Hold data/plans/2018-2020/targets.csv and data/plans/2018-2020/places.csv to the plan text.

The two CSV files are hand-curated; these tests check that every row can be
traced back to the plan's own words (source_clause is a verbatim substring),
that numbers match the clause they were read from, and that each target's
lead department is the 牵头部门 the annex gives for its task.

Standard library only (csv, re, pathlib), so it runs without the app stack.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGETS_CSV = ROOT / "data/plans/2018-2020/targets.csv"
PLACES_CSV = ROOT / "data/plans/2018-2020/places.csv"

TARGET_COLUMNS = [
    "id", "category", "name", "unit", "comparator", "target_value", "target_max",
    "target_year", "kind", "task_id", "lead_department", "lead_basis",
    "district_breakdown", "baseline", "source_clause",
    # indicator metadata (issue 16): the plan's 超过/左右, 口径, data source, reporting frequency
    "qualifier", "definition", "data_source", "frequency",
]
PLACE_COLUMNS = ["id", "name", "district", "task_id", "lon", "lat", "approximate", "source_clause"]

MAIN_CATEGORIES = {"产品工程服务和环境质量", "产业发展质量", "区域质量水平", "质量基础设施"}
ANNEX_CATEGORY = "任务分解指标"
COMPARATORS = {"≥", "≤", "=", "区间"}
KINDS = {"numeric", "yesno"}
LEAD_BASES = {"附件明确", "按任务归口"}
DISTRICTS = {"赤坎区", "霞山区", "坡头区", "麻章区", "遂溪县", "徐闻县", "廉江市", "雷州市", "吴川市"}
# Zhanjiang's bounding box (WGS84), generous by a few hundredths of a degree.
LON_RANGE = (109.65, 110.95)
LAT_RANGE = (20.15, 21.95)
# A 100% target may be written in words rather than as "100%".
FULL_COVERAGE_WORDS = ("全部", "全覆盖", "所有", "实现全市")

NUMBER = re.compile(r"\d+(?:\.\d+)?")


# --------------------------------------------------------------------------- helpers

def plan_path() -> Path:
    local = ROOT / "data/source/zhanjiang-quality-action-plan.txt"
    if local.exists():
        return local
    return Path(__file__).resolve().parents[2] / "shared/source/zhanjiang-quality-action-plan.txt"


@lru_cache(maxsize=1)
def plan_text() -> str:
    return plan_path().read_text(encoding="utf-8")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} must not start with a BOM"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@lru_cache(maxsize=1)
def _targets() -> tuple[tuple[str, ...], tuple[tuple[tuple[str, str], ...], ...]]:
    header, rows = read_csv(TARGETS_CSV)
    return tuple(header), tuple(tuple(r.items()) for r in rows)


@lru_cache(maxsize=1)
def _places() -> tuple[tuple[str, ...], tuple[tuple[tuple[str, str], ...], ...]]:
    header, rows = read_csv(PLACES_CSV)
    return tuple(header), tuple(tuple(r.items()) for r in rows)


def targets() -> list[dict[str, str]]:
    return [dict(r) for r in _targets()[1]]


def places() -> list[dict[str, str]]:
    return [dict(r) for r in _places()[1]]


def numbers_in(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(text)]


def main_goals_section() -> str:
    text = plan_text()
    start = text.index("2.主要目标")
    end = text.index("二、全面提升质量供给水平", start)
    return text[start:end]


def canonical_department(name: str) -> str:
    name = name.strip().rstrip(":：;；。,，、 ")
    if name and not name.startswith(("市", "湛江", "团市委")):
        name = "市" + name
    return name


@lru_cache(maxsize=1)
def annex_tasks() -> dict[int, dict[str, str]]:
    """Parse the annex table: {task number: {title, content, lead}}.

    After the header lines ("工作任务 |", "主要内容 |", "责任部门 |") each task
    is three lines: "N.title |", "content |", "牵头部门:X;参与部门:… |".
    """
    text = plan_text()
    annex = text[text.index("附件:"):]
    lines = [ln.strip() for ln in annex.splitlines()]
    start = lines.index("主要内容 |")
    # skip "主要内容 |" and "责任部门 |"
    body = [ln for ln in lines[start + 2:] if ln]
    tasks: dict[int, dict[str, str]] = {}
    i = 0
    while i < len(body):
        m = re.match(r"^(\d+)\.(.+?)\s*\|$", body[i])
        assert m, f"unexpected annex line: {body[i]!r}"
        content = body[i + 1].rstrip("|").strip()
        resp = body[i + 2].rstrip("|").strip()
        lm = re.match(r"^牵头部门[:：](.+?)(?:[;；:：。]|$)", resp)
        assert lm, f"no 牵头部门 in {resp!r}"
        tasks[int(m.group(1))] = {
            "title": m.group(2).strip(),
            "content": content,
            "lead": canonical_department(lm.group(1)),
        }
        i += 3
    return tasks


# --------------------------------------------------------------------------- annex parser

def test_annex_parses_into_thirty_tasks():
    tasks = annex_tasks()
    assert sorted(tasks) == list(range(1, 31))
    assert tasks[1]["lead"] == "市农业农村局"
    assert tasks[12]["lead"] == "市政务服务数据管理局"
    assert tasks[13]["lead"] == "市市场监管局"  # "牵头部门:市市场监管局。" (no 参与部门)
    assert tasks[28]["lead"] == "市财政局"  # written "市财政局:参与部门…"
    assert tasks[29]["lead"] == "市教育局"  # written "市教育局:参与部门…"


# --------------------------------------------------------------------------- targets.csv

def test_targets_header_exact():
    assert list(_targets()[0]) == TARGET_COLUMNS


def test_target_count():
    assert 45 <= len(targets()) <= 60


def test_target_ids_unique_and_sequential():
    ids = [r["id"] for r in targets()]
    assert len(ids) == len(set(ids))
    assert ids == [f"T{i:02d}" for i in range(1, len(ids) + 1)]


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_target_row_fields(row):
    assert row["name"].strip() == row["name"] and row["name"]
    assert row["unit"].strip()
    assert row["comparator"] in COMPARATORS
    assert row["kind"] in KINDS
    assert row["lead_basis"] in LEAD_BASES
    assert row["district_breakdown"] in {"true", "false"}
    assert row["baseline"] == "", "the plan gives no baselines"
    assert row["target_year"] == "2020"
    assert row["category"] in MAIN_CATEGORIES | {ANNEX_CATEGORY}
    # main-target rows are assigned by subject, annex rows are stated in the task
    if row["category"] == ANNEX_CATEGORY:
        assert row["lead_basis"] == "附件明确"
    else:
        assert row["lead_basis"] == "按任务归口"
    float(row["target_value"])
    if row["comparator"] == "区间":
        assert row["target_max"] != ""
        assert float(row["target_max"]) > float(row["target_value"])
    else:
        assert row["target_max"] == ""
    if row["kind"] == "yesno":
        assert row["unit"] == "是/否"
        assert row["comparator"] == "="
        assert float(row["target_value"]) == 1
    if row["unit"] == "%":
        assert 0 < float(row["target_value"]) <= 100


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_source_clause_is_verbatim(row):
    clause = row["source_clause"]
    assert clause and clause == clause.strip()
    assert clause in plan_text(), f"{row['id']}: clause not in plan: {clause!r}"


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_clause_comes_from_its_section(row):
    """主要目标 rows quote 一.2; annex rows quote their own task's 主要内容."""
    clause = row["source_clause"]
    if row["category"] == ANNEX_CATEGORY:
        assert clause in annex_tasks()[int(row["task_id"])]["content"]
    else:
        assert clause in main_goals_section()


@pytest.mark.parametrize(
    "row", [r for r in targets() if r["kind"] == "numeric"], ids=lambda r: r["id"]
)
def test_numeric_values_appear_in_clause(row):
    found = numbers_in(row["source_clause"])
    value = float(row["target_value"])
    if value == 100 and value not in found:
        # "全部采用"/"全覆盖"/"所有新建建筑" — 100% written in words
        assert any(w in row["source_clause"] for w in FULL_COVERAGE_WORDS), row["id"]
    else:
        assert value in found, f"{row['id']}: {value} not in {row['source_clause']!r}"
    if row["target_max"]:
        assert float(row["target_max"]) in found


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_lead_department_matches_annex(row):
    task_id = int(row["task_id"])
    assert 1 <= task_id <= 30
    assert row["lead_department"] == annex_tasks()[task_id]["lead"]


def test_targets_in_plan_order():
    """主要目标 rows first, then annex rows, each in the order of the plan text."""
    rows = targets()
    cats = [r["category"] == ANNEX_CATEGORY for r in rows]
    assert cats == sorted(cats), "main-goal rows must precede annex rows"
    text = plan_text()
    annex_start = text.index("附件:")
    positions = []
    for r in rows:
        start = annex_start if r["category"] == ANNEX_CATEGORY else 0
        positions.append(text.index(r["source_clause"], start))
    assert positions == sorted(positions)


def test_district_breakdown_share():
    flagged = [r for r in targets() if r["district_breakdown"] == "true"]
    assert 8 <= len(flagged) <= 16
    # counts and money totals are never split by district
    for r in flagged:
        assert r["unit"] in {"%", "是/否"}, r["id"]


def _by_name(name: str) -> dict[str, str]:
    matches = [r for r in targets() if r["name"] == name]
    assert len(matches) == 1, name
    return matches[0]


@pytest.mark.parametrize(
    "name, value, unit, comparator, task_id",
    [
        ("农产品质量安全例行检测总体合格率", 96, "%", "≥", 1),
        ("社会公用计量标准", 250, "项", "≥", 22),
        ("省级农业标准化示范区总数", 31, "个", "≥", 1),
        ("技术改造累计完成投资", 420, "亿元", "≥", 4),
        ("行政村卫生站公建民营标准化建设", 1501, "条", "≥", 12),
        ("人均基本公共卫生服务经费", 65, "元", "≥", 12),
        ("全员劳动生产率", 66, "万元/人", "≥", 4),
        ("制造业质量竞争力指数", 90, "指数", "≥", 16),
    ],
)
def test_spot_values(name, value, unit, comparator, task_id):
    row = _by_name(name)
    assert float(row["target_value"]) == value
    assert row["unit"] == unit
    assert row["comparator"] == comparator
    assert int(row["task_id"]) == task_id


def test_spot_ranges_and_yesno():
    row = _by_name("国家级建筑产业现代化示范项目")
    assert (row["comparator"], row["target_value"], row["target_max"]) == ("区间", "2", "3")
    air = _by_name("空气质量达到国家二级标准")
    assert (air["kind"], air["target_value"], air["task_id"]) == ("yesno", "1", "8")
    assert air["district_breakdown"] == "true"


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_qualifier_is_the_plans_own_word(row):
    """超过 (strictly more than) and 左右 (about) are judged as written: every clause that says one
    carries it, and no row carries one its clause does not say."""
    for word in ("超过", "左右"):
        assert (word in row["source_clause"]) == (row["qualifier"] == word), row["id"]
    if row["qualifier"]:
        assert row["comparator"] == "≥"


def test_strict_and_about_targets_are_the_issues_list():
    strict = [r["id"] for r in targets() if r["qualifier"] == "超过"]
    assert strict == ["T01", "T05", "T16", "T17", "T19", "T20", "T28", "T35"]
    assert [r["id"] for r in targets() if r["qualifier"] == "左右"] == ["T33"]


@pytest.mark.parametrize("row", targets(), ids=lambda r: r["id"])
def test_indicator_metadata_present(row):
    assert row["definition"].strip() and row["data_source"].strip()
    assert row["frequency"] in {"quarterly", "annual"}
    assert row["lead_department"] in row["data_source"]  # the source names who reports it


# --------------------------------------------------------------------------- places.csv

def test_places_header_exact():
    assert list(_places()[0]) == PLACE_COLUMNS


def test_place_ids_unique_and_sequential():
    ids = [r["id"] for r in places()]
    assert ids and len(ids) == len(set(ids))
    assert ids == [f"P{i:02d}" for i in range(1, len(ids) + 1)]
    names = [r["name"] for r in places()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("row", places(), ids=lambda r: r["id"])
def test_place_row(row):
    assert row["district"] in DISTRICTS
    assert 1 <= int(row["task_id"]) <= 30
    lon, lat = float(row["lon"]), float(row["lat"])
    assert LON_RANGE[0] <= lon <= LON_RANGE[1]
    assert LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    assert re.fullmatch(r"\d{3}\.\d{3}", row["lon"]) and re.fullmatch(r"\d{2}\.\d{3}", row["lat"])
    assert row["approximate"] == "true"
    clause = row["source_clause"]
    assert clause and clause in plan_text()
    assert clause in annex_tasks()[int(row["task_id"])]["content"]


def test_spot_places():
    by_name = {r["name"]: r for r in places()}
    assert by_name["高新区海东园区"]["district"] == "坡头区"
    assert by_name["湛江—北海粤桂北部湾经济合作区"]["district"] == "廉江市"
    assert by_name["吴川羽绒一站式服务平台"]["task_id"] == "25"
