"""The cycle's state machine: draft → nominating → open → closed → released (draft → open too),
and every other step refused with a message that says what can be done instead."""

from __future__ import annotations

import datetime as dt

import pytest
from cycle_helpers import approve

from leadwell.cycles import services
from leadwell.cycles.models import Cycle, Invitation, Nomination
from leadwell.cycles.services import CycleError

pytestmark = pytest.mark.django_db

STEPS = {
    Cycle.NOMINATING: lambda c, actor: services.cycle_start_nominating(c, actor=actor),
    Cycle.OPEN: lambda c, actor: services.cycle_open(c, override=True, actor=actor),
    Cycle.CLOSED: lambda c, actor: services.cycle_close(c, actor=actor),
    Cycle.RELEASED: lambda c, actor: services.cycle_release(c, actor=actor),
}
LEGAL = {
    (Cycle.DRAFT, Cycle.NOMINATING),
    (Cycle.DRAFT, Cycle.OPEN),
    (Cycle.NOMINATING, Cycle.OPEN),
    (Cycle.OPEN, Cycle.CLOSED),
    (Cycle.CLOSED, Cycle.RELEASED),
}
ALL = [(a, b) for a, _ in Cycle.STATUSES for b in STEPS]


@pytest.mark.parametrize(("start", "target"), ALL)
def test_each_transition_is_allowed_exactly_when_legal(start, target, ready, cycle, admin):
    Cycle.objects.filter(pk=cycle.pk).update(status=start)
    cycle.refresh_from_db()
    if (start, target) in LEGAL:
        STEPS[target](cycle, admin)
        assert cycle.status == target
        assert Cycle.objects.get(pk=cycle.pk).status == target
    else:
        with pytest.raises(CycleError, match="so you cannot") as caught:
            STEPS[target](cycle, admin)
        assert Cycle.objects.get(pk=cycle.pk).status == start
        assert "From here you can" in str(caught.value)


def test_transitions_stamp_their_times(ready, cycle, admin):
    services.cycle_open(cycle, actor=admin)
    services.cycle_close(cycle, actor=admin)
    services.cycle_release(cycle, actor=admin)
    cycle.refresh_from_db()
    assert cycle.opened_at <= cycle.closed_at <= cycle.released_at


def test_a_cycle_without_leaders_cannot_start_nominating_or_open(cycle, admin):
    with pytest.raises(CycleError, match="Add at least one leader"):
        services.cycle_start_nominating(cycle, actor=admin)
    with pytest.raises(CycleError, match="Add at least one leader"):
        services.cycle_open(cycle, override=True, actor=admin)


def test_open_refuses_with_too_few_anonymous_raters_and_names_the_leader(
    assessment, people, cycle, admin
):
    approve(assessment, people, ["Ana", "Ben"], "peer")
    # The manager is approved but not anonymous: 2 anonymous raters < 3.
    with pytest.raises(CycleError, match=r"Lee \(2\)") as caught:
        services.cycle_open(cycle, actor=admin)
    assert "override" in str(caught.value)
    cycle.refresh_from_db()
    assert cycle.status == Cycle.DRAFT
    assert not Invitation.objects.exists()


def test_open_with_override_lists_the_short_assessments_and_invites_everyone_approved(
    assessment, people, cycle, admin
):
    approve(assessment, people, ["Ana"], "peer")
    Nomination.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        name="Zed",
        email="zed@example.com",
        group="other",
    )  # proposed, never approved
    result = services.cycle_open(cycle, override=True, actor=admin)
    assert [(s.leader_name, s.approved_anonymous) for s in result.short] == [("Lee", 1)]
    assert result.invitations == 3  # self, manager, Ana
    assert result.undecided == 1
    assert set(Invitation.objects.values_list("group", flat=True)) == {"self", "manager", "peer"}


def test_open_counts_only_approved_anonymous_groups(assessment, people, cycle, admin):
    approve(assessment, people, ["Ana", "Ben"], "peer")
    approve(assessment, people, ["Dana"], "direct")
    Nomination.objects.filter(email=people["Dana"].email).update(status=Nomination.DECLINED)
    with pytest.raises(CycleError, match="fewer than 3"):
        services.cycle_open(cycle, actor=admin)
    approve(assessment, people, ["Eli"], "other")
    result = services.cycle_open(cycle, actor=admin)
    assert result.short == ()


def test_open_twice_creates_no_second_set_of_invitations(ready, cycle, admin):
    first = services.cycle_open(cycle, actor=admin)
    with pytest.raises(CycleError):
        services.cycle_open(cycle, actor=admin)
    assert Invitation.objects.count() == first.invitations == 7


def test_a_non_admin_cannot_move_a_cycle(ready, cycle, leader):
    with pytest.raises(CycleError, match="Only an org admin"):
        services.cycle_open(cycle, override=True, actor=leader.user)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.DRAFT


def test_an_admin_of_another_organization_cannot_move_a_cycle(ready, cycle, outsider):
    with pytest.raises(CycleError, match="Only an org admin"):
        services.cycle_start_nominating(cycle, actor=outsider)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "Give the cycle a name"),
        ({"instrument_version": "9"}, "Unknown instrument version"),
        ({"instrument_version": "/etc/passwd"}, "Unknown instrument version"),
        ({"min_anonymous": 1}, "at least 2"),
        ({"max_raters": 3}, "Allow at least 4"),
        ({"deadline": dt.date(2000, 1, 1)}, "in the past"),
    ],
)
def test_cycle_create_refuses_bad_settings(org, changes, message):
    with pytest.raises(CycleError, match=message):
        services.cycle_create(org, **{"name": "Spring", **changes})
    assert not Cycle.objects.exists()


def test_cycle_create_fixes_the_instrument_version_and_takes_defaults_from_settings(org, settings):
    settings.LEADWELL_MAX_RATERS = 12
    cycle = services.cycle_create(org, name=" Autumn ")
    assert (cycle.name, cycle.instrument_version, cycle.status) == ("Autumn", "1", Cycle.DRAFT)
    assert (cycle.min_anonymous, cycle.max_raters) == (3, 12)


def test_closing_keeps_every_response_unchanged(opened, admin):
    from leadwell.cycles.models import Assessment, Response

    assessment = Assessment.objects.get(cycle=opened)
    made = {
        Response.objects.create(
            organization=assessment.organization,
            assessment=assessment,
            group="peer",
            answers=bytes([i % 5 + 1] * 4),
        ).pk: bytes([i % 5 + 1] * 4)
        for i in range(6)
    }
    services.cycle_close(opened, actor=admin)
    kept = {r.pk: bytes(r.answers) for r in Response.objects.filter(assessment=assessment)}
    assert kept == made
    assert Cycle.objects.get(pk=opened.pk).status == Cycle.CLOSED


def test_closing_deletes_the_drafts_of_raters_who_never_submitted(opened, admin):
    from leadwell.cycles.models import Draft

    waiting = Invitation.objects.filter(assessment__cycle=opened)[:2]
    for invitation in waiting:
        Draft.objects.create(invitation=invitation, answers=bytes([3] * 59), page=2)
    other = Cycle.objects.create(organization=opened.organization, name="Other", status=Cycle.OPEN)
    other_assessment = other.assessments.create(
        organization=opened.organization, leader=waiting[0].assessment.leader
    )
    elsewhere = Invitation.objects.create(
        organization=opened.organization, assessment=other_assessment, group="peer",
        name="Someone", email="someone@acme.example", token_hash="f" * 64,
    )  # fmt: skip
    Draft.objects.create(invitation=elsewhere, answers=bytes([4] * 59))
    services.cycle_close(opened, actor=admin)
    # The closed cycle's half-answers are gone; another cycle's draft is untouched.
    assert list(Draft.objects.values_list("invitation_id", flat=True)) == [elsewhere.pk]
