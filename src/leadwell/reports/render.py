"""From the report object to HTML: the charts and the template context, shared by the page,
the PDF and the batch."""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from leadwell.reports.charts import ProfileRow, QuadrantPoint, profile_svg, quadrant_svg
from leadwell.reports.content import GROUP_NAMES, QUADRANT_TEXT, Report
from leadwell.reports.models import ReportChart

__all__ = ["report_context", "report_print_html"]

_POINTS = ("all_others", "self", "manager")
# Part of every stored chart's key: change it when the chart code draws differently.
CHART_VERSION = "charts-1"


def report_context(report: Report, *, assessment: Any = None, **extra: Any) -> dict[str, Any]:
    """What the report templates read: the report, its charts as inline SVG, and ``extra``.

    With ``assessment``, the charts come from the database when the same inputs were drawn
    before (see :class:`~leadwell.reports.models.ReportChart`).
    """
    inputs = _chart_inputs(report)
    charts = _stored_charts(assessment, inputs) if assessment is not None else _draw(inputs)
    # Safe: the SVG is made by our chart code, which escapes every text it is given.
    safe = {name: mark_safe(svg) for name, svg in charts.items() if svg}
    return {
        "report": report,
        "charts": safe,
        "group_names": GROUP_NAMES,
        "assessment": assessment,
        "answers_deleted": _answers_deleted(report, assessment),
        **extra,
    }


def _answers_deleted(report: Report, assessment: Any) -> Any:
    """When the retention purge deleted the cycle's answers (only asked when no answer is
    left: the one case it can explain, at no cost to every other report)."""
    if assessment is None or any(n for _, n in report.counts):
        return None
    from leadwell.privacy.selectors import answers_deleted_at

    return answers_deleted_at(assessment.cycle)


def report_print_html(report: Report, *, assessment: Any = None, **extra: Any) -> str:
    """The standalone HTML page that WeasyPrint turns into the PDF."""
    context = report_context(report, assessment=assessment, **extra)
    return render_to_string("reports/print.html", context)


def _chart_inputs(report: Report) -> dict[str, dict[str, Any]]:
    """The arguments of both charts: the same inputs always draw the same SVG."""
    inputs: dict[str, dict[str, Any]] = {}
    points = _quadrant_points(report)
    arrows = _movement(report, points)
    shown = [*points, *(start for start, _ in arrows)]
    if points:
        inputs["quadrant"] = {
            "points": shown,
            "cut": report.settings.cut,
            "regions": {k: QUADRANT_TEXT[k][0] for k in QUADRANT_TEXT if k != "insufficient"},
            "title": "Managing and leading",
            "description": _quadrant_description(shown),
            "id_prefix": "quadrant-",
            "arrows": arrows,
        }
    rows = [_profile_row(row) for row in report.profile_rows]
    if any(row.values for row in rows):
        inputs["profile"] = {
            "rows": rows,
            "groups": report.group_names(),
            "title": "Facet profile",
            "description": "Mean rating of each facet by each rater group on the 1 to 5 "
            "scale; the grey line spans one SD either side of all others' mean. The table "
            "below holds the same figures.",
            "id_prefix": "profile-",
            "cut": report.settings.cut,
            "sections": _sections(report),
        }
    return inputs


def _draw(inputs: dict[str, dict[str, Any]]) -> dict[str, str]:
    charts = {}
    if "quadrant" in inputs:
        args = dict(inputs["quadrant"])
        charts["quadrant"] = quadrant_svg(args.pop("points"), **args)
    if "profile" in inputs:
        args = dict(inputs["profile"])
        charts["profile"] = profile_svg(args.pop("rows"), **args)
    return charts


def _stored_charts(assessment: Any, inputs: dict[str, dict[str, Any]]) -> dict[str, str]:
    key = hashlib.sha256(f"{CHART_VERSION}{inputs!r}".encode()).hexdigest()
    found = ReportChart.objects.filter(assessment=assessment, key=key).first()
    if found is not None:
        return {"quadrant": found.quadrant, "profile": found.profile}
    charts = _draw(inputs)
    ReportChart.objects.filter(assessment=assessment).delete()  # older inputs: no longer used
    ReportChart.objects.get_or_create(
        assessment=assessment,
        key=key,
        defaults={"quadrant": charts.get("quadrant", ""), "profile": charts.get("profile", "")},
    )
    return charts


def _quadrant_points(report: Report) -> list[QuadrantPoint]:
    managing, leading = ({c.group: c.mean for c in axis.cells} for axis in report.axes[:2])
    return [
        QuadrantPoint(GROUP_NAMES[group], managing[group], leading[group])
        for group in _POINTS
        if group in managing and group in leading
    ]


def _movement(
    report: Report, points: list[QuadrantPoint]
) -> list[tuple[QuadrantPoint, QuadrantPoint]]:
    """All others' move since the previous report, as an arrow from there to here."""
    change = report.change
    now = next((p for p in points if p.label == GROUP_NAMES["all_others"]), None)
    if change is None or now is None:
        return []
    managing, leading = change.axis("managing"), change.axis("leading")
    if managing is None or leading is None:
        return []
    return [(QuadrantPoint(change.cycle, managing.before, leading.before), now)]


def _quadrant_description(points: list[QuadrantPoint]) -> str:
    where = "; ".join(
        f"{p.label}: managing {p.managing:.2f}, leading {p.leading:.2f}" for p in points
    )
    return f"Position on the two axes, from 1 to 5. {where}."


def _profile_row(row: Any) -> ProfileRow:
    others = row.others
    return ProfileRow(
        label=f"{row.id} {row.name}",
        values={cell.name: cell.mean for cell in row.cells},
        spread=_sd_band(others),
    )


def _sd_band(others: Any) -> tuple[float, float] | None:
    """Mean ± SD of all others, within the scale. Not the range: its ends would be single
    raters' exact scores."""
    if others is None or others.sd is None or others.n < 2:
        return None
    return max(1.0, others.mean - others.sd), min(5.0, others.mean + others.sd)


def _sections(report: Report) -> list[tuple[str, int]]:
    managing = sum(1 for row in report.facets if row.axis == "managing")
    sections = [
        (name, count)
        for name, count in (("Managing", managing), ("Leading", len(report.facets) - managing))
        if count
    ]
    if report.caution is not None:
        sections.append(("Caution", 1))
    return sections
