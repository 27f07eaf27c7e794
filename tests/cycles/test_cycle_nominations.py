"""Nominations: the defaults set up with each leader, the leader's proposals and their limits,
suggestions from the org chart, and who may approve, decline or edit."""

from __future__ import annotations

import pytest
from cycle_helpers import approve

from leadwell.cycles import services
from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination
from leadwell.cycles.services import CycleError

pytestmark = pytest.mark.django_db


@pytest.fixture
def nominating(cycle, assessment):
    services.cycle_start_nominating(cycle)
    return assessment


def propose(assessment, actor, name="Zed", email="zed@example.com", group="other"):
    return services.nomination_propose(assessment, name=name, email=email, group=group, actor=actor)


def test_adding_a_leader_nominates_self_and_manager_approved(cycle, people):
    (made,) = services.assessments_add(cycle, leaders=[people["Lee"]])
    rows = set(made.nominations.values_list("name", "email", "group", "status"))
    assert rows == {
        ("Lee", "lee@acme.example", "self", "approved"),
        ("Maria", "maria@acme.example", "manager", "approved"),
    }


def test_a_leader_without_a_manager_gets_only_the_self_nomination(cycle, people):
    (made,) = services.assessments_add(cycle, leaders=[people["Maria"]])
    assert list(made.nominations.values_list("group", flat=True)) == ["self"]


def test_adding_leaders_twice_keeps_one_assessment_each(cycle, people):
    services.assessments_add(cycle, leaders=[people["Lee"], people["Ana"]])
    again = services.assessments_add(cycle, leaders=[people["Lee"], people["Ben"]])
    assert [a.leader.name for a in again] == ["Ben"]
    assert Assessment.objects.filter(cycle=cycle).count() == 3


def test_leaders_of_another_organization_or_inactive_are_refused(cycle, people, other_org):
    from leadwell.orgs.models import Person

    stranger = Person.objects.create(organization=other_org, name="Sam", email="sam@globex.example")
    with pytest.raises(CycleError, match="this organization"):
        services.assessments_add(cycle, leaders=[stranger])
    people["Ben"].is_active = False
    people["Ben"].save()
    with pytest.raises(CycleError, match="Ben"):
        services.assessments_add(cycle, leaders=[people["Ben"], people["Cy"]])
    assert not Assessment.objects.exists()


def test_leaders_cannot_be_added_or_removed_once_open(ready, cycle, people):
    services.cycle_open(cycle, actor=None)
    with pytest.raises(CycleError, match="before it opens"):
        services.assessments_add(cycle, leaders=[people["Ben"]])
    with pytest.raises(CycleError, match="before the cycle opens"):
        services.assessment_remove(ready)


def test_the_leader_proposes_and_the_proposal_waits_for_approval(nominating, leader):
    made = propose(nominating, leader.user)
    assert (made.status, made.proposed_by, made.decided_by) == ("proposed", leader.user, None)


def test_the_leader_proposes_only_peers_direct_reports_and_others(nominating, leader):
    for group in ("manager", "self"):
        with pytest.raises(CycleError, match="Pick one of these groups"):
            propose(nominating, leader.user, group=group)
    assert nominating.nominations.count() == 2


def test_the_leader_cannot_nominate_themself(nominating, leader):
    with pytest.raises(CycleError, match="own address"):
        propose(nominating, leader.user, email="LEE@acme.example")


def test_the_same_email_cannot_be_nominated_twice(nominating, leader):
    propose(nominating, leader.user, email="zed@example.com")
    with pytest.raises(CycleError, match="already nominated"):
        propose(nominating, leader.user, name="Zed again", email="Zed@Example.com")


def test_a_bad_email_is_refused(nominating, leader):
    with pytest.raises(CycleError, match="not an email address"):
        propose(nominating, leader.user, email="zed-at-example")


def test_proposals_stop_at_the_cycles_limit_and_declined_ones_do_not_count(
    nominating, leader, manager, cycle
):
    Cycle.objects.filter(pk=cycle.pk).update(max_raters=4)  # the manager counts; self does not
    made = [propose(nominating, leader.user, f"R{i}", f"r{i}@example.com") for i in range(3)]
    with pytest.raises(CycleError, match="already has 4 raters"):
        propose(nominating, leader.user, "R9", "r9@example.com")
    services.nomination_decline(made[0], actor=manager)
    assert propose(nominating, leader.user, "R9", "r9@example.com").status == "proposed"


def test_the_leader_can_propose_only_while_nominating(assessment, leader, cycle):
    with pytest.raises(CycleError, match="while the cycle is nominating"):
        propose(assessment, leader.user)  # draft


def test_a_colleague_cannot_propose_for_someone_else(nominating, colleague):
    with pytest.raises(CycleError, match="Only the leader, their manager or an org admin"):
        propose(nominating, colleague)


def test_manager_and_admin_additions_are_approved_at_once(nominating, manager, admin):
    by_manager = propose(nominating, manager, "Mo", "mo@example.com", "peer")
    by_admin = propose(nominating, admin, "Ad", "ad@example.com", "direct")
    assert (by_manager.status, by_manager.decided_by) == ("approved", manager)
    assert (by_admin.status, by_admin.decided_by) == ("approved", admin)


def test_only_the_admin_names_a_manager_and_only_one(nominating, manager, admin):
    with pytest.raises(CycleError, match="Pick one of these groups"):
        propose(nominating, manager, group="manager")
    with pytest.raises(CycleError, match="already has a manager rater"):
        propose(nominating, admin, group="manager")


def test_suggestions_come_from_the_org_chart_and_skip_people_nominated(nominating, leader):
    propose(nominating, leader.user, "Ana", "ana@acme.example", "peer")
    found = [(s.name, s.group) for s in services.nomination_suggestions(nominating)]
    assert found == [
        ("Dana", "direct"),
        ("Eli", "direct"),
        ("Fay", "direct"),
        ("Ben", "peer"),
        ("Cy", "peer"),
    ]


def test_the_manager_approves_and_declines(nominating, leader, manager):
    first = propose(nominating, leader.user, "One", "one@example.com")
    second = propose(nominating, leader.user, "Two", "two@example.com")
    services.nomination_approve(first, actor=manager)
    services.nomination_decline(second, actor=manager)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == ("approved", manager)
    assert (second.status, second.decided_by) == ("declined", manager)


def test_a_random_colleague_cannot_approve_or_decline(nominating, leader, colleague):
    made = propose(nominating, leader.user)
    for action in (services.nomination_approve, services.nomination_decline):
        with pytest.raises(CycleError, match="Only the leader, their manager or an org admin"):
            action(made, actor=colleague)
    made.refresh_from_db()
    assert made.status == "proposed"


def test_the_leader_cannot_approve_their_own_proposal(nominating, leader):
    made = propose(nominating, leader.user)
    with pytest.raises(CycleError, match="approved by their manager or an org admin"):
        services.nomination_approve(made, actor=leader.user)


def test_an_admin_overrides_approves_declines_and_edits(nominating, leader, admin):
    made = propose(nominating, leader.user)
    services.nomination_decline(made, actor=admin)
    services.nomination_approve(made, actor=admin)
    services.nomination_update(made, actor=admin, group="direct", email="z2@example.com")
    made.refresh_from_db()
    assert (made.status, made.group, made.email) == ("approved", "direct", "z2@example.com")


def test_the_self_assessment_cannot_be_declined_or_regrouped(nominating, admin):
    own = nominating.nominations.get(group="self")
    with pytest.raises(CycleError, match="cannot be declined"):
        services.nomination_decline(own, actor=admin)
    with pytest.raises(CycleError, match="stays in the group"):
        services.nomination_update(own, actor=admin, group="peer")


def test_the_manager_edits_group_and_email(nominating, leader, manager):
    made = propose(nominating, leader.user)
    services.nomination_update(made, actor=manager, group="direct", email="new@example.com")
    made.refresh_from_db()
    assert (made.group, made.email) == ("direct", "new@example.com")


def test_the_leader_edits_only_proposals_still_waiting(nominating, leader, manager):
    made = propose(nominating, leader.user)
    services.nomination_update(made, actor=leader.user, name="Zed Z")
    services.nomination_approve(made, actor=manager)
    with pytest.raises(CycleError, match="only they or an admin can edit"):
        services.nomination_update(made, actor=leader.user, group="peer")
    made.refresh_from_db()
    assert (made.name, made.group) == ("Zed Z", "other")


def test_an_edit_cannot_reuse_another_raters_email(nominating, leader, manager):
    propose(nominating, leader.user, "One", "one@example.com")
    two = propose(nominating, leader.user, "Two", "two@example.com")
    with pytest.raises(CycleError, match="already nominated"):
        services.nomination_update(two, actor=manager, email="ONE@example.com")


def test_approving_in_an_open_cycle_invites_at_once(
    ready, cycle, people, manager, admin, django_capture_on_commit_callbacks, mailoutbox
):
    services.cycle_open(cycle, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        late = propose(ready, manager, "Late", "late@example.com", "other")
    invitation = Invitation.objects.get(nomination=late)
    assert invitation.status == Invitation.SENT
    assert [m.to for m in mailoutbox] == [["late@example.com"]]


def test_an_invited_rater_cannot_be_declined_or_edited(opened, people, manager):
    invited = Nomination.objects.get(email=people["Ana"].email)
    with pytest.raises(CycleError, match="already been invited"):
        services.nomination_decline(invited, actor=manager)
    with pytest.raises(CycleError, match="already been invited"):
        services.nomination_update(invited, actor=manager, group="other")


def test_nominations_are_frozen_once_closed(opened, cycle, people, manager, admin):
    services.cycle_close(cycle, actor=admin)
    with pytest.raises(CycleError, match="can no longer change"):
        services.nomination_propose(
            Assessment.objects.get(cycle=cycle),
            name="X",
            email="x@example.com",
            group="peer",
            actor=manager,
        )


def test_approve_respects_the_limit_when_reinstating_a_declined_rater(
    nominating, leader, manager, people, cycle
):
    declined = propose(nominating, leader.user)
    services.nomination_decline(declined, actor=manager)
    Cycle.objects.filter(pk=cycle.pk).update(max_raters=4)
    approve(nominating, people, ["Ana", "Ben", "Cy"], "peer")  # manager + 3 = 4
    with pytest.raises(CycleError, match="the most this cycle allows"):
        services.nomination_approve(declined, actor=manager)
