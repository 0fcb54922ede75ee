"""`manage.py` in-process: `manage.main([...])` against a given runtime folder, output captured.

A subprocess costs a fresh interpreter and every import (~2 s each under load); the commands are
functions, so tests call them directly. Two real subprocess smoke tests stay (tests/test_manage_cli.py,
tests/test_warm_start.py) to prove the script itself starts.
"""
from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(var: Path, *args: str, **env: str) -> CliResult:
    """manage.main(args) with ZJ_VAR_DIR=var (and `env`) for the call only; SystemExit becomes the code."""
    import manage
    from db.engine import dispose_engines
    from tests.conftest import clear_streamlit_caches

    saved = {k: os.environ.get(k) for k in ("ZJ_VAR_DIR", "DATABASE_URL", *env)}
    os.environ["ZJ_VAR_DIR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(env)
    dispose_engines()
    clear_streamlit_caches()
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = manage.main(list(args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        dispose_engines()
        clear_streamlit_caches()
    return CliResult(code, out.getvalue(), err.getvalue())
