"""The written handover record (书面交接) as a PDF, with a Latin and a CJK font embedded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from api.settings import get_settings


@dataclass(frozen=True)
class RecordContent:
    handover_id: str
    kind: str
    sender: str
    sender_organisation: str
    receiver_name: str
    receiver_organisation: str
    person: str
    encounter_summary: list[str]
    needs: list[str]
    belongings: list[str]
    health_notes: str
    requested_at: datetime
    handed_over_at: datetime
    place: str
    sender_confirmation: str
    receiver_confirmation: str
    timezone: str


class FontMissing(RuntimeError):
    """The CJK font is not installed; the record cannot be issued (never without Chinese text)."""


def local_time(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def render(content: RecordContent) -> tuple[bytes, str]:
    """The PDF bytes and their SHA-256."""
    settings = get_settings()
    fonts = (
        (settings.pdf_font_file, "fonts-dejavu-core"),
        (settings.pdf_cjk_font_file, "fonts-droid-fallback"),
    )
    for font, package in fonts:
        if not font.is_file():
            raise FontMissing(
                f"font {font} is missing; install {package} or set PATROL_PDF_FONT_FILE / "
                "PATROL_PDF_CJK_FONT_FILE"
            )
    pdf = FPDF(format="A4")
    pdf.set_creator("street patrol and relief")
    pdf.set_title(f"书面交接记录 {content.handover_id}")
    pdf.add_font("latin", fname=str(settings.pdf_font_file))
    pdf.add_font("han", fname=str(settings.pdf_cjk_font_file))
    pdf.set_fallback_fonts(["han"])  # Chinese glyphs come from the CJK font, the rest from DejaVu
    pdf.add_page()
    pdf.set_font("latin", size=18)
    pdf.cell(0, 12, "书面交接记录 Written handover record", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("latin", size=11)
    rows = [
        ("交接编号 Handover", content.handover_id),
        ("类型 Kind", content.kind),
        ("移交人 From", f"{content.sender}（{content.sender_organisation}）"),
        ("接收人 To", f"{content.receiver_name}（{content.receiver_organisation}）"),
        ("受助人员 Person", content.person),
        ("发起时间 Requested", local_time(content.requested_at, content.timezone)),
        ("交接时间 Handed over", local_time(content.handed_over_at, content.timezone)),
        ("交接地点 Place", content.place),
        ("情况摘要 Encounter", "；".join(content.encounter_summary) or "—"),
        ("需求 Needs", "、".join(content.needs) or "—"),
        ("随身物品 Belongings", "、".join(content.belongings) or "—"),
        ("健康情况 Health", content.health_notes or "—"),
        ("移交方确认 Sender", content.sender_confirmation),
        ("接收方确认 Receiver", content.receiver_confirmation),
    ]
    for label, value in rows:
        pdf.set_font("latin", size=10)
        pdf.cell(48, 8, label)
        pdf.set_font("latin", size=11)
        pdf.multi_cell(0, 8, value, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(6)
    pdf.set_font("latin", size=9)
    pdf.multi_cell(
        0,
        6,
        "本记录由双方确认后生成，签发后不可更改；其 SHA-256 保存于系统中。"
        " Issued once both sides confirmed; it never changes and its SHA-256 is kept.",
    )
    data = bytes(pdf.output())
    return data, hashlib.sha256(data).hexdigest()
