"""Places from words: match a reported place against hotspot, organisation and landmark names.

Names and aliases are compared in Chinese characters and in pinyin (full syllables and
initials), so "jiefanglu qiaodong", "jflqd" and "解放路的桥洞" all find 解放路桥洞.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from geoalchemy2 import functions as gf
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz
from shapely import wkb
from shapely.geometry import Point
from sqlmodel import Session

from api.hotspots.models import Hotspot
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Landmark
from api.organisations.models import Organisation

MIN_SCORE = 75.0
MIN_LEAD = 8.0  # the best match must beat the runner-up (at another place) by this much


@dataclass(frozen=True)
class PlaceMatch:
    name: str
    kind: str  # hotspot | organisation | landmark
    point: Point
    score: float


@lru_cache(maxsize=50_000)
def _forms(name: str) -> tuple[str, str, str]:
    """The name as characters, as pinyin syllables and as pinyin initials (lower case, no spaces)."""
    compact = "".join(name.split()).lower()
    syllables = "".join(lazy_pinyin(compact, errors="default"))
    initials = "".join(lazy_pinyin(compact, style=Style.FIRST_LETTER, errors="default"))
    return compact, syllables, initials


def _score(query: str, name: str) -> float:
    q_chars, q_syllables, _ = _forms(query)
    n_chars, n_syllables, n_initials = _forms(name)
    ascii_query = q_chars.isascii()
    scores = [
        fuzz.partial_ratio(n_chars, q_chars) if len(q_chars) >= len(n_chars) else fuzz.ratio(n_chars, q_chars)
    ]
    scores.append(fuzz.ratio(n_syllables, q_syllables))
    if ascii_query:
        scores.append(fuzz.ratio(n_initials, q_chars))
        scores.append(fuzz.partial_ratio(n_syllables, q_chars) if len(q_chars) >= len(n_syllables) else 0.0)
    return max(scores)


def _candidates(session: Session, jurisdiction_path: str) -> list[tuple[str, str, list[str], bytes]]:
    """(kind, name, aliases, point WKB) of every named place in and below the jurisdiction."""
    within = Jurisdiction.path.descendant_of(sa.cast(jurisdiction_path, Jurisdiction.path.type))

    def part(kind: str, model, aliases, point):
        return (
            sa.select(sa.literal(kind), model.name, aliases, gf.ST_AsBinary(point))
            .join(Jurisdiction, Jurisdiction.id == model.jurisdiction_id)
            .where(within)
        )

    empty = sa.cast(sa.literal([], sa.ARRAY(sa.String)), sa.ARRAY(sa.String))
    hotspots = part("hotspot", Hotspot, Hotspot.aliases, gf.ST_PointOnSurface(Hotspot.geom)).where(
        Hotspot.retired_at.is_(None)
    )
    organisations = part("organisation", Organisation, empty, Organisation.location)
    landmarks = part("landmark", Landmark, Landmark.aliases, Landmark.geom)
    return [tuple(row) for row in session.execute(sa.union_all(hotspots, organisations, landmarks))]


def match(session: Session, text: str, jurisdiction_path: str) -> PlaceMatch | None:
    """The one place the words name, or None when nothing matches well or two places tie."""
    best: list[PlaceMatch] = []
    for kind, name, aliases, point in _candidates(session, jurisdiction_path):
        score = max(_score(text, n) for n in [name, *(aliases or [])])
        if score >= MIN_SCORE:
            best.append(PlaceMatch(name, kind, wkb.loads(bytes(point)), score))
    best.sort(key=lambda m: m.score, reverse=True)
    if not best:
        return None
    rivals = [m for m in best[1:] if m.point.distance(best[0].point) > 0.001]
    if rivals and best[0].score - rivals[0].score < MIN_LEAD:
        return None
    return best[0]
