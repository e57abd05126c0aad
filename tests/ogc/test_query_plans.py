"""The layers' bbox filters are served by the GiST indexes (EXPLAIN on a realistic amount of data)."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from api.auth.deps import system_principal
from api.auth.models import Role
from api.ogc.layers import EncounterGridLayer, Filters, HotspotLayer, Window
from tests.factories import make_user


class Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, statement) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element, compiler, **kw) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def plan(session, statement) -> str:
    return "\n".join(session.execute(Explain(statement)).scalars())


@pytest.fixture
def busy_city(session, city):
    """Five thousand hotspots and twenty thousand encounters over the test city, analysed."""
    officer = make_user(session, Role.officer, "T100")
    session.execute(
        sa.text("""
        INSERT INTO hotspots (id, name, kind, risk_level, jurisdiction_id, geom, radius_m, version)
        SELECT gen_random_uuid(), 'h' || n, 'other', 'low',
               (SELECT id FROM jurisdictions WHERE code = 'T101'),
               ST_SetSRID(ST_MakePoint(120 + random() * 0.2, 30 + random() * 0.2), 4326), 50, 1
        FROM generate_series(1, 5000) n""")
    )
    session.execute(
        sa.text("""
        INSERT INTO encounters (id, jurisdiction_id, officer_id, occurred_at, geom, age_band, sex,
                                civil_capacity, outcome, consent_recorded, told_station_contact)
        SELECT gen_random_uuid(), (SELECT id FROM jurisdictions WHERE code = 'T101'), :officer,
               now() - random() * interval '20 days',
               ST_SetSRID(ST_MakePoint(120 + random() * 0.2, 30 + random() * 0.2), 4326),
               'unknown', 'unknown', 'unknown', 'no_contact', false, false
        FROM generate_series(1, 20000) n"""),
        {"officer": officer.user.id},
    )
    session.execute(sa.text("ANALYZE hotspots; ANALYZE encounters"))
    session.commit()


def test_bbox_queries_use_the_gist_indexes(session, busy_city):
    small = Filters(principal=system_principal(), bbox=box(120.05, 30.05, 120.06, 30.06))
    assert "idx_hotspots_area" in plan(session, HotspotLayer().page(small, 100, 0))
    assert "idx_hotspots_area" in plan(session, HotspotLayer().count(small))
    grid = EncounterGridLayer(cell_m=500, min_count=3, default_days=30)
    window = Window(start=None, end=datetime.now(UTC))
    counted = plan(session, grid.page(Filters(small.principal, small.bbox, window), 100, 0))
    assert "idx_encounters_geom" in counted, counted
