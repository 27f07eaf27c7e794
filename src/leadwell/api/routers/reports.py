"""Results: one leader's report, the same object the report page and the PDF render.

The anonymity contract is applied once, in scoring: the report object holds only the figures
the rule shows (no minimum or maximum of any group, comments pooled and unattributed), and
this module only copies it into JSON. The report answers once no answer can arrive any more
(the cycle closed or released, as for the admins' preview) and every opening is written to
the report log.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from leadwell.api.auth import actor
from leadwell.api.routers._common import answers, in_org
from leadwell.config.http import private
from leadwell.cycles.models import Assessment
from leadwell.reports import selectors
from leadwell.reports.content import QUADRANT_TEXT, FigureRow, Report
from leadwell.reports.models import ReportView
from leadwell.reports.services import report_view_log

__all__ = ["API_FORMAT", "report_json", "router"]

router = Router(tags=["results"])
#: How an opening through the API is written to the report log.
API_FORMAT = ReportView.API


class CellOut(Schema):
    group: str = Field(description="self, manager, peer, direct, other, others or all_others.")
    name: str
    n: int
    mean: float
    sd: float | None


class FigureOut(Schema):
    id: str
    name: str
    text: str
    axis: str | None
    rwg: float | None
    low_agreement: bool
    cells: list[CellOut]


class GapOut(Schema):
    facet: str
    name: str
    self_mean: float
    others_mean: float
    gap: float
    flag: str | None = Field(description="blind_spot, hidden_strength or null.")


class RankedOut(Schema):
    item: str
    text: str
    facet: str
    mean: float


class PracticeOut(Schema):
    key: str
    title: str
    tool: str
    idea: str
    steps: list[str]


class FocusOut(Schema):
    facet: str
    name: str
    others_mean: float | None
    gap: float | None
    reasons: list[str]
    practice: PracticeOut


class CommentsOut(Schema):
    question: str
    texts: list[str]


class ChangeRowOut(Schema):
    id: str
    name: str
    before: float
    after: float
    delta: float
    rci: float | None
    reliable: bool
    direction: str


class ChangeOut(Schema):
    cycle: str
    quadrant_before: str
    quadrant_after: str
    moved: bool
    axes: list[ChangeRowOut]
    facets: list[ChangeRowOut]


class SettingsOut(Schema):
    k: int = Field(description="Anonymity threshold: the fewest anonymous raters a figure shows.")
    cut: float
    gap: float
    min_answered: float


class ReportOut(Schema):
    assessment_id: int
    leader: str
    cycle: str
    instrument_version: str
    settings: SettingsOut
    quadrant: str
    quadrant_name: str
    sufficient: bool
    counts: dict[str, int] = Field(description="Respondents per rater group.")
    groups: list[str] = Field(description="The groups with at least one shown figure.")
    axes: list[FigureOut]
    facets: list[FigureOut]
    outcomes: list[FigureOut]
    caution: FigureOut | None
    caution_high: bool
    gaps: list[GapOut]
    top: list[RankedOut]
    bottom: list[RankedOut]
    comments: list[CommentsOut] | None = Field(
        description="Pooled and unattributed; null when too few anonymous raters answered."
    )
    focus: list[FocusOut]
    change: ChangeOut | None
    scale: list[str]
    not_observed: str


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _figure(row: FigureRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "text": row.text,
        "axis": row.axis,
        "rwg": _number(row.rwg),
        "low_agreement": row.low_agreement,
        "cells": [
            {"group": c.group, "name": c.name, "n": c.n, "mean": c.mean, "sd": _number(c.sd)}
            for c in row.cells
        ],
    }


def _change(report: Report) -> dict[str, Any] | None:
    change = report.change
    if change is None:
        return None

    def rows(found: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "name": r.name,
                "before": r.before,
                "after": r.after,
                "delta": r.delta,
                "rci": _number(r.rci),
                "reliable": r.reliable,
                "direction": r.direction,
            }
            for r in found
        ]

    return {
        "cycle": change.cycle,
        "quadrant_before": change.quadrant_before,
        "quadrant_after": change.quadrant_after,
        "moved": change.moved,
        "axes": rows(change.axes),
        "facets": rows(change.facets),
    }


def report_json(report: Report, assessment_id: int) -> dict[str, Any]:
    """The report object as the JSON of :class:`ReportOut` (NaN becomes null)."""
    s = report.settings
    return {
        "assessment_id": assessment_id,
        "leader": report.leader,
        "cycle": report.cycle,
        "instrument_version": report.instrument_version,
        "settings": {"k": s.k, "cut": s.cut, "gap": s.gap, "min_answered": s.min_answered},
        "quadrant": report.quadrant,
        "quadrant_name": QUADRANT_TEXT[report.quadrant][0],
        "sufficient": report.sufficient,
        "counts": dict(report.counts),
        "groups": list(report.groups),
        "axes": [_figure(r) for r in report.axes],
        "facets": [_figure(r) for r in report.facets],
        "outcomes": [_figure(r) for r in report.outcomes],
        "caution": _figure(report.caution) if report.caution is not None else None,
        "caution_high": report.caution_high,
        "gaps": [asdict(g) for g in report.gaps],
        "top": [asdict(r) for r in report.top],
        "bottom": [asdict(r) for r in report.bottom],
        "comments": None
        if report.comments is None
        else [{"question": q, "texts": list(texts)} for q, texts in report.comments],
        "focus": [
            {
                "facet": area.focus.facet,
                "name": area.name,
                "others_mean": _number(area.others_mean),
                "gap": _number(area.gap),
                "reasons": list(area.focus.reasons),
                "practice": {
                    k: getattr(area.focus.practice, k) for k in ("key", "title", "tool", "idea")
                }
                | {"steps": list(area.focus.practice.steps)},
            }
            for area in report.focus
        ],
        "change": _change(report),
        "scale": list(report.scale),
        "not_observed": report.not_observed,
    }


@router.get(
    "/assessments/{assessment_id}/report",
    response=answers({200: ReportOut}, 404, 409),
    summary="Read a leader's report",
)
def assessment_report(
    request: HttpRequest, assessment_id: int, response: HttpResponse
) -> dict[str, Any]:
    """The leader's report, once the cycle is closed (409 before: while answers can still
    arrive, watching the report change would reveal single raters). Written to the report
    log as opened by the key's admin, format "api"."""
    queryset = Assessment.objects.select_related("cycle", "leader")
    assessment = in_org(queryset, request, assessment_id)
    who = actor(request)
    role = selectors.report_role(assessment, who)
    if assessment.cycle.status not in selectors.ADMIN_PREVIEW or role is None:
        raise HttpError(
            409,
            f"The report is not available yet: “{assessment.cycle.name}” is "
            f"{assessment.cycle.status}. Reports open once the cycle is closed.",
        )
    found = selectors.report_for(assessment)
    report_view_log(assessment=assessment, viewer=who, role=role, format=API_FORMAT)
    private(response)
    return report_json(found, assessment.pk)
