"""Typed access to data/plan/settings.toml (the explanations live in that file)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.paths import SETTINGS_FILE


@dataclass(frozen=True)
class Settings:
    first_period: str
    last_period: str
    deadline_days: int
    on_track: float
    warning: float
    due_soon_days: int
    max_file_mb: float
    max_uncompressed_mb: float
    parse_memory_mb: int
    parse_seconds: int
    cache_ttl_seconds: int


@lru_cache(maxsize=4)
def load_settings(path: Path = SETTINGS_FILE) -> Settings:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    p, s, u, c = raw["periods"], raw["status"], raw["upload"], raw["cache"]
    return Settings(
        first_period=p["first"],
        last_period=p["last"],
        deadline_days=int(p["deadline_days"]),
        on_track=float(s["on_track"]),
        warning=float(s["warning"]),
        due_soon_days=int(s["due_soon_days"]),
        max_file_mb=float(u["max_file_mb"]),
        max_uncompressed_mb=float(u["max_uncompressed_mb"]),
        parse_memory_mb=int(u["parse_memory_mb"]),
        parse_seconds=int(u["parse_seconds"]),
        cache_ttl_seconds=int(c["ttl_seconds"]),
    )
