"""manage.py assessment, in-process: JSON per department, text, exit codes 0 / 1 (refused) / 2 (bad input)."""
from __future__ import annotations

import json

import manage

KEYS = {"department", "quarterly", "rollup", "bonus", "penalty", "veto", "self_score", "final", "grade", "rank",
        "locked", "rank_text", "state", "equation"}


def test_json_lists_every_department_with_the_annual_result(demo_db, capsys):
    assert manage.main(["assessment", "--year", "2020", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2020 and out["demo"] is True and any("第四季度 2 份" in line for line in out["rule"])
    rows = out["departments"]
    assert len(rows) == 38 and all(KEYS <= set(r) for r in rows)
    for r in rows:
        assert list(r["quarterly"]) == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]
        assert r["final"] == round(min(100, max(0, r["rollup"] - r["penalty"] + r["bonus"])), 1)
        assert r["locked"] is False
    vetoed = [r for r in rows if r["veto"]]
    assert len(vetoed) == 1 and vetoed[0]["grade"] == "D" and vetoed[0]["veto_reason"]
    ranked = [r["rank"] for r in rows if r["rank"] is not None]
    assert ranked == sorted(ranked) and ranked[0] == 1
    assert {r["rank_text"] for r in rows if r["rank"] is None} == {"样本不足（不排名）"}


def test_decided_year_is_locked_and_one_department_can_be_asked_for(demo_db, capsys):
    assert manage.main(["assessment", "--year", "2019", "--format", "json", "--department", "市水务局"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["departments"]
    assert row["locked"] is True and row["state"] == "核定" and row["penalty"] == 2.0
    assert row["equation"] == f"{row['rollup']:.1f} − 2.0 + 0.0 = {row['final']:.1f}"


def test_text_format_prints_rank_equation_and_grade(demo_db, capsys):
    assert manage.main(["assessment", "--year", "2019"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "（含演示数据）" and lines[1].startswith("第1名\t") and len(lines) == 39
    assert any("样本不足（不排名）" in line for line in lines)


def test_bad_input_exits_2_and_unready_database_exits_1(demo_db, capsys, tmp_path, monkeypatch):
    assert manage.main(["assessment", "--year", "2031"]) == 2
    assert "2031 年不在报告期内" in capsys.readouterr().err
    assert manage.main(["assessment", "--year", "二〇二〇"]) == 2
    assert "年度应为四位数字" in capsys.readouterr().err
    assert manage.main(["assessment", "--year", "2020", "--department", "市不存在局"]) == 2
    from db.engine import dispose_engines

    # An empty database (whatever the suite runs on: DATABASE_URL wins over ZJ_VAR_DIR).
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    dispose_engines()
    assert manage.main(["assessment", "--year", "2020"]) == 1
    assert "请先运行 manage.py init" in capsys.readouterr().err
