"""Alembic configuration built in code, so `patrol migrate` works from any directory."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from geoalchemy2 import alembic_helpers

from api.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (database_url or get_settings().database_url).replace("%", "%%"))
    return config


def include_object(obj, name, type_, reflected, compare_to):
    """Leave procrastinate's tables to the migration that installs its schema, and the monthly
    GPS partitions to patrol_gps_partition()."""
    if type_ == "table" and name.startswith(("procrastinate", "gps_points_")):
        return False
    if type_ == "index" and obj.table.name.startswith("gps_points_"):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
