import pytest

from api.auth.models import Role
from tests.factories import make_city, make_user


@pytest.fixture
def city(session):
    make_city(session)


@pytest.fixture
def dispatcher(session, city):
    """A dispatcher for the whole test city T100."""
    return make_user(session, Role.dispatcher, "T100")


@pytest.fixture
def west_dispatcher(session, city):
    """A dispatcher scoped to district T101 only."""
    return make_user(session, Role.dispatcher, "T101")


@pytest.fixture
def count_rows(session):
    from sqlalchemy import text

    def count(table: str) -> int:
        session.rollback()
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    return count
