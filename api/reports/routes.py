from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.auth.deps import Allow, Principal
from api.auth.models import Role
from api.db import ReadSessionDep
from api.errors import problems
from api.jurisdictions.schemas import CODE_PATTERN
from api.reports import chart, export, service
from api.reports.schemas import ReportFormat, SummaryReport

READERS = (Role.supervisor, Role.dispatcher, Role.admin)
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

router = APIRouter(prefix="/reports", tags=["reports"], responses=problems(400, 401, 403, 404, 422, 503))


class PngResponse(Response):
    media_type = "image/png"


JurisdictionCode = Annotated[
    str, Query(pattern=CODE_PATTERN, description="Code of the reported jurisdiction.")
]
From = Annotated[date, Query(alias="from", description="First local day of the period (YYYY-MM-DD).")]
To = Annotated[date, Query(alias="to", description="Last local day of the period, included.")]
Levels = Annotated[
    int | None,
    Query(ge=0, le=5, description="Rows for this many levels below the jurisdiction (all by default)."),
]


def _file(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/summary",
    response_model=SummaryReport,
    operation_id="summaryReport",
    responses={
        200: {
            "description": "The table as JSON, CSV or XLSX (with the daily chart)",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def summary_report(
    session: ReadSessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    jurisdiction: JurisdictionCode,
    date_from: From,
    date_to: To,
    levels: Levels = None,
    format: ReportFormat = ReportFormat.json,
):
    """The periodic summary (情况汇总表): patrols, hotspots, encounters, outcomes, revisits,
    referrals, incidents, sweeps and handovers, one row per jurisdiction, each row covering
    everything below it. Days are local days of the jurisdiction's time zone."""
    report = service.summary(
        session=session, principal=principal, code=jurisdiction, first=date_from, last=date_to, levels=levels
    )
    if format == ReportFormat.csv:
        return _file(export.to_csv(report), "text/csv; charset=utf-8", export.filename(report, "csv"))
    if format == ReportFormat.xlsx:
        return _file(export.to_xlsx(report), XLSX_MEDIA_TYPE, export.filename(report, "xlsx"))
    return report


@router.get(
    "/summary/chart.png",
    operation_id="summaryChart",
    response_class=PngResponse,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "Encounters and escorts per local day",
        }
    },
)
def summary_chart(
    session: ReadSessionDep,
    principal: Annotated[Principal, Allow(*READERS)],
    jurisdiction: JurisdictionCode,
    date_from: From,
    date_to: To,
) -> Response:
    """The summary's chart: encounters and escorts per local day, over the whole subtree."""
    report = service.summary(
        session=session, principal=principal, code=jurisdiction, first=date_from, last=date_to, sections=()
    )
    return PngResponse(chart.daily_png(report))
