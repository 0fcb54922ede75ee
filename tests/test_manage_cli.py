import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(var, *args):
    env = {"ZJ_VAR_DIR": str(var), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_init_demo_catalogue_check_and_backup(tmp_path):
    r = run(tmp_path, "init", "--demo")
    assert r.returncode == 0, r.stderr
    assert "已载入演示数据" in r.stdout
    r = run(tmp_path, "init", "--demo")
    assert "已载入演示数据" not in r.stdout and "新增 0" in r.stdout
    r = run(tmp_path, "catalogue", "check")
    assert r.returncode == 0 and "30 项任务" in r.stdout and "38 个部门" in r.stdout
    out = tmp_path / "b.sqlite3"
    r = run(tmp_path, "backup", "-o", str(out))
    assert r.returncode == 0, r.stderr
    with sqlite3.connect(out) as conn:
        assert conn.execute("select count(*) from target").fetchone()[0] >= 45
        assert conn.execute("select count(*) from indicatorvalue").fetchone()[0] > 500
    r = run(tmp_path, "demo", "clear")
    assert r.returncode == 0 and "已删除演示数据" in r.stdout
