"""Sweeps: every hotspot in the affected area is checked when the weather turns dangerous."""

from __future__ import annotations

import math
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlmodel import Session

from api.auth.deps import Principal
from api.auth.models import Role
from api.encounters.models import ESCORTS, Encounter, Outcome, RevisitTask
from api.errors import ProblemError, forbidden, invalid, not_found
from api.geojson import to_db
from api.hotspots.models import Hotspot, RiskLevel
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.patrols.models import LivePosition, Shift
from api.sweeps import cap
from api.sweeps import supplies as stock
from api.sweeps.models import (
    Level,
    Sweep,
    SweepKind,
    SweepStatus,
    SweepTask,
    TaskStatus,
    Trigger,
    WeatherAlert,
)
from api.teams.models import Team, TeamMember
from geo.distance import metres_between_many
from notifications import queue
from notifications import service as notifications
from notifications.audience import Audience
from notifications.models import Priority

LIVE_VIEWERS = (Role.dispatcher, Role.supervisor, Role.admin)
_COLOURS = {
    "蓝色": Level.blue,
    "黄色": Level.yellow,
    "橙色": Level.orange,
    "红色": Level.red,
    "blue": Level.blue,
    "yellow": Level.yellow,
    "orange": Level.orange,
    "red": Level.red,
}
_SEVERITY = {"Minor": Level.blue, "Moderate": Level.yellow, "Severe": Level.orange, "Extreme": Level.red}
_RISK_ORDER = {RiskLevel.critical: 0, RiskLevel.high: 1, RiskLevel.medium: 2, RiskLevel.low: 3}
TITLES = {SweepKind.cold: "寒冬送温暖巡查", SweepKind.heat: "夏季送清凉巡查", SweepKind.other: "专项巡查"}


def kind_of(event: str) -> SweepKind:
    lowered = event.lower()
    if (
        any(word in event for word in ("寒潮", "低温", "冰冻", "暴雪", "霜冻"))
        or "cold" in lowered
        or "snow" in lowered
    ):
        return SweepKind.cold
    if "高温" in event or "heat" in lowered:
        return SweepKind.heat
    return SweepKind.other


def level_of(alert: cap.CapAlert) -> Level:
    text = f"{alert.event} {alert.headline}".lower()
    for word, level in _COLOURS.items():
        if word in text:
            return level
    return _SEVERITY.get(alert.severity, Level.yellow)


# Weather alerts ------------------------------------------------------------------------------


def _area_of(session: Session, alert: cap.CapAlert) -> MultiPolygon | None:
    shapes: list[BaseGeometry] = [alert.shape()] if alert.shape() is not None else []
    for code in alert.geocodes:
        jurisdiction = jurisdictions.get_by_code(session=session, code=code)
        if jurisdiction is None or jurisdiction.boundary is None:
            raise invalid(
                f"CAP geocode {code!r} is not a jurisdiction with a boundary here", kind="invalid-cap"
            )
        shapes.append(to_shape(jurisdiction.boundary))
    if not shapes:
        return None
    merged = unary_union(shapes)
    return merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged])


def receive_alert(
    session: Session, *, principal: Principal, document: bytes
) -> tuple[WeatherAlert, Sweep | None, bool]:
    """Store a CAP alert and act on it; the same alert twice changes nothing (returns created=False)."""
    try:
        alert = cap.parse(document)
    except cap.CapError as exc:
        raise invalid(str(exc), kind="invalid-cap") from exc
    existing = session.scalar(
        sa.select(WeatherAlert).where(
            WeatherAlert.sender == alert.sender, WeatherAlert.identifier == alert.identifier
        )
    )
    if existing is not None:
        return existing, session.get(Sweep, existing.sweep_id) if existing.sweep_id else None, False
    area = _area_of(session, alert)
    row = WeatherAlert(
        identifier=alert.identifier,
        sender=alert.sender,
        sent=alert.sent,
        status=alert.status,
        msg_type=alert.msg_type,
        event=alert.event,
        severity=alert.severity,
        onset=alert.onset,
        expires=alert.expires,
        area=to_db(area) if area else None,
        geocodes=alert.geocodes,
        raw=document.decode("utf-8", errors="replace"),
    )
    session.add(row)
    session.flush()
    sweep = None
    if alert.status == "Actual":
        sweep = _act_on(session, principal, alert, area)
        row.sweep_id = sweep.id if sweep else None
    session.flush()
    return row, sweep, True


def _referenced_sweeps(session: Session, alert: cap.CapAlert) -> list[Sweep]:
    ids = [
        r.sweep_id
        for r in session.scalars(
            sa.select(WeatherAlert).where(
                sa.tuple_(WeatherAlert.sender, WeatherAlert.identifier).in_(alert.references)
            )
        )
        if r.sweep_id
    ]
    return list(session.scalars(sa.select(Sweep).where(Sweep.id.in_(ids))))


def _act_on(
    session: Session, principal: Principal, alert: cap.CapAlert, area: MultiPolygon | None
) -> Sweep | None:
    starts = alert.onset or alert.sent
    ends = alert.expires or starts + timedelta(hours=24)
    if alert.msg_type == "Cancel":
        for sweep in _referenced_sweeps(session, alert):
            close(session, sweep=sweep, reason=f"alert cancelled: {alert.identifier}")
        return None
    if alert.msg_type == "Update":
        referenced = _referenced_sweeps(session, alert)
        for sweep in referenced:
            _widen(session, sweep, level_of(alert), area, ends, replace_level=True)
        if referenced:
            return referenced[0]
        # an update to an alert this system never received acts as a new alert
    if alert.msg_type not in ("Alert", "Update") or area is None:
        return None  # Ack and Error messages carry no hazard
    return open_or_extend(
        session,
        principal=principal,
        kind=kind_of(alert.event),
        level=level_of(alert),
        area=area,
        starts_at=starts,
        ends_at=ends,
        trigger=Trigger.alert,
        trigger_ref=alert.identifier,
    )


# Sweeps ----------------------------------------------------------------------------------------


def _deadline(starts: datetime, ends: datetime) -> datetime:
    """Every hotspot checked within the first half of the window, and within 6 hours at most."""
    return min(starts + (ends - starts) / 2, starts + timedelta(hours=6))


def _covering_jurisdiction(session: Session, principal: Principal, area: MultiPolygon) -> Jurisdiction:
    covering = session.scalar(
        sa.select(Jurisdiction)
        .where(sa.func.ST_Covers(Jurisdiction.boundary, to_db(area)))
        .order_by(sa.func.nlevel(Jurisdiction.path).desc())
        .limit(1)
    )
    if covering is not None:
        return covering
    return session.get(Jurisdiction, principal.jurisdiction_id) if principal.jurisdiction_id else None


def open_or_extend(
    session: Session,
    *,
    principal: Principal,
    kind: SweepKind,
    level: Level,
    area: MultiPolygon,
    starts_at: datetime,
    ends_at: datetime,
    trigger: Trigger,
    trigger_ref: str,
) -> Sweep:
    """Start a sweep, or, when one of the same kind is open over this area in this window, extend
    it and raise its level instead: a repeated alert or rule never starts a second sweep."""
    overlapping = session.scalar(
        sa.select(Sweep)
        .where(
            Sweep.status == SweepStatus.open,
            Sweep.kind == kind.value,
            sa.func.ST_Intersects(Sweep.area, to_db(area)),
            Sweep.starts_at <= ends_at,
            Sweep.ends_at >= starts_at,
        )
        .order_by(Sweep.created_at)
        .limit(1)
        .with_for_update()
    )
    if overlapping is not None:
        _widen(session, overlapping, level, area, ends_at, replace_level=False)
        return overlapping
    jurisdiction = _covering_jurisdiction(session, principal, area)
    if jurisdiction is None:
        raise invalid("the sweep area lies outside every jurisdiction on record", loc=["body", "area"])
    sweep = Sweep(
        kind=kind.value,
        level=level.value,
        jurisdiction_id=jurisdiction.id,
        area=to_db(area),
        trigger=trigger.value,
        trigger_ref=trigger_ref,
        starts_at=starts_at,
        ends_at=ends_at,
        check_deadline=_deadline(starts_at, ends_at),
        created_by=principal.id,
    )
    session.add(sweep)
    session.flush()
    _add_tasks(session, sweep)
    queue.defer(
        session,
        "sweep_deadline",
        queue=queue.PATROL_QUEUE,
        schedule_at=sweep.check_deadline,
        sweep_id=str(sweep.id),
        deadline=sweep.check_deadline.isoformat(),
    )
    notifications.publish_event(
        session,
        kind="sweep.started",
        jurisdiction_id=jurisdiction.id,
        roles=None,
        payload={
            "sweep_id": str(sweep.id),
            "kind": sweep.kind,
            "level": sweep.level,
            **progress(session, sweep),
        },
    )
    return sweep


def _widen(
    session: Session,
    sweep: Sweep,
    level: Level,
    area: MultiPolygon | None,
    ends_at: datetime,
    replace_level: bool,
) -> None:
    if replace_level or level.rank > Level(sweep.level).rank:
        sweep.level = level.value
    sweep.ends_at = max(sweep.ends_at, ends_at) if not replace_level else ends_at
    if area is not None:
        merged = unary_union([to_shape(sweep.area), area])
        sweep.area = to_db(merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged]))
    session.flush()
    _add_tasks(session, sweep)


def close(session: Session, *, sweep: Sweep, reason: str) -> None:
    if sweep.status == SweepStatus.closed:
        return
    sweep.status, sweep.closed_reason = SweepStatus.closed.value, reason
    sweep.ends_at = min(sweep.ends_at, datetime.now(UTC))
    notifications.publish_event(
        session,
        kind="sweep.closed",
        jurisdiction_id=sweep.jurisdiction_id,
        roles=None,
        payload={"sweep_id": str(sweep.id), "reason": reason},
    )
    session.flush()


def _path(session: Session, sweep: Sweep) -> str:
    return session.get(Jurisdiction, sweep.jurisdiction_id).path


def _add_tasks(session: Session, sweep: Sweep) -> list[uuid.UUID]:
    """One task per active hotspot inside the area not already on the list, then assign them."""
    new = list(
        session.scalars(
            sa.insert(SweepTask)
            .from_select(
                ["id", "sweep_id", "hotspot_id"],
                sa.select(sa.func.gen_random_uuid(), sa.literal(sweep.id), Hotspot.id).where(
                    Hotspot.retired_at.is_(None),
                    sa.func.ST_Intersects(
                        Hotspot.area, sa.select(Sweep.area).where(Sweep.id == sweep.id).scalar_subquery()
                    ),
                    ~sa.exists().where(SweepTask.sweep_id == sweep.id, SweepTask.hotspot_id == Hotspot.id),
                ),
            )
            .returning(SweepTask.id)
        )
    )
    if new:
        assign(session, sweep, new)
    return new


def _teams_on_duty(session: Session, sweep: Sweep) -> list[tuple[uuid.UUID, float, float]]:
    """(team, lon, lat) for teams on duty in the sweep's jurisdiction: members' mean live position,
    or the team jurisdiction's centre when nobody has reported one."""
    path = _path(session, sweep)
    rows = session.execute(
        sa.select(
            Team.id,
            sa.func.avg(sa.func.ST_X(LivePosition.geom)),
            sa.func.avg(sa.func.ST_Y(LivePosition.geom)),
            sa.func.ST_X(sa.func.ST_PointOnSurface(Jurisdiction.boundary)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Jurisdiction.boundary)),
        )
        .join(Shift, (Shift.team_id == Team.id) & Shift.ended_at.is_(None))
        .join(Jurisdiction, Jurisdiction.id == Team.jurisdiction_id)
        .outerjoin(LivePosition, LivePosition.team_id == Team.id)
        .where(Jurisdiction.path.descendant_of(path))
        .group_by(Team.id, Jurisdiction.boundary)
    ).all()
    return [
        (team, lon if lon is not None else jlon, lat if lat is not None else jlat)
        for team, lon, lat, jlon, jlat in rows
        if (lon is not None or jlon is not None)
    ]


def balanced_assignment(
    tasks: Sequence[tuple[uuid.UUID, float, float, int]], teams: Sequence[tuple[uuid.UUID, float, float]]
) -> dict[uuid.UUID, uuid.UUID]:
    """Greedy, nearest first and balanced: the riskiest hotspots choose first, each goes to the
    nearest team that still has room, and no team gets more than its fair share (rounded up)."""
    if not teams or not tasks:
        return {}
    share = math.ceil(len(tasks) / len(teams))
    team_lon = np.array([t[1] for t in teams])
    team_lat = np.array([t[2] for t in teams])
    load = np.zeros(len(teams), dtype=int)
    assignment = {}
    for task_id, lon, lat, _risk in sorted(tasks, key=lambda t: t[3]):
        distance = metres_between_many(np.full(len(teams), lon), np.full(len(teams), lat), team_lon, team_lat)
        distance[load >= share] = np.inf
        chosen = int(np.argmin(distance))
        load[chosen] += 1
        assignment[task_id] = teams[chosen][0]
    return assignment


def assign(session: Session, sweep: Sweep, task_ids: Sequence[uuid.UUID]) -> None:
    rows = session.execute(
        sa.select(
            SweepTask.id,
            sa.func.ST_X(sa.func.ST_PointOnSurface(Hotspot.geom)),
            sa.func.ST_Y(sa.func.ST_PointOnSurface(Hotspot.geom)),
            Hotspot.risk_level,
        )
        .join(Hotspot, Hotspot.id == SweepTask.hotspot_id)
        .where(SweepTask.id.in_(task_ids))
    ).all()
    tasks = [(task_id, lon, lat, _RISK_ORDER[RiskLevel(risk)]) for task_id, lon, lat, risk in rows]
    chosen = balanced_assignment(tasks, _teams_on_duty(session, sweep))
    if chosen:
        session.execute(
            sa.update(SweepTask), [{"id": task, "team_id": team} for task, team in chosen.items()]
        )
    for team_id, count in Counter(chosen.values()).items():
        crew = session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team_id)).all()
        notifications.notify(
            session,
            audience=Audience.users(crew),
            kind="sweep.tasks",
            priority=Priority.high,
            title=TITLES[SweepKind(sweep.kind)],
            body=f"{count} 处重点区域待巡查，截止 {sweep.check_deadline:%H:%M} UTC",
            payload={"sweep_id": str(sweep.id), "tasks": count, "deadline": sweep.check_deadline.isoformat()},
        )
    unassigned = len(tasks) - len(chosen)
    if unassigned:
        code = session.get(Jurisdiction, sweep.jurisdiction_id).code
        notifications.notify(
            session,
            audience=Audience.responsible(code, Role.dispatcher),
            kind="sweep.unassigned",
            title="巡查任务无人承接",
            body=f"{unassigned} 处重点区域没有在岗队伍可派",
            payload={"sweep_id": str(sweep.id), "unassigned": unassigned},
            priority=Priority.critical,
        )


# Progress and completion ------------------------------------------------------------------------


def progress(session: Session, sweep: Sweep) -> dict:
    rows = session.execute(
        sa.select(SweepTask.team_id, SweepTask.status, sa.func.count())
        .where(SweepTask.sweep_id == sweep.id)
        .group_by(SweepTask.team_id, SweepTask.status)
    ).all()
    teams: dict[str, dict[str, int]] = {}
    for team_id, status, count in rows:
        entry = teams.setdefault(str(team_id) if team_id else "unassigned", {"done": 0, "total": 0})
        entry["total"] += count
        entry["done"] += count if status == TaskStatus.done else 0
    return {
        "done": sum(t["done"] for t in teams.values()),
        "total": sum(t["total"] for t in teams.values()),
        "teams": teams,
    }


def _completed(session: Session, tasks: Sequence[SweepTask]) -> None:
    for sweep_id in {t.sweep_id for t in tasks}:
        sweep = session.get(Sweep, sweep_id)
        notifications.publish_event(
            session,
            kind="sweep.progress",
            jurisdiction_id=sweep.jurisdiction_id,
            roles=None,
            payload={"sweep_id": str(sweep.id), **progress(session, sweep)},
        )


def open_task_for(
    session: Session, hotspot_id: uuid.UUID, at: datetime, until: datetime | None = None
) -> SweepTask | None:
    """The task for this hotspot in a sweep open at some moment of [at, until], pending first."""
    return session.scalar(
        sa.select(SweepTask)
        .join(Sweep, Sweep.id == SweepTask.sweep_id)
        .where(
            SweepTask.hotspot_id == hotspot_id,
            Sweep.status == SweepStatus.open,
            Sweep.starts_at <= (until or at),
            Sweep.ends_at >= at,
        )
        .order_by(SweepTask.status.desc())
        .limit(1)
    )


def in_active_sweep(session: Session, point_wgs84, at: datetime) -> bool:
    return (
        session.scalar(
            sa.select(
                sa.exists().where(
                    Sweep.status == SweepStatus.open,
                    Sweep.starts_at <= at,
                    Sweep.ends_at >= at,
                    sa.func.ST_Covers(Sweep.area, to_db(point_wgs84)),
                )
            )
        )
        or False
    )


def complete_from_visit(
    session: Session,
    *,
    hotspot_id: uuid.UUID,
    arrived: datetime,
    departed: datetime,
    user_id: uuid.UUID | None,
) -> bool:
    """A visit (from the track or a check-in) that overlaps a sweep does the hotspot's task."""
    task = open_task_for(session, hotspot_id, arrived, departed)
    if task is None or task.status == TaskStatus.done:
        return False
    started = session.get(Sweep, task.sweep_id).starts_at
    task.status, task.done_at, task.done_by = TaskStatus.done.value, max(arrived, started), user_id
    session.flush()
    _completed(session, [task])
    return True


def record_outcome(
    session: Session,
    *,
    principal: Principal,
    task_id: uuid.UUID,
    people_found: int,
    persuaded: int,
    escorted: int,
    refused: int,
    supplies: dict[str, int],
    notes: str | None,
) -> SweepTask:
    task = session.get(SweepTask, task_id, with_for_update=True)
    if task is None:
        raise not_found(f"sweep task {task_id}")
    sweep = session.get(Sweep, task.sweep_id)
    if (
        not jurisdictions.id_in_scope(session, principal, sweep.jurisdiction_id)
        and principal.role != Role.officer
    ):
        raise not_found(f"sweep task {task_id}")
    if principal.role == Role.officer and (
        task.team_id is None or session.get(TeamMember, (task.team_id, principal.id)) is None
    ):
        raise forbidden("this task belongs to another team")
    was_done = task.status == TaskStatus.done
    task.status, task.done_by = TaskStatus.done.value, principal.id
    task.done_at = task.done_at or datetime.now(UTC)
    task.people_found, task.persuaded, task.escorted, task.refused = (
        people_found,
        persuaded,
        escorted,
        refused,
    )
    if not was_done:
        stock.consume(session, team_id=task.team_id, handed_out=supplies)
    task.supplies, task.notes = supplies, notes
    session.flush()
    if not was_done:
        _completed(session, [task])
    return task


def reassign(session: Session, *, principal: Principal, task_id: uuid.UUID, team_id: uuid.UUID) -> SweepTask:
    task = session.get(SweepTask, task_id, with_for_update=True)
    if task is None or not jurisdictions.is_within(
        _path(session, session.get(Sweep, task.sweep_id)), principal.jurisdiction_path
    ):
        raise not_found(f"sweep task {task_id}")
    if task.status == TaskStatus.done:
        raise ProblemError(409, "the task is done already", kind="conflict")
    team = session.get(Team, team_id)
    if team is None:
        raise invalid(f"no team {team_id}", loc=["body", "team_id"])
    task.team_id = team.id
    crew = session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team.id)).all()
    notifications.notify(
        session,
        audience=Audience.users(crew),
        kind="sweep.tasks",
        title="改派巡查任务",
        body="调度员改派了 1 处重点区域给你们",
        payload={"sweep_id": str(task.sweep_id), "tasks": 1},
        priority=Priority.high,
    )
    session.flush()
    return task


def check_deadline(session: Session, sweep_id: uuid.UUID, deadline: datetime) -> int:
    """At the check deadline: tell the dispatchers how many hotspots nobody has checked."""
    sweep = session.get(Sweep, sweep_id)
    if sweep is None or sweep.status != SweepStatus.open or sweep.check_deadline != deadline:
        return 0
    pending = session.scalar(
        sa.select(sa.func.count()).where(
            SweepTask.sweep_id == sweep.id, SweepTask.status == TaskStatus.pending
        )
    )
    if pending:
        code = session.get(Jurisdiction, sweep.jurisdiction_id).code
        notifications.notify(
            session,
            audience=Audience.responsible(code, Role.dispatcher),
            kind="sweep.overdue",
            title="巡查超时未完成",
            body=f"{pending} 处重点区域未在时限内巡查，请改派",
            payload={"sweep_id": str(sweep.id), "pending": pending},
            priority=Priority.critical,
        )
    return pending


def get(session: Session, *, principal: Principal, sweep_id: uuid.UUID) -> Sweep:
    sweep = session.get(Sweep, sweep_id)
    if sweep is None or not jurisdictions.id_in_scope(session, principal, sweep.jurisdiction_id):
        raise not_found(f"sweep {sweep_id}")
    return sweep


def area_from_geojson(geometry: BaseGeometry) -> MultiPolygon:
    if isinstance(geometry, Polygon):
        return MultiPolygon([geometry])
    return geometry


# Report ---------------------------------------------------------------------------------------


def report(session: Session, sweep: Sweep) -> tuple[dict, list[dict]]:
    """Totals and one row per hotspot: on time, late or missed; people met, supplies, escorts,
    refusals and revisits, from the tasks and the encounters linked to them."""
    tasks = session.execute(
        sa.select(SweepTask, Hotspot.name)
        .join(Hotspot, Hotspot.id == SweepTask.hotspot_id)
        .where(SweepTask.sweep_id == sweep.id)
        .order_by(Hotspot.name)
    ).all()
    encounters = session.scalars(
        sa.select(Encounter).where(Encounter.sweep_task_id.in_([t.id for t, _ in tasks]))
    ).all()
    by_task: dict[uuid.UUID, list] = {}
    for encounter in encounters:
        by_task.setdefault(encounter.sweep_task_id, []).append(encounter)
    revisits_done = set(
        session.scalars(
            sa.select(RevisitTask.encounter_id).where(
                RevisitTask.encounter_id.in_([e.id for e in encounters]), RevisitTask.status == "done"
            )
        )
    )
    rows, supplies = [], Counter()
    for task, name in tasks:
        linked = by_task.get(task.id, [])
        timing = (
            "missed"
            if task.status != TaskStatus.done
            else "on_time"
            if task.done_at <= sweep.check_deadline
            else "late"
        )
        task_supplies = Counter(task.supplies)
        for encounter in linked:
            task_supplies.update(encounter.supplies)
        supplies.update(task_supplies)
        rows.append(
            {
                "hotspot_id": str(task.hotspot_id),
                "hotspot": name,
                "team_id": str(task.team_id) if task.team_id else "",
                "checked": timing,
                "done_at": task.done_at.isoformat() if task.done_at else "",
                "people_met": max(task.people_found, len(linked)),
                "escorts": task.escorted + sum(e.outcome in ESCORTS for e in linked),
                "refusals": task.refused + sum(e.outcome == Outcome.refused_help for e in linked),
                "persuaded": task.persuaded,
                "revisits_done": sum(e.id in revisits_done for e in linked),
                "supplies": dict(task_supplies),
            }
        )
    checked = Counter(r["checked"] for r in rows)
    totals = {
        "hotspots": len(rows),
        "on_time": checked["on_time"],
        "late": checked["late"],
        "missed": checked["missed"],
        "people_met": sum(r["people_met"] for r in rows),
        "escorts": sum(r["escorts"] for r in rows),
        "refusals": sum(r["refusals"] for r in rows),
        "revisits_done": sum(r["revisits_done"] for r in rows),
        "supplies": dict(supplies),
    }
    return totals, rows
