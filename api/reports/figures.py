"""What the summary table (情况汇总表) counts: one section per kind of work, one SQL query each.

Every query answers one row per jurisdiction of the reported subtree that has something to count,
holding the figures of the records of that jurisdiction *and of every one below it*: a district's
row sums its streets (and whatever was recorded at district level). ``rolled_up`` does this by
joining each record's jurisdiction to every report row whose path contains it
(``member.path <@ report_row.path``) and grouping by the report row, so medians and distinct
counts roll up correctly, which adding up the children's figures could not do.

A new section is one more ``Section`` in ``SECTIONS``: its figures with their Chinese headers,
and a query built with ``rolled_up``. The exports and the JSON follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import aliased

from api.db import LTree
from api.encounters.models import (
    Category,
    CriticalIncident,
    CriticalKind,
    Encounter,
    Outcome,
    PoliceReferral,
    RevisitStatus,
    RevisitTask,
)
from api.handovers.models import Handover, HandoverStep, State
from api.hotspots.models import Hotspot
from api.jurisdictions.models import Jurisdiction
from api.leads.models import Lead, Status, Urgency
from api.patrols.models import HotspotVisit, Shift
from api.patrols.visits import allowed_hours
from api.reports.scope import Scope
from api.sweeps.models import Sweep, SweepTask, TaskStatus


@dataclass(frozen=True)
class Figure:
    key: str
    header: str
    empty: int | float | None = 0  # the value of a row with nothing to count (None: no median)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[Figure, ...]
    query: Callable[[Scope], Select]


def in_subtree(jurisdiction_id: ColumnElement, scope: Scope) -> ColumnElement[bool]:
    below = sa.select(Jurisdiction.id).where(Jurisdiction.path.descendant_of(scope.root_path))
    return jurisdiction_id.in_(below)


def report_rows(scope: Scope):
    """The jurisdictions that get a row: the root and its subtree, ``levels`` deep at most."""
    row = aliased(Jurisdiction, name="report_row")
    conditions = [row.path.descendant_of(scope.root_path)]
    if scope.levels is not None:
        depth = sa.func.nlevel(row.path) - sa.func.nlevel(sa.cast(scope.root_path, LTree()))
        conditions.append(depth <= scope.levels)
    return row, conditions


def rolled_up(scope: Scope, source, jurisdiction_id: ColumnElement, figures: list, *where) -> Select:
    """``figures`` (labelled aggregates over ``source``) per report row, over its whole subtree."""
    row, rows_wanted = report_rows(scope)
    member = aliased(Jurisdiction, name="member")
    return (
        sa.select(row.id.label("row_id"), *figures)
        .select_from(row)
        .join(member, member.path.descendant_of(row.path))
        .join(source, jurisdiction_id == member.id)
        .where(*rows_wanted, *where)
        .group_by(row.id)
    )


def count(label: str, condition: ColumnElement[bool] | None = None):
    counted = sa.func.count()
    return (counted if condition is None else counted.filter(condition)).label(label)


def during(column, scope: Scope) -> ColumnElement[bool]:
    return sa.and_(column >= scope.start, column < scope.end)


def moment(value: datetime) -> ColumnElement:
    return sa.literal(value, sa.DateTime(timezone=True))


def rounded(value: ColumnElement, places: int) -> ColumnElement:
    return sa.func.round(sa.cast(value, sa.Numeric), places)


# Patrols ----------------------------------------------------------------------------------------


def patrols(scope: Scope) -> Select:
    """Shifts started in the period, by the team's jurisdiction; hours on duty within the period
    (a shift over midnight at the period's edge counts its hours on each side; a shift not yet
    ended counts until the report's moment)."""
    until = sa.func.coalesce(Shift.ended_at, moment(scope.as_of))
    seconds = sa.func.extract(
        "epoch", sa.func.least(until, moment(scope.end)) - sa.func.greatest(Shift.started_at, scope.start)
    )
    return rolled_up(
        scope,
        Shift,
        Shift.jurisdiction_id,
        [
            count("shifts", during(Shift.started_at, scope)),
            rounded(sa.func.coalesce(sa.func.sum(sa.func.greatest(seconds, 0)), 0) / 3600, 2).label("hours"),
        ],
        Shift.started_at < scope.end,
        until > scope.start,
    )


# Hotspots ---------------------------------------------------------------------------------------


def hotspots(scope: Scope) -> Select:
    """Hotspots active at some time in the period; those visited at least once in it; and those
    overdue at its end: not visited within the hours their risk level allows (or never), as the
    live overdue list judges them."""
    as_of = moment(scope.as_of)
    last_visit = (
        sa.select(sa.func.max(HotspotVisit.departed_at))
        .where(HotspotVisit.hotspot_id == Hotspot.id, HotspotVisit.departed_at <= as_of)
        .scalar_subquery()
    )
    visited = sa.exists().where(
        HotspotVisit.hotspot_id == Hotspot.id,
        HotspotVisit.arrived_at < scope.end,
        HotspotVisit.departed_at >= scope.start,
    )
    allowed = sa.case(
        {str(level): hours for level, hours in allowed_hours().items()}, value=Hotspot.risk_level
    )
    active_at_end = sa.and_(
        Hotspot.created_at <= as_of, sa.or_(Hotspot.retired_at.is_(None), Hotspot.retired_at > as_of)
    )
    overdue = sa.and_(
        active_at_end,
        sa.or_(last_visit.is_(None), sa.func.extract("epoch", as_of - last_visit) > allowed * 3600),
    )
    per_hotspot = (
        sa.select(Hotspot.jurisdiction_id, visited.label("covered"), overdue.label("overdue"))
        .where(
            in_subtree(Hotspot.jurisdiction_id, scope),
            Hotspot.created_at < scope.end,
            sa.or_(Hotspot.retired_at.is_(None), Hotspot.retired_at >= scope.start),
        )
        .subquery("per_hotspot")
    )
    return rolled_up(
        scope,
        per_hotspot,
        per_hotspot.c.jurisdiction_id,
        [count("total"), count("covered", per_hotspot.c.covered), count("overdue", per_hotspot.c.overdue)],
    )


# Encounters -------------------------------------------------------------------------------------


def encounters(scope: Scope) -> Select:
    """Encounters of the period, by the place's jurisdiction; one encounter counts under each of
    its categories."""
    return rolled_up(
        scope,
        Encounter,
        Encounter.jurisdiction_id,
        [count("total"), *(count(c.value, Encounter.categories.any(c.value)) for c in Category)],
        during(Encounter.occurred_at, scope),
    )


def outcomes(scope: Scope) -> Select:
    """Encounters of the period by outcome: escorts, refusals, referrals on the spot..."""
    return rolled_up(
        scope,
        Encounter,
        Encounter.jurisdiction_id,
        [count(o.value, Encounter.outcome == o.value) for o in Outcome],
        during(Encounter.occurred_at, scope),
    )


def revisits(scope: Scope) -> Select:
    """Revisits after refusals due in the period, and those done by a follow-up encounter that
    happened before the period's end."""
    follow_up = aliased(Encounter, name="follow_up")
    done = sa.exists().where(
        follow_up.id == RevisitTask.done_by_encounter_id, follow_up.occurred_at < scope.end
    )
    per_revisit = (
        sa.select(
            RevisitTask.jurisdiction_id, sa.and_(RevisitTask.status == RevisitStatus.done, done).label("done")
        )
        .where(in_subtree(RevisitTask.jurisdiction_id, scope), during(RevisitTask.due_at, scope))
        .subquery("per_revisit")
    )
    return rolled_up(
        scope,
        per_revisit,
        per_revisit.c.jurisdiction_id,
        [count("due"), count("done", per_revisit.c.done)],
    )


def police_referrals(scope: Scope) -> Select:
    """Referrals to the police (minors begging along, exploitation, referral outcomes) made from
    the period's encounters."""
    per_referral = (
        sa.select(PoliceReferral.jurisdiction_id)
        .join(Encounter, Encounter.id == PoliceReferral.encounter_id)
        .where(in_subtree(PoliceReferral.jurisdiction_id, scope), during(Encounter.occurred_at, scope))
        .subquery("per_referral")
    )
    return rolled_up(scope, per_referral, per_referral.c.jurisdiction_id, [count("total")])


def critical_incidents(scope: Scope) -> Select:
    return rolled_up(
        scope,
        CriticalIncident,
        CriticalIncident.jurisdiction_id,
        [count("total"), *(count(k.value, CriticalIncident.kind == k.value) for k in CriticalKind)],
        during(CriticalIncident.occurred_at, scope),
    )


# Sweeps -----------------------------------------------------------------------------------------


def sweeps(scope: Scope) -> Select:
    """Sweep tasks whose check deadline falls in the period, by the hotspot's jurisdiction: done by
    the deadline, done after it, not done once it passed, or not yet due."""
    per_task = (
        sa.select(
            Hotspot.jurisdiction_id,
            SweepTask.sweep_id,
            SweepTask.status,
            SweepTask.done_at,
            Sweep.check_deadline,
        )
        .join(Sweep, Sweep.id == SweepTask.sweep_id)
        .join(Hotspot, Hotspot.id == SweepTask.hotspot_id)
        .where(in_subtree(Hotspot.jurisdiction_id, scope), during(Sweep.check_deadline, scope))
        .subquery("per_task")
    )
    task = per_task.c
    done, pending = task.status == TaskStatus.done, task.status == TaskStatus.pending
    return rolled_up(
        scope,
        per_task,
        task.jurisdiction_id,
        [
            sa.func.count(sa.distinct(task.sweep_id)).label("sweeps"),
            count("tasks"),
            count("on_time", sa.and_(done, task.done_at <= task.check_deadline)),
            count("late", sa.and_(done, task.done_at > task.check_deadline)),
            count("missed", sa.and_(pending, task.check_deadline < moment(scope.as_of))),
            count("pending", sa.and_(pending, task.check_deadline >= moment(scope.as_of))),
        ],
    )


# Handovers --------------------------------------------------------------------------------------


def _first_step(state: State) -> ColumnElement:
    return (
        sa.select(sa.func.min(HandoverStep.at))
        .where(HandoverStep.handover_id == Handover.id, HandoverStep.to_state == state)
        .scalar_subquery()
    )


def handovers(scope: Scope) -> Select:
    """Handovers made in the period, by the jurisdiction of the encounter or discharge; the median
    minutes from the request (after any legal hold) to the receiver's signature; and those overdue:
    their deadline passed by the report's moment without a signature or a decline in time."""
    requested_at, declined_at = _first_step(State.requested), _first_step(State.declined)
    settled_at = sa.func.coalesce(Handover.handed_over_at, declined_at)
    per_handover = (
        sa.select(
            Handover.jurisdiction_id,
            Handover.handed_over_at.is_not(None).label("handed_over"),
            (sa.func.extract("epoch", Handover.handed_over_at - requested_at) / 60).label("minutes"),
            sa.and_(
                Handover.deadline_at < moment(scope.as_of),
                sa.or_(settled_at.is_(None), settled_at > Handover.deadline_at),
            ).label("overdue"),
        )
        .where(in_subtree(Handover.jurisdiction_id, scope), during(Handover.created_at, scope))
        .subquery("per_handover")
    )
    handover = per_handover.c
    median = sa.func.percentile_cont(0.5).within_group(handover.minutes)
    return rolled_up(
        scope,
        per_handover,
        handover.jurisdiction_id,
        [
            count("total"),
            count("handed_over", handover.handed_over),
            rounded(median, 1).label("median_minutes"),
            count("overdue", handover.overdue),
        ],
    )


def leads(scope: Scope) -> Select:
    """Public leads taken in during the period: reports, duplicates linked to another lead, the
    median minutes from intake to a team on the scene, and response deadlines missed."""
    per_lead = (
        sa.select(
            Lead.jurisdiction_id,
            (Lead.duplicate_of.is_not(None)).label("duplicate"),
            (Lead.urgency == Urgency.urgent).label("urgent"),
            (Lead.status == Status.closed).label("closed"),
            (sa.func.extract("epoch", Lead.arrived_at - Lead.created_at) / 60).label("minutes"),
            (Lead.deadline_missed_at.is_not(None)).label("missed"),
        )
        .where(in_subtree(Lead.jurisdiction_id, scope), during(Lead.created_at, scope))
        .subquery("per_lead")
    )
    lead = per_lead.c
    median = sa.func.percentile_cont(0.5).within_group(lead.minutes)
    return rolled_up(
        scope,
        per_lead,
        lead.jurisdiction_id,
        [
            count("reports"),
            count("duplicates", lead.duplicate),
            count("urgent", lead.urgent),
            count("closed", lead.closed),
            rounded(median, 1).label("median_minutes_to_arrive"),
            count("missed_deadline", lead.missed),
        ],
    )


CATEGORY_HEADERS = {
    Category.minor: "未成年人",
    Category.elderly: "老年人",
    Category.disabled: "残疾人",
    Category.limited_mobility: "行动不便",
    Category.suspected_mental_illness: "疑似精神障碍",
    Category.critically_ill: "危重病人",
    Category.intoxicated: "醉酒",
    Category.pregnant: "孕妇",
    Category.with_minor: "携带未成年人",
    Category.suspected_exploitation: "疑似被利用乞讨",
}
OUTCOME_HEADERS = {
    Outcome.escorted_to_station: "护送至救助站",
    Outcome.escorted_to_hospital: "护送至医院",
    Outcome.emergency_services_called: "呼叫120",
    Outcome.refused_help: "拒绝救助",
    Outcome.police_referral: "现场移交公安",
    Outcome.resolved_on_site: "现场处置",
    Outcome.no_contact: "未能接触",
}
INCIDENT_HEADERS = {
    CriticalKind.person_dead: "发现死亡",
    CriticalKind.danger_of_death: "生命危险",
    CriticalKind.minor_in_danger: "未成年人遇险",
    CriticalKind.escorted_person_missing: "受助人员走失",
}

SECTIONS: tuple[Section, ...] = (
    Section(
        "patrols",
        "巡查",
        (Figure("shifts", "巡查班次"), Figure("hours", "巡查时长（小时）", 0.0)),
        patrols,
    ),
    Section(
        "hotspots",
        "重点区域",
        (
            Figure("total", "重点区域数"),
            Figure("covered", "已巡查重点区域"),
            Figure("overdue", "期末超时未巡查"),
        ),
        hotspots,
    ),
    Section(
        "encounters",
        "发现人员",
        (
            Figure("total", "发现人次"),
            *(Figure(c.value, header) for c, header in CATEGORY_HEADERS.items()),
        ),
        encounters,
    ),
    Section(
        "outcomes",
        "处置结果",
        tuple(Figure(o.value, header) for o, header in OUTCOME_HEADERS.items()),
        outcomes,
    ),
    Section("revisits", "回访", (Figure("due", "应回访"), Figure("done", "已回访")), revisits),
    Section("police_referrals", "公安移交", (Figure("total", "移交公安"),), police_referrals),
    Section(
        "critical_incidents",
        "重大事件",
        (
            Figure("total", "重大事件"),
            *(Figure(k.value, header) for k, header in INCIDENT_HEADERS.items()),
        ),
        critical_incidents,
    ),
    Section(
        "sweeps",
        "恶劣天气专项巡查",
        (
            Figure("sweeps", "专项巡查次数"),
            Figure("tasks", "专项巡查任务"),
            Figure("on_time", "按时完成"),
            Figure("late", "超时完成"),
            Figure("missed", "未完成"),
            Figure("pending", "未到期"),
        ),
        sweeps,
    ),
    Section(
        "handovers",
        "交接",
        (
            Figure("total", "交接数"),
            Figure("handed_over", "已签收"),
            Figure("median_minutes", "交接用时中位数（分钟）", None),
            Figure("overdue", "交接超时"),
        ),
        handovers,
    ),
    Section(
        "leads",
        "群众求助线索",
        (
            Figure("reports", "线索数"),
            Figure("duplicates", "重复线索"),
            Figure("urgent", "紧急线索"),
            Figure("closed", "已办结"),
            Figure("median_minutes_to_arrive", "到场用时中位数（分钟）", None),
            Figure("missed_deadline", "超时未到场"),
        ),
        leads,
    ),
)
