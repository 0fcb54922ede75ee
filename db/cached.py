"""Cached reads for the pages.

Each cached function is keyed by the database's data_version, which every write bumps,
so a page never shows data older than the last write even when another process wrote it.
The writing process also clears them at once; the TTL (settings.toml [cache]) bounds the
memory other processes hold.
"""
from __future__ import annotations

import importlib
from typing import Callable

import pandas as pd
import streamlit as st

from core.settings import load_settings
from db import queries
from db.engine import after_every_write, data_version

_TTL = load_settings().cache_ttl_seconds


@st.cache_data(ttl=_TTL, show_spinner=False)
def _cached(module: str, name: str, version: int, args: tuple):
    return getattr(importlib.import_module(module), name)(*args)


def read(func: Callable, *args):
    """Cache any read function of a db module: cached.read(db.some_reads.func, arg1, ...).

    Arguments must be hashable; the result is cached until the next write.
    """
    return _cached(func.__module__, func.__name__, data_version(), args)


def _read(name: str, *args):
    return _cached(queries.__name__, name, data_version(), args)


def departments() -> pd.DataFrame:
    return _read("departments")


def districts() -> pd.DataFrame:
    return _read("districts")


def periods() -> pd.DataFrame:
    return _read("periods")


def targets() -> pd.DataFrame:
    return _read("targets")


def tasks() -> pd.DataFrame:
    return _read("tasks")


def task_departments() -> pd.DataFrame:
    return _read("task_departments")


def places() -> pd.DataFrame:
    return _read("places")


def current_values(up_to_period: str | None = None, target_id: str | None = None,
                   city_only: bool = False) -> pd.DataFrame:
    return _read("current_values", up_to_period, target_id, city_only)


def latest_values(up_to_period: str | None = None) -> pd.DataFrame:
    return _read("latest_values", up_to_period)


def current_progress(up_to_period: str | None = None, task_id: int | None = None) -> pd.DataFrame:
    return _read("current_progress", up_to_period, task_id)


def submissions(department: str | None = None) -> pd.DataFrame:
    return _read("submissions", department)


def demo_present() -> bool:
    return _read("demo_present")


def clear() -> None:
    """Drop every cached read in this process: done after each write here, since reads of the
    old data version can no longer be asked for (other processes see the new version; their old
    entries go at the TTL)."""
    _cached.clear()


after_every_write(clear)
