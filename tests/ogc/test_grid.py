"""The encounter grid: counts per fixed cell, sparse cells left out, whole days, the caller's scope."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from geojson_pydantic import FeatureCollection
from shapely.geometry import box, shape

from api.auth.models import Role
from geo.grid import cell_bounds, cells_covering
from tests.encounters.conftest import encounter
from tests.factories import IN_EAST, IN_WEST, make_user
from tests.ogc.conftest import OGC, all_items

GRID = f"{OGC}/collections/encounter-grid/items"
CELL_M = 500
LOCAL = ZoneInfo("Asia/Shanghai")


def cell_at(lon: float, lat: float) -> tuple[int, int]:
    cells = cells_covering((lon, lat, lon, lat), CELL_M)
    return cells.i_min, cells.j_min


def spots_in(cell: tuple[int, int], count: int) -> list[tuple[float, float]]:
    """``count`` distinct places well inside a cell."""
    west, south, east, north = cell_bounds(*cell, CELL_M)
    return [
        (west + (east - west) * (0.3 + 0.1 * n), south + (north - south) * (0.4 + 0.05 * n))
        for n in range(count)
    ]


@pytest.fixture
def log(client, session, city):
    officer = make_user(session, Role.officer, "T100")

    def log_at(places, occurred_at: datetime) -> None:
        for lon, lat in places:
            body = encounter(
                id=str(uuid.uuid4()),
                occurred_at=occurred_at.isoformat(),
                place={"lon": lon, "lat": lat},
                match_hotspot=False,
            )
            response = client.post("/api/v1/encounters", json=body, headers=officer.headers)
            assert response.status_code == 201, response.text

    return log_at


@pytest.fixture
def counted(log):
    """Two days ago: three encounters in a west cell, two in the next-but-one west cell, four in an
    east cell."""
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    west = cell_at(*IN_WEST)
    sparse = (west[0] + 2, west[1])
    east = cell_at(*IN_EAST)
    log(spots_in(west, 3), two_days_ago)
    log(spots_in(sparse, 2), two_days_ago)
    log(spots_in(east, 4), two_days_ago)
    return {"west": west, "sparse": sparse, "east": east, "when": two_days_ago}


def cell_id(cell: tuple[int, int]) -> str:
    return f"{CELL_M}m_{cell[0]}_{cell[1]}"


def test_cells_with_too_few_encounters_are_left_out(client, readers, counted):
    body = client.get(GRID, headers=readers["supervisor"]).json()
    FeatureCollection.model_validate(body)
    counts = {f["id"]: f["properties"]["encounters"] for f in body["features"]}
    assert counts == {cell_id(counted["west"]): 3, cell_id(counted["east"]): 4}
    assert body["numberMatched"] == 2
    sparse = client.get(f"{GRID}/{cell_id(counted['sparse'])}", headers=readers["supervisor"])
    assert sparse.status_code == 404


def test_a_cell_is_its_square_with_its_count_and_window(client, readers, counted):
    response = client.get(f"{GRID}/{cell_id(counted['west'])}", headers=readers["dispatcher"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    feature = response.json()
    assert set(feature["properties"]) == {"encounters", "cell_m", "from", "until"}
    assert feature["properties"]["encounters"] == 3 and feature["properties"]["cell_m"] == CELL_M
    square = shape(feature["geometry"])
    assert square.equals(box(*square.bounds))  # a plain lon/lat rectangle
    assert square.bounds == pytest.approx(cell_bounds(*counted["west"], CELL_M), abs=1e-7)
    start = datetime.fromisoformat(feature["properties"]["from"])
    until = datetime.fromisoformat(feature["properties"]["until"])
    today = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    assert until == today and start == today - timedelta(days=30)


def test_counts_do_not_depend_on_the_bbox(client, readers, counted):
    """A bbox picks whole cells: a box over one corner of the west cell, holding none of its
    encounters, still reports all three."""
    west, south, east, north = cell_bounds(*counted["west"], CELL_M)
    corner = f"{west},{south},{west + (east - west) * 0.1},{south + (north - south) * 0.1}"
    body = client.get(GRID, params={"bbox": corner}, headers=readers["dispatcher"]).json()
    assert [(f["id"], f["properties"]["encounters"]) for f in body["features"]] == [
        (cell_id(counted["west"]), 3)
    ]
    nothing = client.get(
        GRID, params={"bbox": "120.001,30.001,120.002,30.002"}, headers=readers["dispatcher"]
    )
    assert nothing.json()["features"] == []


def test_only_encounters_in_scope_are_counted(client, readers, counted):
    features = all_items(client, GRID, readers["west_dispatcher"])
    assert [f["id"] for f in features] == [cell_id(counted["west"])]
    east = client.get(f"{GRID}/{cell_id(counted['east'])}", headers=readers["west_dispatcher"])
    assert east.status_code == 404


def test_the_window_is_whole_past_days(client, readers, counted, log):
    headers = readers["dispatcher"]
    day = counted["when"].astimezone(LOCAL).date()
    that_day = client.get(GRID, params={"datetime": day.isoformat()}, headers=headers).json()
    assert that_day["numberMatched"] == 2
    assert datetime.fromisoformat(that_day["features"][0]["properties"]["from"]).date() == day
    instant = counted["when"].isoformat().replace("+00:00", "Z")
    assert client.get(GRID, params={"datetime": instant}, headers=headers).json()["numberMatched"] == 2
    before = f"../{(day - timedelta(days=1)).isoformat()}"
    assert client.get(GRID, params={"datetime": before}, headers=headers).json()["features"] == []
    after = f"{(day + timedelta(days=1)).isoformat()}/.."
    assert client.get(GRID, params={"datetime": after}, headers=headers).json()["features"] == []
    # Today is not complete: encounters logged today wait for tomorrow, whatever the window asks.
    today_cell = (counted["west"][0], counted["west"][1] + 3)
    log(spots_in(today_cell, 5), datetime.now(UTC) - timedelta(minutes=1))
    for params in ({}, {"datetime": "../.."}, {"datetime": f"{day.isoformat()}/2999-12-31"}):
        ids = [f["id"] for f in client.get(GRID, params=params, headers=headers).json()["features"]]
        assert cell_id(today_cell) not in ids and cell_id(counted["west"]) in ids, params
