from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from geoalchemy2.shape import to_shape

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import SessionDep
from api.errors import ProblemError, invalid, problems
from api.geojson import DatumQuery, geometry_in, geometry_out
from api.hotspots.models import Hotspot
from api.jurisdictions import service as jurisdictions
from api.jurisdictions.models import Jurisdiction
from api.organisations.models import Organisation
from api.phone import PHONE
from api.sweeps import service, supplies
from api.sweeps.cap import MAX_BYTES
from api.sweeps.models import SupplyStock, Sweep, SweepStatus, SweepTask, Trigger
from api.sweeps.schemas import (
    AlertReceipt,
    Reassign,
    StockPublic,
    StockSet,
    SweepCreate,
    SweepPublic,
    SweepReport,
    TaskOutcome,
    TaskPublic,
)
from api.teams.models import Team, TeamMember
from geo.datum import Datum

COMMAND = (Role.dispatcher, Role.supervisor, Role.admin)
CREW = (Role.officer, Role.dispatcher, Role.supervisor, Role.admin)

_CAP_EXAMPLE = (
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
    "<identifier>99010041600000_20261129180000</identifier>"
    "<sender>990100-weather</sender><sent>2026-11-29T18:00:00+08:00</sent><status>Actual</status>"
    "<msgType>Alert</msgType><scope>Public</scope><info><event>寒潮橙色预警</event><urgency>Immediate</urgency>"
    "<severity>Severe</severity><certainty>Likely</certainty><expires>2026-11-30T18:00:00+08:00</expires>"
    "<area><areaDesc>滨河市</areaDesc><geocode><valueName>行政区划代码</valueName><value>990100</value>"
    "</geocode></area></info></alert>"
)

router = APIRouter(tags=["sweeps"], responses=problems(400, 401, 403, 404, 422))


def _public(session, sweep: Sweep, datum: Datum = Datum.wgs84) -> SweepPublic:
    return SweepPublic(
        id=sweep.id,
        kind=sweep.kind,
        level=sweep.level,
        jurisdiction=session.get(Jurisdiction, sweep.jurisdiction_id).code,
        trigger=sweep.trigger,
        trigger_ref=sweep.trigger_ref,
        starts_at=sweep.starts_at,
        check_deadline=sweep.check_deadline,
        ends_at=sweep.ends_at,
        status=sweep.status,
        area=geometry_out(sweep.area, datum),
        progress=service.progress(session, sweep),
    )


@router.post(
    "/weather/cap",
    response_model=AlertReceipt,
    operation_id="receiveCapAlert",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/cap+xml": {"schema": {"type": "string"}, "example": _CAP_EXAMPLE},
                "application/xml": {
                    "schema": {"type": "string"},
                    "example": '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">...</alert>',
                },
            },
        }
    },
)
async def receive_cap(
    request: Request, session: SessionDep, principal: Annotated[Principal, Allow(*COMMAND)]
) -> AlertReceipt:
    """A CAP 1.2 alert (XML). Actual alerts start or extend a sweep; Update and Cancel change or
    end the sweep of the alerts they reference. The same alert twice changes nothing."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ProblemError(413, f"a CAP document is at most {MAX_BYTES} bytes", kind="too-large")
    alert, sweep, created = service.receive_alert(session, principal=principal, document=body)
    session.commit()
    return AlertReceipt(
        alert_id=alert.id,
        identifier=alert.identifier,
        status=alert.status,
        msg_type=alert.msg_type,
        sweep_id=sweep.id if sweep else None,
        duplicate=not created,
    )


@router.post("/sweeps", response_model=SweepPublic, status_code=201, operation_id="startSweep")
def start_sweep(
    body: SweepCreate,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    datum: DatumQuery = Datum.wgs84,
) -> SweepPublic:
    """Start a sweep by hand over a jurisdiction or a drawn area."""
    if (body.jurisdiction is None) == (body.area is None):
        raise invalid("give either a jurisdiction or an area", loc=["body", "area"])
    if body.area is not None:
        area = service.area_from_geojson(
            geometry_in(body.area, datum=datum, allowed=("Polygon", "MultiPolygon"), loc=["body", "area"])
        )
    else:
        jurisdiction = jurisdictions.get_in_scope(
            session=session, principal=principal, code=body.jurisdiction
        )
        if jurisdiction.boundary is None:
            raise invalid(f"jurisdiction {jurisdiction.code} has no boundary", loc=["body", "jurisdiction"])
        area = service.area_from_geojson(to_shape(jurisdiction.boundary))
    starts = body.starts_at or datetime.now(UTC)
    if body.ends_at <= starts:
        raise invalid("ends_at must come after the start", loc=["body", "ends_at"])
    sweep = service.open_or_extend(
        session,
        principal=principal,
        kind=body.kind,
        level=body.level,
        area=area,
        starts_at=starts,
        ends_at=body.ends_at,
        trigger=Trigger.person,
        trigger_ref=str(principal.id),
    )
    if not jurisdictions.is_within(
        session.get(Jurisdiction, sweep.jurisdiction_id).path, principal.jurisdiction_path
    ):
        raise ProblemError(403, "the area reaches beyond your jurisdiction", kind="forbidden")
    session.commit()
    return _public(session, sweep, datum)


@router.get("/sweeps", response_model=list[SweepPublic], operation_id="listSweeps", tags=[PHONE])
def list_sweeps(
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    open_only: bool = True,
    datum: DatumQuery = Datum.wgs84,
) -> list[SweepPublic]:
    query = sa.select(Sweep).where(jurisdictions.in_scope(Sweep.jurisdiction_id, principal))
    if open_only:
        query = query.where(Sweep.status == SweepStatus.open)
    return [_public(session, s, datum) for s in session.scalars(query.order_by(Sweep.created_at.desc()))]


@router.get("/sweeps/{sweep_id}", response_model=SweepPublic, operation_id="getSweep", tags=[PHONE])
def get_sweep(
    sweep_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    datum: DatumQuery = Datum.wgs84,
) -> SweepPublic:
    return _public(session, service.get(session, principal=principal, sweep_id=sweep_id), datum)


@router.post("/sweeps/{sweep_id}/close", response_model=SweepPublic, operation_id="closeSweep")
def close_sweep(
    sweep_id: uuid.UUID, session: SessionDep, principal: Annotated[Principal, Allow(*COMMAND)]
) -> SweepPublic:
    sweep = service.get(session, principal=principal, sweep_id=sweep_id)
    service.close(session, sweep=sweep, reason=f"closed by {principal.username}")
    session.commit()
    return _public(session, sweep)


def _task_public(task: SweepTask, hotspot_name: str) -> TaskPublic:
    return TaskPublic(
        id=task.id,
        sweep_id=task.sweep_id,
        hotspot_id=task.hotspot_id,
        hotspot_name=hotspot_name,
        team_id=task.team_id,
        status=task.status,
        done_at=task.done_at,
    )


@router.get(
    "/sweeps/{sweep_id}/tasks", response_model=list[TaskPublic], operation_id="sweepTasks", tags=[PHONE]
)
def sweep_tasks(
    sweep_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*CREW)],
    mine: Annotated[bool, Query(description="Only my teams' tasks.")] = False,
) -> list[TaskPublic]:
    service.get(session, principal=principal, sweep_id=sweep_id)
    query = (
        sa.select(SweepTask, Hotspot.name)
        .join(Hotspot, Hotspot.id == SweepTask.hotspot_id)
        .where(SweepTask.sweep_id == sweep_id)
        .order_by(Hotspot.name)
    )
    if mine:
        query = query.where(
            SweepTask.team_id.in_(sa.select(TeamMember.team_id).where(TeamMember.user_id == principal.id))
        )
    return [_task_public(task, name) for task, name in session.execute(query)]


@router.post(
    "/sweeps/tasks/{task_id}/done", response_model=TaskPublic, operation_id="completeSweepTask", tags=[PHONE]
)
def complete_task(
    task_id: uuid.UUID, body: TaskOutcome, session: SessionDep, principal: Annotated[Principal, Allow(*CREW)]
) -> TaskPublic:
    """Record what the check found (a visit from the track or a check-in also completes a task)."""
    task = service.record_outcome(session, principal=principal, task_id=task_id, **body.model_dump())
    session.commit()
    return _task_public(task, session.get(Hotspot, task.hotspot_id).name)


@router.post("/sweeps/tasks/{task_id}/assign", response_model=TaskPublic, operation_id="reassignSweepTask")
def reassign_task(
    task_id: uuid.UUID, body: Reassign, session: SessionDep, principal: Annotated[Principal, Allow(*COMMAND)]
) -> TaskPublic:
    task = service.reassign(session, principal=principal, task_id=task_id, team_id=body.team_id)
    session.commit()
    return _task_public(task, session.get(Hotspot, task.hotspot_id).name)


@router.get(
    "/sweeps/{sweep_id}/report",
    response_model=SweepReport,
    operation_id="sweepReport",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def sweep_report(
    sweep_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, Allow(*COMMAND)],
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
):
    """Hotspots checked on time, late or missed; people met, supplies, escorts, refusals, revisits."""
    sweep = service.get(session, principal=principal, sweep_id=sweep_id)
    totals, rows = service.report(session, sweep)
    if format == "json":
        return SweepReport(sweep_id=sweep.id, totals=totals, hotspots=rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["hotspot"])
    writer.writeheader()
    writer.writerows({**r, "supplies": json.dumps(r["supplies"], ensure_ascii=False)} for r in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sweep-{sweep.id}.csv"'},
    )


def _stock_public(stock: SupplyStock) -> StockPublic:
    return StockPublic(
        team_id=stock.team_id,
        organisation_id=stock.organisation_id,
        kind=stock.kind,
        quantity=stock.quantity,
        low_at=stock.low_at,
        low=stock.quantity <= stock.low_at,
        updated_at=stock.updated_at,
    )


@router.get("/supplies", response_model=list[StockPublic], operation_id="listSupplies")
def list_supplies(
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.dispatcher, Role.supervisor, Role.admin, Role.station_staff)],
) -> list[StockPublic]:
    """Stock by team and by station (station staff: their own store)."""
    query = sa.select(SupplyStock).where(jurisdictions.in_scope(SupplyStock.jurisdiction_id, principal))
    if principal.role == Role.station_staff:
        query = query.where(SupplyStock.organisation_id == principal.organisation_id)
    return [_stock_public(s) for s in session.scalars(query.order_by(SupplyStock.team_id, SupplyStock.kind))]


@router.put("/supplies", response_model=StockPublic, operation_id="setSupplies")
def set_supplies(
    body: StockSet,
    session: SessionDep,
    principal: Annotated[Principal, Allow(Role.dispatcher, Role.admin, Role.station_staff)],
) -> StockPublic:
    """Set what a team or a station holds of one kind (after loading the vehicle, a delivery...)."""
    if (body.team_id is None) == (body.organisation_id is None):
        raise invalid("give either team_id or organisation_id", loc=["body", "team_id"])
    if body.team_id is not None:
        team = session.get(Team, body.team_id)
        if team is None or principal.role == Role.station_staff:
            raise invalid(f"no team {body.team_id} you may stock", loc=["body", "team_id"])
        jurisdiction_id = team.jurisdiction_id
    else:
        organisation = session.get(Organisation, body.organisation_id)
        if organisation is None or (
            principal.role == Role.station_staff and principal.organisation_id != organisation.id
        ):
            raise invalid(
                f"no organisation {body.organisation_id} you may stock", loc=["body", "organisation_id"]
            )
        jurisdiction_id = organisation.jurisdiction_id
    path = session.get(Jurisdiction, jurisdiction_id).path
    if (
        not jurisdictions.is_within(path, principal.jurisdiction_path)
        and principal.role != Role.station_staff
    ):
        raise ProblemError(403, "outside your jurisdiction", kind="forbidden")
    stock = supplies.set_stock(
        session,
        team_id=body.team_id,
        organisation_id=body.organisation_id,
        jurisdiction_id=jurisdiction_id,
        kind=body.kind,
        quantity=body.quantity,
        low_at=body.low_at,
    )
    session.commit()
    return _stock_public(stock)
