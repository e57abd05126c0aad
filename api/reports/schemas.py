from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_EXAMPLE = {
    "jurisdiction": "990100",
    "name": "滨河市",
    "from": "2026-08-01",
    "to": "2026-08-31",
    "timezone": "Asia/Shanghai",
    "as_of": "2026-08-31T16:00:00Z",
    "generated_at": "2026-09-01T01:30:00Z",
    "sections": [
        {
            "key": "patrols",
            "title": "巡查",
            "figures": [
                {"key": "shifts", "header": "巡查班次"},
                {"key": "hours", "header": "巡查时长（小时）"},
            ],
        }
    ],
    "rows": [
        {
            "code": "990100",
            "name": "滨河市",
            "level": "city",
            "parent": None,
            "depth": 0,
            "figures": {"patrols": {"shifts": 212, "hours": 1480.5}},
        },
        {
            "code": "990102",
            "name": "河西区",
            "level": "district",
            "parent": "990100",
            "depth": 1,
            "figures": {"patrols": {"shifts": 97, "hours": 702.25}},
        },
    ],
    "daily": [{"date": "2026-08-01", "encounters": 14, "escorts": 3}],
}


class ReportFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class FigurePublic(BaseModel):
    key: str = Field(description="Key of the figure in each row's section.")
    header: str = Field(description="Column header of the table (Chinese).")


class SectionPublic(BaseModel):
    key: str
    title: str
    figures: list[FigurePublic]


class RowPublic(BaseModel):
    """One jurisdiction; its figures cover it and everything below it."""

    code: str
    name: str
    level: str
    parent: str | None
    depth: int = Field(description="Levels below the reported jurisdiction (0 for itself).")
    figures: dict[str, dict[str, int | float | None]] = Field(
        description="Section key, then figure key (as listed in `sections`), to the value."
    )


class DailyPublic(BaseModel):
    date: date
    encounters: int
    escorts: int = Field(description="Escorts to a rescue station or a hospital.")


class SummaryReport(BaseModel):
    """The periodic summary table (情况汇总表) of a jurisdiction."""

    jurisdiction: str
    name: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    timezone: str = Field(description="The local days of the period are days of this zone.")
    as_of: datetime = Field(description="The moment the figures describe: the period's end, or now.")
    generated_at: datetime
    sections: list[SectionPublic]
    rows: list[RowPublic]
    daily: list[DailyPublic] = Field(description="Encounters and escorts per local day, whole subtree.")

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [_EXAMPLE]})
