"""Small factories for test data, written through the same services the API uses."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shapely.geometry import Point, box
from sqlmodel import Session

from api.auth import service as users
from api.auth.models import LoginSession, Role, User
from api.auth.security import create_access_token
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import JurisdictionLevel
from api.organisations import service as organisations
from api.organisations.models import Organisation, OrganisationKind
from api.organisations.schemas import OrganisationProperties

_counter = itertools.count(1)

# Test city T100 (lon 120.0-120.2, lat 30.0-30.2): district T101 west, T102 east.
# A second, unrelated city X200 lies further east.
CITY_BOX = (120.0, 30.0, 120.2, 30.2)
WEST_BOX = (120.0, 30.0, 120.1, 30.2)
EAST_BOX = (120.1, 30.0, 120.2, 30.2)
FOREIGN_BOX = (121.0, 31.0, 121.2, 31.2)
IN_WEST = (120.05, 30.1)
IN_EAST = (120.15, 30.1)
IN_FOREIGN = (121.1, 31.1)
NOWHERE = (100.0, 20.0)


def make_city(session: Session) -> None:
    def add(code, level, parent, bounds):
        jurisdictions.create(
            session=session,
            code=code,
            name=f"测试{code}",
            level=level,
            parent_code=parent,
            boundary=box(*bounds),
        )

    add("T100", JurisdictionLevel.city, None, CITY_BOX)
    add("T101", JurisdictionLevel.district, "T100", WEST_BOX)
    add("T102", JurisdictionLevel.district, "T100", EAST_BOX)
    add("X200", JurisdictionLevel.city, None, FOREIGN_BOX)
    session.commit()


def make_organisation(
    session: Session,
    kind: OrganisationKind = OrganisationKind.police_station,
    jurisdiction: str = "T101",
    at: tuple[float, float] = IN_WEST,
    capacity: int | None = None,
) -> Organisation:
    props = OrganisationProperties(
        name=f"机构{next(_counter)}", kind=kind, jurisdiction=jurisdiction, capacity=capacity
    )
    organisation = organisations.create(
        session=session,
        props=props,
        location=Point(*at),
        jurisdiction=jurisdictions.get_by_code(session=session, code=jurisdiction),
    )
    session.commit()
    return organisation


@dataclass
class Account:
    user: User
    password: str
    headers: dict[str, str]


def make_user(
    session: Session,
    role: Role,
    jurisdiction: str = "T100",
    password: str = "correct-horse-42",
    organisation_id: int | None = None,
) -> Account:
    user = users.create_user(
        session=session,
        username=f"{role.value}{next(_counter)}",
        password=password,
        role=role,
        jurisdiction_code=jurisdiction,
        organisation_id=organisation_id,
    )
    login = LoginSession(user_id=user.id, expires_at=datetime.now(UTC) + timedelta(days=1))
    session.add(login)
    session.commit()
    token, _ = create_access_token(user.id, user.role, login.id)
    return Account(user=user, password=password, headers={"Authorization": f"Bearer {token}"})


def point_feature(lon: float, lat: float, radius_m: float | None = 50.0, **properties: Any) -> dict:
    props = {"name": f"热点{next(_counter)}", "kind": "bridge_culvert", "radius_m": radius_m, **properties}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}


def square_ring(lon: float, lat: float, half: float = 0.001) -> list[list[float]]:
    """A closed square ring, rounded to the 7 decimals the API answers with."""
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    return [[round(lon + dx, 7), round(lat + dy, 7)] for dx, dy in corners]


def polygon_feature(ring: list[list[float]], **properties: Any) -> dict:
    props = {"name": f"区域{next(_counter)}", "kind": "park", **properties}
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": props}


def make_team(session: Session, jurisdiction: str, *members: Account, call_sign: str | None = None):
    from api.teams.models import Team, TeamMember

    team = Team(
        call_sign=call_sign or f"巡{next(_counter)}",
        jurisdiction_id=jurisdictions.get_by_code(session=session, code=jurisdiction).id,
    )
    session.add(team)
    session.flush()
    session.add_all(TeamMember(team_id=team.id, user_id=m.user.id) for m in members)
    session.commit()
    return team


def make_hotspot(session: Session, lon: float, lat: float, radius_m: float = 50.0, **properties: Any):
    from api.auth.deps import system_principal
    from api.hotspots import service as hotspots
    from api.hotspots.schemas import HotspotCreate
    from geo.datum import Datum

    feature = HotspotCreate.model_validate(point_feature(lon, lat, radius_m=radius_m, **properties))
    hotspot, _ = hotspots.create(
        session=session, principal=system_principal(), feature=feature, datum=Datum.wgs84
    )
    session.commit()
    return hotspot


def track(start, *, seconds: int, step_s: int = 5, towards=None, datum: str = "wgs84", accuracy: float = 8.0):
    """Points every ``step_s`` seconds from ``start`` (lon, lat, datetime), standing still or
    moving straight to ``towards`` (lon, lat) by the end."""
    import uuid as _uuid
    from datetime import timedelta

    lon0, lat0, t0 = start
    lon1, lat1 = towards or (lon0, lat0)
    steps = seconds // step_s
    points = []
    for i in range(steps + 1):
        f = i / steps if steps else 0
        points.append(
            {
                "id": str(_uuid.uuid4()),
                "t": (t0 + timedelta(seconds=i * step_s)).isoformat(),
                "lon": lon0 + (lon1 - lon0) * f,
                "lat": lat0 + (lat1 - lat0) * f,
                "datum": datum,
                "accuracy_m": accuracy,
            }
        )
    return points


def inbox(client, account: Account, *, at_least: int = 1, timeout: float = 10.0) -> list[dict]:
    """The account's inbox items.

    An item is served once every older write transaction in the cluster has finished (the
    gap-free cursor), so under load it can lag its commit by a moment: poll, as phones do.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        items = client.get("/api/v1/inbox", headers=account.headers).json()["items"]
        if len(items) >= at_least or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def encounter_body(**overrides: Any) -> dict:
    """A valid encounter as a phone sends it: an adult met in district T101 five minutes ago."""
    import uuid as _uuid
    from datetime import UTC, datetime, timedelta

    body = {
        "id": str(_uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "place": {"lon": IN_WEST[0], "lat": IN_WEST[1]},
        "age_band": "40_59",
        "sex": "male",
        "civil_capacity": "full",
        "outcome": "resolved_on_site",
    }
    return {**body, **overrides}
