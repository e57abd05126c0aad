"""The demo city: 滨河市 (Binhe), a fictional city on a river, with three districts.

Everything here is made up for the demo: names, codes (province 99 is not a real
administrative code), boundaries and places. Coordinates sit inside mainland China so the
GCJ-02 offset is real when a Chinese basemap is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point, box

from api.auth.models import Role
from api.hotspots.models import HotspotKind, RiskLevel
from api.jurisdictions.models import JurisdictionLevel
from api.organisations.models import OrganisationKind

PROVINCE = ("990000", "江东省", JurisdictionLevel.province, None)
CITY = ("990100", "滨河市", JurisdictionLevel.city, "990000")
CITY_BOX = (112.90, 28.10, 113.06, 28.26)
RIVER_LON = 112.965  # the river runs north-south; 河西区 lies west of it

# code, name, (min_lon, min_lat, max_lon, max_lat)
DISTRICTS = [
    ("990102", "河西区", (112.90, 28.10, RIVER_LON, 28.26)),
    ("990103", "河东区", (RIVER_LON, 28.18, 113.06, 28.26)),
    ("990104", "新港区", (RIVER_LON, 28.10, 113.06, 28.18)),
]
STREET_NAMES = {
    "990102": ("望江街道", "岳麓街道"),
    "990103": ("府前街道", "东湖街道"),
    "990104": ("港口街道", "金霞镇"),
}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: JurisdictionLevel
    parent: str | None
    bounds: tuple[float, float, float, float] | None


def _split(bounds, parts: int, horizontal: bool) -> list[tuple[float, float, float, float]]:
    min_lon, min_lat, max_lon, max_lat = bounds
    step = ((max_lat - min_lat) if horizontal else (max_lon - min_lon)) / parts
    if horizontal:
        return [(min_lon, min_lat + i * step, max_lon, min_lat + (i + 1) * step) for i in range(parts)]
    return [(min_lon + i * step, min_lat, min_lon + (i + 1) * step, max_lat) for i in range(parts)]


def jurisdictions() -> list[Area]:
    """Province > city > 3 districts > 2 streets each > 2 communities each > 1 grid each."""
    areas = [Area(*PROVINCE, None), Area(*CITY, CITY_BOX)]
    for code, name, bounds in DISTRICTS:
        areas.append(Area(code, name, JurisdictionLevel.district, CITY[0], bounds))
        for s, street_bounds in enumerate(_split(bounds, 2, horizontal=True), start=1):
            street_code = f"{code}{s:03d}"
            areas.append(
                Area(street_code, STREET_NAMES[code][s - 1], JurisdictionLevel.street, code, street_bounds)
            )
            for c, community_bounds in enumerate(_split(street_bounds, 2, horizontal=False), start=1):
                community_code = f"{street_code}{c:03d}"
                community_name = (
                    f"{STREET_NAMES[code][s - 1].removesuffix('街道').removesuffix('镇')}第{c}社区"
                )
                areas.append(
                    Area(
                        community_code,
                        community_name,
                        JurisdictionLevel.community,
                        street_code,
                        community_bounds,
                    )
                )
                areas.append(
                    Area(
                        f"{community_code}01",
                        f"{community_name}一网格",
                        JurisdictionLevel.grid,
                        community_code,
                        community_bounds,
                    )
                )
    return areas


def boundary(area: Area):
    return box(*area.bounds) if area.bounds else None


@dataclass(frozen=True)
class DemoHotspot:
    name: str
    kind: HotspotKind
    risk: RiskLevel
    lon: float
    lat: float
    radius_m: float | None = 60.0
    half_size_m: float | None = None  # a polygon hotspot: square of this half-size
    notes: str | None = None


K, R = HotspotKind, RiskLevel
HOTSPOTS = [
    DemoHotspot("滨河大桥西桥洞", K.bridge_culvert, R.high, 112.9642, 28.2400, notes="避雨处，夜间常有人"),
    DemoHotspot("滨河大桥东桥洞", K.bridge_culvert, R.high, 112.9660, 28.2401),
    DemoHotspot("铁路桥涵洞", K.bridge_culvert, R.critical, 112.9645, 28.1950, notes="汛期涵洞积水，危险"),
    DemoHotspot("新港大桥桥下", K.bridge_culvert, R.high, 112.9662, 28.1500),
    DemoHotspot("金霞涵洞", K.bridge_culvert, R.medium, 113.0300, 28.1120),
    DemoHotspot("望江排洪涵洞", K.bridge_culvert, R.critical, 112.9400, 28.2200, radius_m=40),
    DemoHotspot("五一路地下通道", K.underpass, R.high, 112.9800, 28.2050, radius_m=50),
    DemoHotspot("火车站东广场地下通道", K.underpass, R.high, 113.0110, 28.1955, radius_m=80),
    DemoHotspot("岳麓路人行地道", K.underpass, R.medium, 112.9300, 28.1700, radius_m=40),
    DemoHotspot("港口路地下通道", K.underpass, R.medium, 112.9900, 28.1350, radius_m=40),
    DemoHotspot("东湖地下商场入口", K.underpass, R.low, 113.0300, 28.2300, radius_m=50),
    DemoHotspot(
        "滨河火车站",
        K.railway_station,
        R.high,
        113.0120,
        28.1940,
        None,
        250,
        notes="候车厅 24 小时开放，广场夜间聚集",
    ),
    DemoHotspot("滨河西站", K.railway_station, R.medium, 112.9150, 28.2100, None, 200),
    DemoHotspot("新港货运站", K.railway_station, R.low, 113.0450, 28.1250, radius_m=150),
    DemoHotspot("长途汽车东站", K.bus_station, R.high, 113.0400, 28.2000, radius_m=120),
    DemoHotspot("汽车南站", K.bus_station, R.medium, 112.9900, 28.1100, radius_m=100),
    DemoHotspot("西站公交枢纽", K.bus_station, R.medium, 112.9180, 28.2080, radius_m=80),
    DemoHotspot("港口公交首末站", K.bus_station, R.low, 113.0000, 28.1450, radius_m=60),
    DemoHotspot("五一广场", K.busy_street, R.high, 112.9850, 28.2000, None, 150),
    DemoHotspot("府前步行街", K.busy_street, R.high, 112.9950, 28.2200, radius_m=200),
    DemoHotspot("东湖商圈", K.busy_street, R.medium, 113.0250, 28.2350, radius_m=250),
    DemoHotspot("岳麓夜市", K.busy_street, R.medium, 112.9350, 28.1850, radius_m=150),
    DemoHotspot("港口美食街", K.busy_street, R.low, 112.9950, 28.1300, radius_m=150),
    DemoHotspot("望江商业街", K.busy_street, R.medium, 112.9500, 28.2450, radius_m=180),
    DemoHotspot(
        "橘洲风景区", K.scenic_area, R.high, 112.9680, 28.2150, None, 300, notes="江心洲，夜间无人值守"
    ),
    DemoHotspot("岳麓山南门", K.scenic_area, R.medium, 112.9250, 28.1900, radius_m=200),
    DemoHotspot("东湖风景区", K.scenic_area, R.medium, 113.0350, 28.2450, None, 350),
    DemoHotspot("金霞古镇", K.scenic_area, R.low, 113.0400, 28.1150, radius_m=250),
    DemoHotspot("滨江风光带北段", K.scenic_area, R.medium, 112.9700, 28.2500, radius_m=300),
    DemoHotspot("沿江风光带南段", K.scenic_area, R.medium, 112.9700, 28.1200, radius_m=300),
    DemoHotspot("人民公园", K.park, R.medium, 113.0000, 28.2100, None, 200),
    DemoHotspot("烈士公园东门", K.park, R.medium, 113.0200, 28.2150, radius_m=120),
    DemoHotspot("西湖公园", K.park, R.low, 112.9200, 28.2300, None, 180),
    DemoHotspot("港口游园", K.park, R.low, 113.0100, 28.1400, radius_m=100),
    DemoHotspot("望江公园凉亭", K.park, R.medium, 112.9550, 28.2350, radius_m=60),
    DemoHotspot("金霞湿地公园", K.park, R.medium, 113.0500, 28.1050, None, 250),
    DemoHotspot("市第一医院门诊楼外", K.other, R.medium, 112.9880, 28.2150, radius_m=80),
    DemoHotspot(
        "老城区拆迁空置楼", K.other, R.critical, 112.9450, 28.2050, None, 60, notes="无水无电，冬季极冷"
    ),
    DemoHotspot("24 小时自助银行（府前）", K.other, R.low, 112.9960, 28.2250, radius_m=30),
    DemoHotspot("港口码头候船棚", K.other, R.high, 112.9680, 28.1400, radius_m=80),
    DemoHotspot("建设工地围挡外", K.other, R.medium, 113.0200, 28.1700, radius_m=70),
    DemoHotspot("环城高架桥下", K.bridge_culvert, R.high, 113.0500, 28.2050, radius_m=120),
    DemoHotspot("东湖立交桥下", K.bridge_culvert, R.medium, 113.0450, 28.2380, radius_m=100),
    DemoHotspot("火车站北广场", K.railway_station, R.high, 113.0110, 28.1990, radius_m=150),
]


def square(lon: float, lat: float, half_size_m: float):
    """An axis-aligned square of the given half-size in metres around a point."""
    from math import cos, radians

    dlat = half_size_m / 111_320.0
    dlon = half_size_m / (111_320.0 * cos(radians(lat)))
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def hotspot_geometry(spot: DemoHotspot):
    if spot.half_size_m is not None:
        return square(spot.lon, spot.lat, spot.half_size_m)
    return Point(spot.lon, spot.lat)


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: OrganisationKind
    jurisdiction: str
    lon: float
    lat: float
    phone: str
    hotline: str | None = None
    opening_hours: str = "24/7"
    capacity: int | None = None


O = OrganisationKind
ORGANISATIONS = [
    DemoOrganisation(
        "station",
        "滨河市救助管理站",
        O.rescue_station,
        "990100",
        112.9780,
        28.1880,
        "0731-8000-0000",
        hotline="0731-8000-1234",
        capacity=120,
    ),
    DemoOrganisation(
        "hospital1",
        "滨河市第一人民医院",
        O.hospital,
        "990103",
        112.9890,
        28.2160,
        "0731-8100-0120",
        capacity=800,
    ),
    DemoOrganisation(
        "hospital2", "滨河市中心医院", O.hospital, "990102", 112.9380, 28.1950, "0731-8200-0120", capacity=600
    ),
    DemoOrganisation(
        "hospital3", "新港区人民医院", O.hospital, "990104", 113.0150, 28.1350, "0731-8300-0120", capacity=300
    ),
    DemoOrganisation(
        "bureau",
        "滨河市民政局",
        O.civil_affairs_bureau,
        "990100",
        112.9950,
        28.2230,
        "0731-8400-0000",
        opening_hours="Mo-Fr 08:30-17:30",
    ),
    DemoOrganisation(
        "police_990102",
        "河西区公安分局望江派出所",
        O.police_station,
        "990102",
        112.9420,
        28.2280,
        "0731-110-0102",
    ),
    DemoOrganisation(
        "police_990103",
        "河东区公安分局府前派出所",
        O.police_station,
        "990103",
        112.9980,
        28.2210,
        "0731-110-0103",
    ),
    DemoOrganisation(
        "police_990104",
        "新港区公安分局港口派出所",
        O.police_station,
        "990104",
        113.0020,
        28.1380,
        "0731-110-0104",
    ),
    DemoOrganisation(
        "cityman_990102",
        "河西区城市管理局",
        O.city_management,
        "990102",
        112.9350,
        28.2150,
        "0731-8500-0102",
        opening_hours="Mo-Su 07:00-23:00",
    ),
    DemoOrganisation(
        "cityman_990103",
        "河东区城市管理局",
        O.city_management,
        "990103",
        113.0050,
        28.2300,
        "0731-8500-0103",
        opening_hours="Mo-Su 07:00-23:00",
    ),
    DemoOrganisation(
        "cityman_990104",
        "新港区城市管理局",
        O.city_management,
        "990104",
        113.0100,
        28.1500,
        "0731-8500-0104",
        opening_hours="Mo-Su 07:00-23:00",
    ),
    *[
        DemoOrganisation(
            f"office_{code}{s:03d}",
            f"{STREET_NAMES[code][s - 1]}办事处",
            O.street_office,
            f"{code}{s:03d}",
            (b[0] + b[2]) / 2,
            (b[1] + b[3]) / 2,
            f"0731-86{code[-2:]}-{s:04d}",
            opening_hours="Mo-Fr 08:30-17:30",
        )
        for code, _, bounds in DISTRICTS
        for s, b in enumerate(_split(bounds, 2, horizontal=True), start=1)
    ],
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    jurisdiction: str
    organisation: str | None
    password: str


OFFICER_PASSWORD = "demo-officer-2026"
USERS = [
    DemoUser("admin", "系统管理员", Role.admin, "990100", "bureau", "demo-admin-2026"),
    DemoUser("dispatcher", "市调度员 李静", Role.dispatcher, "990100", "bureau", "demo-dispatch-2026"),
    DemoUser(
        "dispatcher.hedong",
        "河东区调度员 陈晨",
        Role.dispatcher,
        "990103",
        "cityman_990103",
        "demo-dispatch-2026",
    ),
    DemoUser("supervisor", "民政局督导 张敏", Role.supervisor, "990100", "bureau", "demo-supervisor-2026"),
    DemoUser("hotline", "12345 接线员 刘洋", Role.hotline_operator, "990100", "bureau", "demo-hotline-2026"),
    DemoUser("station", "救助站 周红", Role.station_staff, "990100", "station", "demo-station-2026"),
    DemoUser(
        "hospital", "第一医院 社工 吴芳", Role.hospital_staff, "990103", "hospital1", "demo-hospital-2026"
    ),
    *[
        DemoUser(
            f"officer{n:02d}",
            f"{district_name}{'民警' if n % 2 else '城管队员'} {n:02d}",
            Role.officer,
            code,
            f"{'police' if n % 2 else 'cityman'}_{code}",
            OFFICER_PASSWORD,
        )
        for n, (code, district_name) in enumerate(
            [(d[0], d[1]) for d in DISTRICTS for _ in range(4)], start=1
        )
    ],
]


@dataclass(frozen=True)
class DemoTeam:
    call_sign: str
    jurisdiction: str
    vehicle: str
    members: tuple[str, str]  # a police officer and a city-management officer: a joint patrol


TEAMS = [
    DemoTeam(
        f"{name.removesuffix('区')}巡{n}",
        code,
        f"湘A·{code[-2:]}{n}00 巡逻车",
        (f"officer{first:02d}", f"officer{first + 1:02d}"),
    )
    for d, (code, name, _) in enumerate(DISTRICTS)
    for n, first in ((1, 4 * d + 1), (2, 4 * d + 3))
]


@dataclass(frozen=True)
class DemoLandmark:
    name: str
    aliases: tuple[str, ...]
    lon: float
    lat: float


# Places callers name that are neither hotspots nor organisations (the gazetteer).
LANDMARKS = [
    DemoLandmark("市图书馆", ("滨河图书馆", "图书馆"), 112.9810, 28.2000),
    DemoLandmark("滨河公园南门", ("公园南门",), 112.9500, 28.1800),
    DemoLandmark("东湖菜市场", ("东湖市场",), 113.0280, 28.2280),
]


@dataclass(frozen=True)
class DemoLead:
    description: str
    place_text: str
    lon: float | None
    lat: float | None
    urgent: bool = False


# Open tips for the console: one placed by the caller, one by its words, one left to pin.
LEADS = [
    DemoLead("桥洞下有一位老人，衣服单薄", "滨河大桥西桥洞", 112.9643, 28.2399),
    DemoLead("图书馆门口台阶上有人睡觉，叫不醒", "市图书馆门口", None, None, urgent=True),
    DemoLead("城南工地旁边好像有人搭了棚子住", "城南工地旁的小路", None, None),
]
