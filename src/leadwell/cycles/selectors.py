"""Reads that feed the cycles pages: progress, the cycle list, who takes part in what.

Each selector runs a fixed number of queries, however many assessments a cycle has.
Progress shows counts and the names of raters who have not submitted, never their answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from leadwell.cycles.models import GROUP_CHOICES, Assessment, Cycle, Invitation, Nomination
from leadwell.orgs.models import Organization, Person, Role

__all__ = [
    "ANONYMOUS_GROUPS",
    "GROUP_LABELS",
    "AssessmentProgress",
    "CycleProgress",
    "CycleSummary",
    "GroupProgress",
    "ShortAssessment",
    "Waiting",
    "assessment_role",
    "assessments_for_user",
    "assessments_short_of_raters",
    "cycle_progress",
    "cycles_for_org",
    "is_org_admin",
    "leader_candidates",
    "nominations_for_assessment",
]

ANONYMOUS_GROUPS = ("peer", "direct", "other")
GROUP_LABELS = dict(GROUP_CHOICES)
_GROUP_ORDER = {group: index for index, (group, _) in enumerate(GROUP_CHOICES)}


def is_org_admin(org_id: int, user: Any) -> bool:
    """Whether ``user`` is an org admin of the organization (superusers count as admins)."""
    if user is None or not user.is_authenticated:
        return False
    return (
        bool(user.is_superuser)
        or Role.objects.filter(organization_id=org_id, user_id=user.pk, role=Role.ADMIN).exists()
    )


def assessment_role(assessment: Assessment, user: Any) -> str | None:
    """The user's part in an assessment's nominations: "admin", "manager" (the leader's
    manager in the org chart), "leader", or None. Load ``leader__manager`` with it."""
    if is_org_admin(assessment.organization_id, user):
        return "admin"
    if user is None or not user.is_authenticated:
        return None
    leader = assessment.leader
    if leader.manager_id and leader.manager and leader.manager.user_id == user.pk:
        return "manager"
    if leader.user_id == user.pk:
        return "leader"
    return None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(rate: float | None) -> int | None:
    return None if rate is None else round(100 * rate)


@dataclass(frozen=True)
class GroupProgress:
    group: str
    invited: int = 0
    started: int = 0  # have begun, including those who have submitted
    submitted: int = 0

    @property
    def label(self) -> str:
        return GROUP_LABELS[self.group]


@dataclass(frozen=True)
class Waiting:
    """A rater who has not submitted: who they are, never what they answered."""

    invitation_id: int
    name: str
    email: str
    group: str
    status: str
    bounced: bool
    reminders_sent: int

    @property
    def group_label(self) -> str:
        return GROUP_LABELS[self.group]


@dataclass(frozen=True)
class AssessmentProgress:
    assessment_id: int
    leader_name: str
    groups: tuple[GroupProgress, ...]
    approved: int  # approved raters, self included
    approved_anonymous: int
    proposed: int  # waiting for the manager's decision
    waiting: tuple[Waiting, ...] = ()

    @property
    def invited(self) -> int:
        return sum(g.invited for g in self.groups)

    @property
    def started(self) -> int:
        return sum(g.started for g in self.groups)

    @property
    def submitted(self) -> int:
        return sum(g.submitted for g in self.groups)

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.invited)

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)


@dataclass(frozen=True)
class CycleProgress:
    cycle: Cycle
    assessments: tuple[AssessmentProgress, ...]
    short: tuple[AssessmentProgress, ...] = field(default=())

    @property
    def invited(self) -> int:
        return sum(a.invited for a in self.assessments)

    @property
    def started(self) -> int:
        return sum(a.started for a in self.assessments)

    @property
    def submitted(self) -> int:
        return sum(a.submitted for a in self.assessments)

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.invited)

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)

    @property
    def bounced(self) -> int:
        return sum(w.bounced for a in self.assessments for w in a.waiting)


def _group_counts(cycle: Cycle) -> dict[int, dict[str, dict[str, int]]]:
    """assessment id -> group -> invitation status -> count, in one query."""
    rows = (
        Invitation.objects.filter(assessment__cycle=cycle)
        .values("assessment_id", "group", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        counts[row["assessment_id"]][row["group"]][row["status"]] = row["n"]
    return counts


def _groups(by_group: dict[str, dict[str, int]]) -> tuple[GroupProgress, ...]:
    made = []
    for group in sorted(by_group, key=_GROUP_ORDER.__getitem__):
        statuses = by_group[group]
        submitted = statuses.get(Invitation.SUBMITTED, 0)
        made.append(
            GroupProgress(
                group=group,
                invited=sum(statuses.values()),
                started=statuses.get(Invitation.STARTED, 0) + submitted,
                submitted=submitted,
            )
        )
    return tuple(made)


def _waiting(cycle: Cycle) -> dict[int, list[Waiting]]:
    rows = (
        Invitation.objects.filter(assessment__cycle=cycle)
        .exclude(status=Invitation.SUBMITTED)
        .order_by("name", "pk")
        .values_list(
            "assessment_id", "pk", "name", "email", "group", "status", "bounced", "reminders_sent"
        )
    )
    waiting: dict[int, list[Waiting]] = defaultdict(list)
    for assessment_id, *rest in rows:
        waiting[assessment_id].append(Waiting(*rest))
    return waiting


def _assessments(cycle: Cycle) -> QuerySet[Assessment, dict[str, Any]]:
    approved = Q(nominations__status=Nomination.APPROVED)
    return (
        cycle.assessments.annotate(
            approved=Count("nominations", filter=approved),
            approved_anonymous=Count(
                "nominations", filter=approved & Q(nominations__group__in=ANONYMOUS_GROUPS)
            ),
            proposed=Count("nominations", filter=Q(nominations__status=Nomination.PROPOSED)),
        )
        .order_by("leader__name", "pk")
        .values("pk", "leader__name", "approved", "approved_anonymous", "proposed")
    )


def cycle_progress(cycle: Cycle, *, names: bool = True) -> CycleProgress:
    """Per assessment and rater group: invited, started (begun, submitted included) and
    submitted; the approved raters before the cycle opens; with ``names`` (admins only) the
    raters who have not submitted. Three queries (two without names)."""
    counts = _group_counts(cycle)
    waiting = _waiting(cycle) if names else {}
    made = tuple(
        AssessmentProgress(
            assessment_id=row["pk"],
            leader_name=row["leader__name"],
            groups=_groups(counts.get(row["pk"], {})),
            approved=row["approved"],
            approved_anonymous=row["approved_anonymous"],
            proposed=row["proposed"],
            waiting=tuple(waiting.get(row["pk"], ())),
        )
        for row in _assessments(cycle)
    )
    short = tuple(a for a in made if a.approved_anonymous < cycle.min_anonymous)
    return CycleProgress(cycle=cycle, assessments=made, short=short)


@dataclass(frozen=True)
class ShortAssessment:
    assessment_id: int
    leader_name: str
    approved_anonymous: int


def assessments_short_of_raters(cycle: Cycle) -> list[ShortAssessment]:
    """Assessments with fewer than ``cycle.min_anonymous`` approved anonymous raters."""
    return [
        ShortAssessment(row["pk"], row["leader__name"], row["approved_anonymous"])
        for row in _assessments(cycle)
        if row["approved_anonymous"] < cycle.min_anonymous
    ]


@dataclass(frozen=True)
class CycleSummary:
    cycle: Cycle
    leaders: int
    invited: int
    submitted: int

    @property
    def rate(self) -> float | None:
        return _rate(self.submitted, self.invited)

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)


def cycles_for_org(org: Organization) -> list[CycleSummary]:
    """The organization's cycles, newest first, with leaders, invited and submitted counts."""
    cycles = Cycle.objects.filter(organization=org).annotate(
        n_leaders=Count("assessments", distinct=True),
        n_invited=Count("assessments__invitations"),
        n_submitted=Count(
            "assessments__invitations",
            filter=Q(assessments__invitations__status=Invitation.SUBMITTED),
        ),
    )
    return [
        CycleSummary(cycle=c, leaders=c.n_leaders, invited=c.n_invited, submitted=c.n_submitted)
        for c in cycles.order_by("-created_at", "-pk")
    ]


def assessments_for_user(org: Organization, user: Any) -> QuerySet[Assessment]:
    """Assessments of cycles not yet closed where the user is the leader or their manager."""
    return (
        Assessment.objects.filter(
            organization=org,
            cycle__status__in=(Cycle.DRAFT, Cycle.NOMINATING, Cycle.OPEN),
        )
        .filter(Q(leader__user=user) | Q(leader__manager__user=user))
        .select_related("cycle", "leader")
        .order_by("cycle__name", "leader__name")
    )


def nominations_for_assessment(assessment: Assessment) -> list[Nomination]:
    """The assessment's raters in group order (self, manager, peers, ...), then by name."""
    invited = Invitation.objects.filter(nomination=OuterRef("pk"))
    nominations = assessment.nominations.annotate(invited=Exists(invited)).order_by("name", "pk")
    return sorted(nominations, key=lambda n: _GROUP_ORDER[n.group])


def leader_candidates(cycle: Cycle, query: str = "") -> QuerySet[Person]:
    """Active people of the cycle's organization not yet in it, matching ``query`` on name,
    email, unit or level."""
    people = (
        Person.objects.filter(organization_id=cycle.organization_id, is_active=True)
        .exclude(assessments__cycle=cycle)
        .select_related("unit", "manager")
        .order_by("name", "pk")
    )
    for word in query.split():
        people = people.filter(
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(level__icontains=word)
        )
    return people
