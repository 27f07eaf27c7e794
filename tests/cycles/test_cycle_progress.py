"""The progress dashboard's numbers: invited / started / submitted per assessment and group,
the names of raters who have not submitted, and a query count that does not grow with the
number of assessments."""

from __future__ import annotations

from collections import Counter

import pytest
from cycle_helpers import approve
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leadwell.cycles import selectors, services
from leadwell.cycles.models import Assessment, Cycle, Invitation
from leadwell.orgs.models import Person

pytestmark = pytest.mark.django_db

STATES = {  # rater -> invitation status for Lee's raters
    "Lee": Invitation.STARTED,
    "Maria": Invitation.SUBMITTED,
    "Ana": Invitation.SUBMITTED,
    "Ben": Invitation.STARTED,
    "Cy": Invitation.SENT,
    "Dana": Invitation.SUBMITTED,
    "Eli": Invitation.PENDING,
}


@pytest.fixture
def answered(opened):
    for name, status in STATES.items():
        Invitation.objects.filter(name=name).update(status=status)
    return opened


def expected(assessment: Assessment) -> dict[str, tuple[int, int, int]]:
    """Independent count: a loop over the invitations."""
    counts: dict[str, Counter] = {}
    for invitation in Invitation.objects.filter(assessment=assessment):
        c = counts.setdefault(invitation.group, Counter())
        c["invited"] += 1
        c["started"] += invitation.status in (Invitation.STARTED, Invitation.SUBMITTED)
        c["submitted"] += invitation.status == Invitation.SUBMITTED
    return {g: (c["invited"], c["started"], c["submitted"]) for g, c in counts.items()}


def test_progress_counts_by_group_match_the_invitations(answered, ready):
    (lee,) = selectors.cycle_progress(answered).assessments
    found = {g.group: (g.invited, g.started, g.submitted) for g in lee.groups}
    assert found == expected(ready)
    assert found == {
        "self": (1, 1, 0),
        "manager": (1, 1, 1),
        "peer": (3, 2, 1),
        "direct": (2, 1, 1),
    }
    assert [g.group for g in lee.groups] == ["self", "manager", "peer", "direct"]
    assert (lee.invited, lee.started, lee.submitted, lee.percent) == (7, 5, 3, 43)


def test_progress_names_who_has_not_submitted_and_nothing_they_answered(answered):
    (lee,) = selectors.cycle_progress(answered).assessments
    assert [(w.name, w.group, w.status) for w in lee.waiting] == [
        ("Ben", "peer", "started"),
        ("Cy", "peer", "sent"),
        ("Eli", "direct", "pending"),
        ("Lee", "self", "started"),
    ]
    assert set(vars(lee.waiting[0])) == {
        "invitation_id",
        "name",
        "email",
        "group",
        "status",
        "bounced",
        "reminders_sent",
    }


def test_progress_without_names_lists_nobody(answered):
    (lee,) = selectors.cycle_progress(answered, names=False).assessments
    assert lee.waiting == ()
    assert lee.submitted == 3


def test_before_opening_progress_shows_approved_raters_and_short_assessments(
    cycle, assessment, people
):
    approve(assessment, people, ["Ana", "Ben"], "peer")
    progress = selectors.cycle_progress(cycle)
    (lee,) = progress.assessments
    assert (lee.approved, lee.approved_anonymous, lee.invited) == (4, 2, 0)
    assert [a.leader_name for a in progress.short] == ["Lee"]


def test_cycles_for_org_counts_leaders_invited_and_submitted(answered, org, other_org):
    services.cycle_create(org, name="Empty")
    services.cycle_create(other_org, name="Theirs")
    summaries = {s.cycle.name: s for s in selectors.cycles_for_org(org)}
    assert set(summaries) == {"Spring", "Empty"}
    spring = summaries["Spring"]
    assert (spring.leaders, spring.invited, spring.submitted, spring.percent) == (1, 7, 3, 43)
    assert (summaries["Empty"].leaders, summaries["Empty"].rate) == (0, None)


def many_leaders(org, cycle, count: int, tag: str) -> None:
    """``count`` leaders, each with five invitations in assorted states (plain ORM, fast)."""
    statuses = [s for s, _ in Invitation.STATUSES]
    leaders = Person.objects.bulk_create(
        Person(organization=org, name=f"L{i:03}", email=f"{tag}{i}@acme.example")
        for i in range(count)
    )
    made = Assessment.objects.bulk_create(
        Assessment(organization=org, cycle=cycle, leader=p) for p in leaders
    )
    Invitation.objects.bulk_create(
        Invitation(
            organization=org,
            assessment=a,
            group="peer",
            name=f"R{a.pk}-{j}",
            email=f"r{a.pk}-{j}@example.com",
            token_hash=f"{a.pk:032}{j:032}",
            status=statuses[j % 4],
        )
        for a in made
        for j in range(5)
    )
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.OPEN)


def test_dashboard_queries_do_not_grow_with_assessments(
    org, admin, client, django_assert_max_num_queries
):
    small = services.cycle_create(org, name="Small")
    large = services.cycle_create(org, name="Large")
    many_leaders(org, small, 2, "s")
    many_leaders(org, large, 30, "l")
    client.force_login(admin)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/cycles/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/cycles/{large.pk}/")
    assert response.content.count(b"<article") == 30
    # Each leader's card leads back to the table of all leaders (a long page otherwise).
    assert response.content.count(b'<a href="#overall">Back to all leaders</a>') == 30
    assert b'id="overall"' in response.content
    with django_assert_max_num_queries(3):
        progress = selectors.cycle_progress(large)
    assert progress.invited == 150
    assert progress.submitted == 30
