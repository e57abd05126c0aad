"""The summary's chart: encounters and escorts per local day, as a PNG (matplotlib, Agg).

Labels are Chinese, so the CJK font must be there; without it the chart is refused with a
clear problem rather than drawn with empty boxes where the characters should be.
"""

from __future__ import annotations

import io

from api.errors import ProblemError
from api.reports.schemas import SummaryReport
from api.settings import get_settings

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 4.8, 100


def cjk_font():
    """Latin text in matplotlib's own DejaVu Sans, Chinese from the CJK font (which lacks Latin
    glyphs): matplotlib falls back along the family list glyph by glyph."""
    from matplotlib.font_manager import FontProperties, fontManager

    path = get_settings().pdf_cjk_font_file
    if not path.is_file():
        raise ProblemError(
            503,
            f"the Chinese font {path} is missing, so the chart cannot be drawn; "
            "install fonts-droid-fallback or set PATROL_PDF_CJK_FONT_FILE",
            kind="font-missing",
        )
    family = FontProperties(fname=str(path)).get_name()
    if family not in {font.name for font in fontManager.ttflist}:
        fontManager.addfont(str(path))
    return FontProperties(family=["DejaVu Sans", family])


def daily_png(report: SummaryReport) -> bytes:
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = cjk_font()
    days = [d.date for d in report.daily]
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    axes = figure.subplots()
    axes.plot(days, [d.encounters for d in report.daily], marker="o", markersize=3, label="发现人次")
    axes.plot(days, [d.escorts for d in report.daily], marker="s", markersize=3, label="护送（救助站、医院）")
    axes.set_title(
        f"{report.name}（{report.jurisdiction}）每日发现人次与护送  {report.date_from} 至 {report.date_to}",
        fontproperties=font,
    )
    axes.set_ylabel("人次", fontproperties=font)
    peak = max((max(d.encounters, d.escorts) for d in report.daily), default=0)
    axes.set_ylim(0, max(peak, 1) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_locator(AutoDateLocator(maxticks=12))
    axes.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    axes.grid(alpha=0.3)
    axes.legend(prop=font, loc="upper left")
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
