"""Assessments (one leader in one cycle) and nominations (who rates them).

The key acts as the org admin who made it, so a proposed rater is approved at once (and
invited at once when the cycle is open), exactly as when that admin adds one on the page.
Nominations say who was asked and whether they were invited, never whether they answered.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from leadwell.api.auth import actor
from leadwell.api.pagination import Page
from leadwell.api.routers._common import MAX_ID, answers, in_org
from leadwell.cycles import selectors, services
from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination
from leadwell.orgs.models import Person
from leadwell.reports.selectors import ADMIN_PREVIEW

__all__ = ["router"]

router = Router(tags=["assessments"])


class AssessmentOut(Schema):
    id: int
    cycle_id: int
    leader_id: int
    leader_name: str
    leader_email: str

    @staticmethod
    def resolve_leader_name(obj: Assessment) -> str:
        return obj.leader.name

    @staticmethod
    def resolve_leader_email(obj: Assessment) -> str:
        return obj.leader.email


class RaterCounts(Schema):
    approved: int = Field(description="Approved raters, the self-assessment included.")
    approved_anonymous: int = Field(description="Approved peers, direct reports and others.")
    proposed: int = Field(description="Waiting for a decision.")
    declined: int


class AssessmentDetailOut(AssessmentOut):
    cycle_name: str
    cycle_status: str
    raters: RaterCounts
    report_available: bool = Field(
        description="Whether GET /api/assessments/{id}/report answers (cycle closed or released)."
    )

    @staticmethod
    def resolve_cycle_name(obj: Assessment) -> str:
        return obj.cycle.name

    @staticmethod
    def resolve_cycle_status(obj: Assessment) -> str:
        return obj.cycle.status

    @staticmethod
    def resolve_raters(obj: Assessment) -> dict[str, int]:
        approved = Q(status=Nomination.APPROVED)
        counts: dict[str, int] = obj.nominations.aggregate(
            approved=Count("pk", filter=approved),
            approved_anonymous=Count(
                "pk", filter=approved & Q(group__in=selectors.ANONYMOUS_GROUPS)
            ),
            proposed=Count("pk", filter=Q(status=Nomination.PROPOSED)),
            declined=Count("pk", filter=Q(status=Nomination.DECLINED)),
        )
        return counts

    @staticmethod
    def resolve_report_available(obj: Assessment) -> bool:
        return obj.cycle.status in ADMIN_PREVIEW


class LeadersIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"leaders": [2]}]})

    leaders: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        min_length=1, max_length=1000, description="Person ids."
    )


class AssessmentsAdded(Schema):
    created: list[AssessmentOut]
    skipped: list[int] = Field(description="Leaders (person ids) already in the cycle.")


class NominationOut(Schema):
    id: int
    assessment_id: int
    person_id: int | None
    name: str
    email: str
    group: str
    status: str = Field(description="proposed, approved or declined.")
    invited: bool

    @staticmethod
    def resolve_invited(obj: Nomination) -> bool:
        known = getattr(obj, "invited", None)
        if known is not None:
            return bool(known)
        return Invitation.objects.filter(nomination=obj).exists()


class NominationIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Ana", "email": "ana@acme.example", "group": "peer"}]
        },
    )

    name: str = Field("", max_length=200, description="May be left out for a known person.")
    email: str = Field(max_length=254)
    group: str = Field(max_length=20, description="manager, peer, direct or other.")


def _assessments() -> Any:
    return Assessment.objects.select_related("leader", "cycle")


@router.get(
    "/cycles/{cycle_id}/assessments",
    response=answers({200: list[AssessmentOut]}, 404),
    summary="List a cycle's assessments",
)
@paginate(Page)
def assessments_list(request: HttpRequest, cycle_id: int) -> Any:
    """The cycle's leaders, by name."""
    cycle = in_org(Cycle, request, cycle_id)
    return _assessments().filter(cycle=cycle).order_by("leader__name", "pk")


@router.post(
    "/cycles/{cycle_id}/assessments",
    response=answers({201: AssessmentsAdded}, 404, 422),
    summary="Add leaders to a cycle",
)
def assessments_add(request: HttpRequest, cycle_id: int, data: LeadersIn) -> Status[Any]:
    """Add leaders to a draft or nominating cycle (their self-assessment and their manager
    are approved at once). Leaders already in the cycle are skipped."""
    cycle = in_org(Cycle, request, cycle_id)
    wanted = list(dict.fromkeys(data.leaders))
    # The service checks the ids itself (same organization, active), so hand it every id.
    created = services.assessments_add(
        cycle, leaders=[Person(pk=pk) for pk in wanted], actor=actor(request)
    )
    made = {a.leader_id for a in created}
    added = _assessments().filter(pk__in=[a.pk for a in created]).order_by("pk")
    skipped = [pk for pk in wanted if pk not in made]
    return Status(201, {"created": list(added), "skipped": skipped})


@router.get(
    "/assessments/{assessment_id}",
    response=answers({200: AssessmentDetailOut}, 404),
    summary="Read an assessment",
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> Assessment:
    return in_org(_assessments(), request, assessment_id)


@router.get(
    "/assessments/{assessment_id}/nominations",
    response=answers({200: list[NominationOut]}, 404),
    summary="List an assessment's raters",
)
@paginate(Page)
def nominations_list(request: HttpRequest, assessment_id: int) -> Any:
    """The leader's raters: self, manager, peers, direct reports, others; then by name."""
    assessment = in_org(Assessment, request, assessment_id)
    return selectors.nominations_for_assessment(assessment)


@router.post(
    "/assessments/{assessment_id}/nominations",
    response=answers({201: NominationOut}, 404, 422),
    summary="Add a rater",
)
def nomination_propose(
    request: HttpRequest, assessment_id: int, data: NominationIn
) -> Status[Nomination]:
    """Add a rater; approved at once, and invited at once when the cycle is open."""
    assessment = in_org(_assessments(), request, assessment_id)
    nomination = services.nomination_propose(
        assessment, name=data.name, email=data.email, group=data.group, actor=actor(request)
    )
    return Status(201, nomination)


def _nominations() -> Any:
    invited = Invitation.objects.filter(nomination=OuterRef("pk"))
    return Nomination.objects.select_related("assessment").annotate(invited=Exists(invited))


@router.post(
    "/nominations/{nomination_id}/approve",
    response=answers({200: NominationOut}, 404, 409),
    url_name="nomination_approve",
    summary="Approve a rater",
)
def nomination_approve(request: HttpRequest, nomination_id: int) -> Nomination:
    """Approve a proposed or declined rater (invited at once when the cycle is open)."""
    nomination = in_org(_nominations(), request, nomination_id)
    services.nomination_approve(nomination, actor=actor(request))
    return in_org(_nominations(), request, nomination_id)


@router.post(
    "/nominations/{nomination_id}/decline",
    response=answers({200: NominationOut}, 404, 409),
    url_name="nomination_decline",
    summary="Decline a rater",
)
def nomination_decline(request: HttpRequest, nomination_id: int) -> Nomination:
    """Decline a rater who has not been invited yet."""
    nomination = in_org(_nominations(), request, nomination_id)
    services.nomination_decline(nomination, actor=actor(request))
    return in_org(_nominations(), request, nomination_id)
