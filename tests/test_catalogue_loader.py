"""The loader reads the real catalogue, and names file, row and column for every problem."""
import shutil

import pytest

from core.catalogue import CatalogueError, load_catalogue
from core.paths import PLAN_DIR, SOURCE_TEXT


def test_real_catalogue_loads():
    cat = load_catalogue()
    assert len(cat.tasks) == 30
    assert [t.id for t in cat.tasks] == list(range(1, 31))
    assert [t.measure for t in cat.tasks] == list(range(3, 33))
    assert 45 <= len(cat.targets) <= 60
    assert len(cat.districts) == 9
    assert len(cat.department_names()) == 38
    groups = {d.name for d in cat.departments if d.kind == "group"}
    assert groups == {"市直相关单位", "市质量强市工作领导小组成员单位"}


def test_departments_are_normalised():
    cat = load_catalogue()
    names = cat.department_names(include_groups=True)
    assert len(names) == len(set(names))
    assert all(not n.endswith((":", "：")) for n in names)
    assert "文化广电旅游体育局" not in names
    assert cat.canonical_department("文化广电旅游体育局") == "市文化广电旅游体育局"
    task20 = next(t for t in cat.tasks if t.id == 20)
    assert "市文化广电旅游体育局" in task20.participants
    assert next(t for t in cat.tasks if t.id == 28).lead_department == "市财政局"
    assert next(t for t in cat.tasks if t.id == 29).lead_department == "市教育局"


def test_tasks_hold_the_annex_text_verbatim():
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    for t in load_catalogue().tasks:
        assert f"{t.id}.{t.title} |" in text
        assert t.content in text
        assert t.lead_department.removeprefix("市") in text


def test_districts_are_the_nine_units():
    cat = load_catalogue()
    assert {d.adcode: d.name for d in cat.districts} == {
        "440802": "赤坎区", "440803": "霞山区", "440804": "坡头区", "440811": "麻章区", "440823": "遂溪县",
        "440825": "徐闻县", "440881": "廉江市", "440882": "雷州市", "440883": "吴川市"}


@pytest.fixture
def plan_copy(tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(PLAN_DIR, folder)
    return folder


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_department_is_named_with_row_and_column(plan_copy):
    _edit(plan_copy / "tasks.csv", "1,提高农产品优质供给水平,3,市农业农村局", "1,提高农产品优质供给水平,3,市农业局")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(plan_copy)
    assert any("tasks.csv 第2行 lead_department 列" in p and "市农业局" in p for p in err.value.problems)


def test_duplicate_id_bad_number_and_unknown_district_all_reported_at_once(plan_copy):
    _edit(plan_copy / "targets.csv", "T02,", "T01,")
    _edit(plan_copy / "targets.csv", ",250,", ",二百五十,")
    _edit(plan_copy / "places.csv", "坡头区", "海东区")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(plan_copy)
    problems = "\n".join(err.value.problems)
    assert "targets.csv 第3行 id 列：编号“T01”与第2行重复" in problems
    assert "target_value 列：“二百五十”不是数字" in problems
    assert "places.csv" in problems and "区县“海东区”不在 districts.csv 中" in problems


def test_group_cannot_lead(plan_copy):
    _edit(plan_copy / "tasks.csv", "13,实施重点耐用品质量整治提升工程,15,市市场监管局",
          "13,实施重点耐用品质量整治提升工程,15,市直相关单位")
    with pytest.raises(CatalogueError, match="部门组"):
        load_catalogue(plan_copy)
