"""The cycles pages: what an admin, a leader and a manager see and do, POST-only changes with
CSRF, and 404 for every view asked about another organization's objects."""

from __future__ import annotations

import pytest
from cycle_helpers import approve
from django.test import Client
from django.urls import reverse

from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_signed_out_visitors_are_sent_to_sign_in(client, cycle):
    response = client.get(reverse("cycles:detail", args=[cycle.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_list_shows_the_orgs_cycles_with_response_rate_and_a_new_cycle_button(
    as_admin, opened, other_org
):
    from leadwell.cycles.services import cycle_create

    cycle_create(other_org, name="Globex secret")
    Invitation.objects.filter(name__in=["Ana", "Ben"]).update(status=Invitation.SUBMITTED)
    response = as_admin.get(reverse("cycles:list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("cycles:create") in html
    assert "New cycle" in html
    assert "Spring" in html
    assert "Globex secret" not in html
    assert '<progress max="7" value="2"' in html
    assert "29%" in html


def test_an_admin_with_no_cycles_sees_how_to_start(as_admin):
    html = as_admin.get(reverse("cycles:list")).content.decode()
    assert "No cycles yet" in html
    assert "New cycle" in html


def test_a_leader_sees_their_raters_page_but_not_the_admin_list(client, leader, assessment):
    client.force_login(leader.user)
    html = client.get(reverse("cycles:list")).content.decode()
    assert reverse("cycles:nominations", args=[assessment.pk]) in html
    assert "New cycle" not in html
    assert client.get(reverse("cycles:detail", args=[assessment.cycle_id])).status_code == 404
    assert client.get(reverse("cycles:create")).status_code == 404


def test_creating_a_cycle_goes_on_to_picking_leaders(as_admin, org):
    data = {"name": "Autumn", "instrument_version": "1", "min_anonymous": 3, "max_raters": 12}
    response = as_admin.post(reverse("cycles:create"), data)
    cycle = Cycle.objects.get(organization=org, name="Autumn")
    assert response["Location"] == reverse("cycles:leaders", args=[cycle.pk])
    assert cycle.max_raters == 12


def test_creating_a_cycle_with_bad_settings_shows_why(as_admin, org):
    data = {"name": "Autumn", "instrument_version": "1", "min_anonymous": 3, "max_raters": 3}
    response = as_admin.post(reverse("cycles:create"), data)
    assert response.status_code == 200
    assert "Allow at least 4 raters" in response.content.decode()
    assert not Cycle.objects.exists()


def test_leaders_page_searches_and_adds_the_people_ticked(as_admin, cycle, people):
    url = reverse("cycles:leaders", args=[cycle.pk])
    html = as_admin.get(url, {"q": "da"}).content.decode()
    assert "Dana" in html
    assert "Eli" not in html
    response = as_admin.post(url, {"person": [people["Lee"].pk, people["Ben"].pk]}, follow=True)
    assert "2 leaders added" in " ".join(messages_of(response))
    assert set(cycle.assessments.values_list("leader__name", flat=True)) == {"Lee", "Ben"}


def test_leaders_page_adds_all_people_matching_a_search(as_admin, cycle, people):
    people["Dana"].level = "team lead"
    people["Dana"].save()
    as_admin.post(reverse("cycles:leaders", args=[cycle.pk]), {"q": "manager", "all": "1"})
    names = set(cycle.assessments.values_list("leader__name", flat=True))
    assert names == {"Lee", "Ana", "Ben", "Cy"}  # level "manager" in the fixture


def test_removing_a_leader_before_opening(as_admin, assessment):
    as_admin.post(reverse("cycles:assessment_remove", args=[assessment.pk]))
    assert not Assessment.objects.exists()


def test_the_dashboard_shows_counts_by_group_and_who_has_not_answered(as_admin, opened):
    Invitation.objects.filter(name__in=["Ana", "Maria"]).update(status=Invitation.SUBMITTED)
    Invitation.objects.filter(name="Ben").update(status=Invitation.STARTED, bounced=True)
    html = as_admin.get(reverse("cycles:detail", args=[opened.pk])).content.decode()
    assert '<progress max="7" value="2"' in html
    assert "2 of 7 submitted (29%), 3 started" in html
    assert '<th scope="row">Peer</th><td class="num">3</td><td class="num">2</td>' in html
    for name in ("Ben", "Cy", "Dana", "Eli", "Lee"):
        assert f"Correct address of {name}" in html
    assert "Correct address of Ana" not in html
    assert "Correct address of Maria" not in html
    assert "bounced" in html
    assert "Send reminders to 4 raters" in html  # Ben bounced: left out


def test_opening_with_too_few_raters_is_refused_then_allowed_with_the_override(
    as_admin, cycle, assessment, people, django_capture_on_commit_callbacks, mailoutbox
):
    approve(assessment, people, ["Ana"], "peer")
    detail = as_admin.get(reverse("cycles:detail", args=[cycle.pk])).content.decode()
    assert "Too few anonymous raters" in detail
    assert 'name="override"' in detail
    url = reverse("cycles:open", args=[cycle.pk])
    refused = as_admin.post(url, follow=True)
    assert "Lee (1)" in " ".join(messages_of(refused))
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        opened = as_admin.post(url, {"override": "on"}, follow=True)
    text = " ".join(messages_of(opened))
    assert "3 invitations are going out" in text
    assert "Opened with too few anonymous raters" in text
    assert "Lee (1)" in text
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.OPEN
    assert len(mailoutbox) == 3


def test_the_admin_steps_through_the_cycle_with_posts(
    as_admin, ready, cycle, django_capture_on_commit_callbacks, mailoutbox
):
    def post(name):
        return as_admin.post(reverse(f"cycles:{name}", args=[cycle.pk]), follow=True)

    assert "Nominations are open" in " ".join(messages_of(post("start_nominating")))
    with django_capture_on_commit_callbacks(execute=True):
        post("open")
        reminded = post("remind")
    assert "Reminders are going to 7 raters" in " ".join(messages_of(reminded))
    assert len(mailoutbox) == 14
    assert "links no longer work" in " ".join(messages_of(post("close")))
    assert "are released" in " ".join(messages_of(post("release")))
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.RELEASED
    again = post("close")
    assert "is released, so you cannot close" in " ".join(messages_of(again))


@pytest.mark.parametrize("name", ["start_nominating", "open", "send", "remind", "close", "release"])
def test_actions_refuse_get(as_admin, cycle, name):
    assert as_admin.get(reverse(f"cycles:{name}", args=[cycle.pk])).status_code == 405


def test_actions_need_the_csrf_token(admin, ready, cycle):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(reverse("cycles:open", args=[cycle.pk])).status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.DRAFT


def test_the_leader_proposes_a_rater_and_sees_suggestions(client, leader, assessment, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.NOMINATING)
    client.force_login(leader.user)
    url = reverse("cycles:nominations", args=[assessment.pk])
    html = client.get(url).content.decode()
    assert "Propose as direct report" in html
    assert "Dana" in html
    data = {"name": "Dana", "email": "dana@acme.example", "group": "direct"}
    response = client.post(url, data, follow=True)
    assert "Dana proposed." in messages_of(response)
    assert Nomination.objects.get(email="dana@acme.example").status == Nomination.PROPOSED


def test_a_refused_proposal_shows_the_reason_on_the_form(client, leader, assessment, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.NOMINATING)
    client.force_login(leader.user)
    data = {"name": "Me", "email": "lee@acme.example", "group": "peer"}
    response = client.post(reverse("cycles:nominations", args=[assessment.pk]), data)
    assert response.status_code == 200
    assert "own address" in response.content.decode()


def test_the_manager_approves_and_edits_on_the_page(client, manager, leader, assessment, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.NOMINATING)
    made = Nomination.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        name="Zed",
        email="zed@example.com",
        group="other",
    )
    client.force_login(manager)
    html = client.get(reverse("cycles:nominations", args=[assessment.pk])).content.decode()
    assert "Approve Zed" in html
    client.post(reverse("cycles:nomination_approve", args=[made.pk]))
    prefix = f"n{made.pk}"
    edit = {f"{prefix}-name": "Zed", f"{prefix}-email": "z@example.com", f"{prefix}-group": "peer"}
    client.post(reverse("cycles:nomination_edit", args=[made.pk]), edit)
    made.refresh_from_db()
    assert (made.status, made.email, made.group) == ("approved", "z@example.com", "peer")


def test_a_random_colleague_gets_404_on_someone_elses_raters(client, colleague, assessment):
    made = Nomination.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        name="Zed",
        email="zed@example.com",
        group="other",
    )
    client.force_login(colleague)
    assert client.get(reverse("cycles:nominations", args=[assessment.pk])).status_code == 404
    assert client.post(reverse("cycles:nomination_approve", args=[made.pk])).status_code == 404
    made.refresh_from_db()
    assert made.status == Nomination.PROPOSED


def test_correcting_an_address_on_the_page_sends_a_new_link(
    as_admin, opened, django_capture_on_commit_callbacks, mailoutbox
):
    invitation = Invitation.objects.get(name="Cy")
    url = reverse("cycles:invitation_fix", args=[invitation.pk])
    assert "Correct Cy's address" in as_admin.get(url).content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(url, {"email": "cy@home.example"})
    assert response["Location"] == reverse("cycles:detail", args=[opened.pk])
    assert [m.to for m in mailoutbox] == [["cy@home.example"]]


def cross_org_requests(cycle, assessment, nomination, invitation):
    """Every cycles view with an object of the other organization: (method, url)."""
    gets = [
        ("cycles:detail", cycle.pk),
        ("cycles:leaders", cycle.pk),
        ("cycles:nominations", assessment.pk),
        ("cycles:invitation_fix", invitation.pk),
    ]
    posts = [
        ("cycles:leaders", cycle.pk),
        ("cycles:start_nominating", cycle.pk),
        ("cycles:open", cycle.pk),
        ("cycles:send", cycle.pk),
        ("cycles:remind", cycle.pk),
        ("cycles:close", cycle.pk),
        ("cycles:release", cycle.pk),
        ("cycles:nominations", assessment.pk),
        ("cycles:assessment_remove", assessment.pk),
        ("cycles:nomination_approve", nomination.pk),
        ("cycles:nomination_decline", nomination.pk),
        ("cycles:nomination_edit", nomination.pk),
        ("cycles:invitation_fix", invitation.pk),
    ]
    return [("get", reverse(n, args=[pk])) for n, pk in gets] + [
        ("post", reverse(n, args=[pk])) for n, pk in posts
    ]


def test_every_cycles_view_answers_404_to_another_organizations_admin(client, outsider, opened):
    assessment = Assessment.objects.get(cycle=opened)
    nomination = assessment.nominations.get(name="Ana")
    invitation = Invitation.objects.get(name="Ana")
    before = sorted(Invitation.objects.values_list("pk", "email", "token_hash", "status"))
    client.force_login(outsider)
    requests = cross_org_requests(opened, assessment, nomination, invitation)
    assert len({url for _, url in requests}) == 14  # every URL with an object id
    for method, url in requests:
        data = {"email": "evil@globex.example", "person": [1], "override": "on"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (method, url)
    assert sorted(Invitation.objects.values_list("pk", "email", "token_hash", "status")) == before
    assert Cycle.objects.get(pk=opened.pk).status == Cycle.OPEN
    # ...while their own list shows none of it.
    assert "Spring" not in client.get(reverse("cycles:list")).content.decode()
