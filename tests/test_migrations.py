"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from api.db import get_engine
from api.migrations.config import include_object


def test_models_and_migrations_agree(migrated):
    with get_engine().connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
