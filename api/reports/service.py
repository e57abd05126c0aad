"""The periodic summary (情况汇总表): the figures of every section for a jurisdiction's subtree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from api.auth.deps import Principal
from api.encounters.models import ESCORTS, Encounter
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.reports import scope as scopes
from api.reports.figures import SECTIONS, Figure, Section, during, in_subtree, report_rows
from api.reports.schemas import DailyPublic, FigurePublic, RowPublic, SectionPublic, SummaryReport
from api.reports.scope import Scope


def summary(
    *,
    session: Session,
    principal: Principal,
    code: str,
    first: date,
    last: date,
    levels: int | None = None,
    sections: Sequence[Section] = SECTIONS,
) -> SummaryReport:
    """The table with the chosen sections (all by default; none for the daily series alone).
    404 for a jurisdiction outside the caller's subtree, as everywhere; 422 for a bad period."""
    root = jurisdictions.get_in_scope(session=session, principal=principal, code=code)
    scope = scopes.resolve(root, first, last, levels=levels)
    rows = _rows(session, scope)
    figures: dict[int, dict[str, dict]] = {row.id: {} for row in rows}
    for section in sections:
        found = {r.row_id: r._mapping for r in session.execute(section.query(scope))}
        for row in rows:
            figures[row.id][section.key] = {f.key: _value(found.get(row.id), f) for f in section.figures}
    return SummaryReport(
        jurisdiction=root.code,
        name=root.name,
        date_from=first,
        date_to=last,
        timezone=scope.timezone,
        as_of=scope.as_of,
        generated_at=datetime.now(UTC),
        sections=[
            SectionPublic(
                key=s.key,
                title=s.title,
                figures=[FigurePublic(key=f.key, header=f.header) for f in s.figures],
            )
            for s in sections
        ],
        rows=[_row(row, scope, figures[row.id]) for row in rows],
        daily=daily(session, scope),
    )


def _rows(session: Session, scope: Scope) -> Sequence[Jurisdiction]:
    row, wanted = report_rows(scope)
    return session.scalars(sa.select(row).where(*wanted).order_by(row.path)).all()


def _value(found, figure: Figure) -> int | float | None:
    value = figure.empty if found is None else found[figure.key]
    return float(value) if isinstance(value, Decimal) else value


def _row(jurisdiction: Jurisdiction, scope: Scope, figures: dict) -> RowPublic:
    labels = jurisdiction.path.split(".")
    return RowPublic(
        code=jurisdiction.code,
        name=jurisdiction.name,
        level=jurisdiction.level,
        parent=labels[-2] if len(labels) > 1 else None,
        depth=len(labels) - len(scope.root_path.split(".")),
        figures=figures,
    )


def daily(session: Session, scope: Scope) -> list[DailyPublic]:
    """Encounters and escorts per local day of the period, over the whole subtree (zero days kept)."""
    local = (
        sa.select(
            sa.cast(sa.func.timezone(scope.timezone, Encounter.occurred_at), sa.Date).label("day"),
            Encounter.outcome,
        )
        .where(in_subtree(Encounter.jurisdiction_id, scope), during(Encounter.occurred_at, scope))
        .subquery("local")
    )
    counted = {
        day: (encounters, escorts)
        for day, encounters, escorts in session.execute(
            sa.select(
                local.c.day,
                sa.func.count(),
                sa.func.count().filter(local.c.outcome.in_([o.value for o in ESCORTS])),
            ).group_by(local.c.day)
        )
    }
    return [
        DailyPublic(date=day, encounters=counted.get(day, (0, 0))[0], escorts=counted.get(day, (0, 0))[1])
        for day in scope.days
    ]
