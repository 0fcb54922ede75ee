"""The benchmark tooling measures what it says: the synthetic data has the promised shape,
every page of the page registry is benchmarked, and the report states goals met or missed."""
from __future__ import annotations

from sqlalchemy import text

from benchmarks import bench_pages, run_all, synthetic
from db import queries
from db.engine import get_engine


def test_province_generator_writes_monthly_history_for_every_unit_and_target(fresh_db):
    small = synthetic.Scale("mini", units=12, targets=54, years=2, reports_per_quarter=3)
    synthetic._fill_province(small)
    counts = synthetic.row_counts()
    assert (counts["districts"], counts["targets"], counts["periods"]) == (12, 54, 12)  # 2019Q1…2020Q4 kept
    with get_engine().connect() as conn:
        per_cell = conn.execute(text("""
            SELECT MIN(n), MAX(n), COUNT(*) FROM (
                SELECT COUNT(*) AS n FROM indicatorvalue
                WHERE period_code >= '2019Q1' GROUP BY target_id, district_adcode, period_code)""")).one()
    assert tuple(per_cell) == (3, 3, 54 * (12 + 1) * 8)  # 3 monthly reports per cell and quarter
    current = queries.current_values(up_to_period="2020Q4")
    assert len(current) == 54 * 13 * 8 and current["target_id"].nunique() == 54
    assert not current["is_demo"].any()


def test_every_registered_page_is_benchmarked_once():
    pages = bench_pages.registered_pages()
    files = [p for p, _ in pages]
    assert "pages/targets.py" in files and len(files) == len(set(files))
    from services.pages import PAGES

    assert set(files) == {p.script for p in PAGES}  # app.py builds its menu from the same registry


def _page(page, warm, errors=(), after=None):
    return {"page": page, "title": page, "cold_ms": warm * 3, "warm_ms": warm, "errors": list(errors),
            "after_write_ms": after if after is not None else warm * 4, "hot_spots": ["900 ms  core/x.py:1 slow"]}


def test_report_says_which_goals_are_missed_and_by_how_much():
    data = {"districts": 9, "targets": 52, "departments": 40, "periods": 12, "submissions": 1, "values": 2,
            "progress": 3, "file_mb": 1.0, "seconds": 1.0}
    results = {"when": "now", "machine": {"CPU": "test"}, "load_before": "0", "load_after": "0",
               "city": {"scale": "city", "data": data, "pages": [_page("pages/a.py", 50)], "peak_rss_mb": 200},
               "province": {"scale": "province", "data": data, "peak_rss_mb": 300,
                            "pages": [_page("pages/a.py", 100, after=350), _page("pages/b.py", 450, after=1500)]},
               "start": {"plain": {"health_s": 1.0, "first_run_s": 4.2, "first_page_s": 6.0, "peak_rss_mb": 240},
                         "service": {"health_s": 3.0, "ready_s": 9.0, "first_run_s": 0.2, "first_page_s": 1.5,
                                     "peak_rss_mb": 250, "warm_log": "/ 4.0s，/targets 1.0s"},
                         "apptest_first_s": 4.0},
               "upload": "calamine 0.1 s, pipeline 0.15 s"}
    md = run_all.render(results)
    assert "| pages/a.py `pages/a.py` | 150 | 50 | 200 | 300 | 100 | 350 | met |" in md
    assert "warm missed by 300 ms (3.0×); after write missed by 500 ms" in md and "900 ms  core/x.py:1 slow" in md
    a_city, a_prov = _page("pages/a.py", 50, after=300), _page("pages/a.py", 100, after=700)
    assert run_all.page_verdict(a_prov, a_city) == "after write 2.3× the city figure"
    assert "First page goal, server side (service): met." in md
    assert "First page goal, in the browser, empty cache (service): missed by 0.50 s." in md
    assert "| first visit to /, server side (websocket → script finished) | 4.2 | 0.2 |" in md
    assert "`manage.py serve` server after the first browser visit (VmHWM) | 250 MB" in md
    assert "calamine 0.1 s, pipeline 0.15 s" in md
