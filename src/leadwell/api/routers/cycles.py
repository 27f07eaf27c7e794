"""Cycles: list, create, read with progress, and move through draft → nominating → open →
closed → released with the services the admin pages use (their refusals come back as 409).

Progress gives counts per rater group, never who has or has not answered.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from leadwell.api.auth import actor, organization
from leadwell.api.pagination import Page
from leadwell.api.routers._common import answers, in_org
from leadwell.cycles import selectors, services
from leadwell.cycles.models import Cycle
from leadwell.instrument import RELEASED

__all__ = ["router"]

router = Router(tags=["cycles"])
_LATEST = sorted(RELEASED)[-1]


CycleStatus = Literal["draft", "nominating", "open", "closed", "released"]


class CycleOut(Schema):
    id: int
    name: str
    status: CycleStatus
    instrument_version: str
    min_anonymous: int
    max_raters: int
    deadline: date | None
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    released_at: datetime | None


class CycleIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Spring 2026", "min_anonymous": 3}]},
    )

    name: str = Field(max_length=200)
    instrument_version: str = Field(_LATEST, max_length=50)
    min_anonymous: int | None = Field(
        None, ge=2, le=20, description=f"Default {settings.LEADWELL_MIN_ANONYMOUS}."
    )
    max_raters: int | None = Field(
        None, ge=3, le=100, description=f"Default {settings.LEADWELL_MAX_RATERS}."
    )
    deadline: date | None = None


class GroupCounts(Schema):
    group: str
    invited: int
    started: int = Field(description="Have begun, those who submitted included.")
    submitted: int


class AssessmentProgressOut(Schema):
    assessment_id: int
    leader_name: str
    approved: int = Field(description="Approved raters, the self-assessment included.")
    approved_anonymous: int
    proposed: int
    invited: int
    started: int
    submitted: int
    groups: list[GroupCounts]


class ProgressOut(Schema):
    invited: int
    started: int
    submitted: int
    groups: list[GroupCounts]
    assessments: list[AssessmentProgressOut]
    short: list[int] = Field(
        description="Assessments with fewer approved anonymous raters than min_anonymous."
    )


class CycleDetailOut(CycleOut):
    progress: ProgressOut

    @staticmethod
    def resolve_progress(obj: Cycle) -> ProgressOut:
        return _progress(obj)


class AdvanceIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": "open"}]})

    to: Literal["nominating", "open", "closed", "released"]
    override: bool = Field(
        False, description="Open although some leaders have too few anonymous raters."
    )


class ShortOut(Schema):
    assessment_id: int
    leader_name: str
    approved_anonymous: int


class AdvanceOut(Schema):
    cycle: CycleOut
    invitations: int | None = Field(description="Opening: invitations created.")
    undecided: int | None = Field(description="Opening: proposed raters nobody decided on.")
    short: list[ShortOut] = Field(description="Opening: leaders opened short of raters.")


def _progress(cycle: Cycle) -> ProgressOut:
    progress = selectors.cycle_progress(cycle, names=False)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for assessment in progress.assessments:
        for group in assessment.groups:
            for field in ("invited", "started", "submitted"):
                totals[group.group][field] += getattr(group, field)
    order = [group for group, _ in selectors.GROUP_LABELS.items() if group in totals]
    return ProgressOut(
        invited=progress.invited,
        started=progress.started,
        submitted=progress.submitted,
        groups=[GroupCounts(group=g, **totals[g]) for g in order],
        assessments=[
            AssessmentProgressOut(
                assessment_id=a.assessment_id,
                leader_name=a.leader_name,
                approved=a.approved,
                approved_anonymous=a.approved_anonymous,
                proposed=a.proposed,
                invited=a.invited,
                started=a.started,
                submitted=a.submitted,
                groups=[GroupCounts.model_validate(g) for g in a.groups],
            )
            for a in progress.assessments
        ],
        short=[a.assessment_id for a in progress.short],
    )


@router.get("/cycles", response=answers({200: list[CycleOut]}, 422), summary="List cycles")
@paginate(Page)
def cycles_list(
    request: HttpRequest,
    # Plain types only in a paginated operation's signature: ninja reads its annotations in
    # the namespace of its pagination wrapper, where Literal is unknown.
    status: str | None = Query(
        None,
        pattern="^(draft|nominating|open|closed|released)$",
        description="draft, nominating, open, closed or released.",
    ),
) -> Any:
    """The organization's cycles, newest first; ``status`` keeps those in that status."""
    cycles = Cycle.objects.filter(organization=organization(request))
    if status:
        cycles = cycles.filter(status=status)
    return cycles.order_by("-created_at", "-pk")


@router.post("/cycles", response=answers({201: CycleOut}, 400, 422), summary="Create a cycle")
def cycle_create(request: HttpRequest, data: CycleIn) -> Status[Cycle]:
    """A new draft cycle; its instrument version is fixed from now on."""
    cycle = services.cycle_create(organization(request), actor=actor(request), **data.model_dump())
    return Status(201, cycle)


@router.get(
    "/cycles/{cycle_id}",
    response=answers({200: CycleDetailOut}, 404, 422),
    summary="Read a cycle and its progress",
)
def cycle_detail(request: HttpRequest, cycle_id: int) -> Cycle:
    """The cycle, and its progress per rater group (counts only, no rater's name)."""
    return in_org(Cycle, request, cycle_id)


@router.post(
    "/cycles/{cycle_id}/advance",
    response=answers({200: AdvanceOut}, 400, 404, 409, 422),
    url_name="cycle_advance",
    summary="Move a cycle to its next status",
)
def cycle_advance(request: HttpRequest, cycle_id: int, data: AdvanceIn) -> AdvanceOut:
    """Move the cycle on: ``nominating`` (leaders propose raters), ``open`` (invite the
    approved raters), ``closed`` (links stop working), ``released`` (leaders read reports).
    A step the cycle cannot take from where it is answers 409 with the reason."""
    cycle = in_org(Cycle, request, cycle_id)
    who = actor(request)
    invitations = undecided = None
    short: list[ShortOut] = []
    if data.to == Cycle.NOMINATING:
        services.cycle_start_nominating(cycle, actor=who)
    elif data.to == Cycle.OPEN:
        result = services.cycle_open(cycle, override=data.override, actor=who)
        invitations, undecided = result.invitations, result.undecided
        short = [ShortOut.model_validate(s) for s in result.short]
    elif data.to == Cycle.CLOSED:
        services.cycle_close(cycle, actor=who)
    else:
        services.cycle_release(cycle, actor=who)
    cycle.refresh_from_db()
    return AdvanceOut(
        cycle=CycleOut.model_validate(cycle),
        invitations=invitations,
        undecided=undecided,
        short=short,
    )
