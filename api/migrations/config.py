"""Alembic configuration built in code, so `patrol migrate` works from any directory."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from api.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (database_url or get_settings().database_url).replace("%", "%%"))
    return config
