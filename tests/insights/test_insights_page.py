"""Org insights: computed from the cycle's answers, shown to org admins only, never while open."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from leadwell.insights.models import CycleInsights
from leadwell.instrument import load_instrument
from leadwell.orgs.models import LevelChange, Role
from leadwell.scoring import QUADRANTS, ScoringSettings, responses_from_frame, score_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_page(client, django_capture_on_commit_callbacks):
    """Open a cycle's insights as ``user``, running the queued computation as a worker would."""

    def open_page(user, cycle):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.get(reverse("insights:cycle", args=[cycle.pk]))
        return client.get(reverse("insights:cycle", args=[cycle.pk]))

    return open_page


def test_first_opening_computes_the_insights_and_shows_every_section(
    open_page, client, admin, closed_cycle
):
    response = open_page(admin, closed_cycle)

    assert response.status_code == 200
    insights = CycleInsights.objects.get(cycle=closed_cycle)
    assert insights.status == CycleInsights.DONE, insights.error
    text = response.content.decode()
    for heading in (
        "Managing and leading across the ranks",
        "Facets by level",
        "Peter Principle watch",
        "Drivers of followership",
        "Instrument quality",
    ):
        assert heading in text
    assert response["Cache-Control"] == "private, no-store"


def test_quadrant_counts_equal_the_full_scoring_engines_placements(
    open_page, client, admin, closed_cycle
):
    open_page(admin, closed_cycle)
    data = CycleInsights.objects.get(cycle=closed_cycle).data

    instrument = load_instrument("1")
    scores = score_responses(
        responses_from_frame(closed_cycle.frame, instrument), instrument, ScoringSettings(k=3)
    )
    placed = np.bincount(scores.quadrant, minlength=len(QUADRANTS))
    assert data["overall"]["counts"] == [int(c) for c in placed[:4]]
    assert data["leaders"]["insufficient"] == int(placed[4])
    by_level = {row["segment"]: row for row in data["by_level"]["rows"]}
    assert sum(row["n"] for row in by_level.values() if row["n"]) == data["overall"]["n"]


def test_levels_run_from_the_top_of_the_org_chart_down(open_page, client, admin, closed_cycle):
    open_page(admin, closed_cycle)
    data = CycleInsights.objects.get(cycle=closed_cycle).data

    assert [row["segment"] for row in data["by_level"]["rows"]] == [
        "Director",
        "Manager",
        "Team lead",
    ]


def test_a_unit_of_fewer_than_five_leaders_is_never_shown_on_its_own(
    open_page, cycle_builder, client, admin, org
):
    from leadwell.orgs.models import Unit

    cycle = cycle_builder(org, leaders=24)
    tiny = Unit.objects.create(organization=org, name="Legal")
    for person in cycle.people[:2]:
        person.unit = tiny
        person.save(update_fields=["unit"])

    open_page(admin, cycle)
    data = CycleInsights.objects.get(cycle=cycle).data

    names = [row["segment"] for row in data["by_unit"]["rows"] if row["n"] is not None]
    assert "Legal" not in names
    shown = [row["n"] for row in data["by_unit"]["rows"] if row["n"] is not None]
    assert all(n >= 5 for n in shown)
    # Whatever is not shown on its own is 0 or at least five leaders: no subtraction reveals it.
    assert data["overall"]["n"] - sum(shown) in (0,) or data["overall"]["n"] - sum(shown) >= 5
    assert all(row["segment"] != "Legal" for row in data["heat_unit"]["rows"])


def test_recently_promoted_specialists_are_on_the_watch_list_and_old_promotions_are_not(
    open_page, cycle_builder, client, admin, org
):
    cycle = cycle_builder(org, leaders=30, seed=3)
    instrument = load_instrument("1")
    scores = score_responses(responses_from_frame(cycle.frame, instrument), instrument)
    specialists = [
        int(a) for a, q in zip(scores.assessment_ids, scores.quadrant, strict=True) if q == 3
    ]
    assert len(specialists) >= 2, "the simulated cycle needs two specialists for this test"
    from leadwell.cycles.models import Assessment

    recent, old = (Assessment.objects.get(pk=pk).leader for pk in specialists[:2])
    for person, days in ((recent, 30), (old, 365 * 3)):
        change = LevelChange.objects.create(
            organization=org, person=person, level_before="Expert", level_after="Manager"
        )
        LevelChange.objects.filter(pk=change.pk).update(
            changed_at=timezone.now() - timezone.timedelta(days=days)
        )

    response = open_page(admin, cycle)
    watch = CycleInsights.objects.get(cycle=cycle).data["watch"]

    assert [row["name"] for row in watch["leaders"]] == [recent.name]
    assert watch["promoted"] == 1
    assert recent.name in response.content.decode()


def test_an_open_cycle_has_no_insights_and_computes_nothing(
    open_page, cycle_builder, client, admin, org
):
    cycle = cycle_builder(org, leaders=6, status="open")

    response = open_page(admin, cycle)

    assert response.status_code == 200
    assert "computed once the cycle is closed" in response.content.decode()
    assert not CycleInsights.objects.filter(cycle=cycle).exists()
    refused = client.post(reverse("insights:refresh", args=[cycle.pk]), follow=True)
    assert not CycleInsights.objects.filter(cycle=cycle).exists()
    assert "once the cycle is closed" in refused.content.decode()


def test_leaders_coaches_and_other_organizations_admins_get_404(
    client, closed_cycle, leader, coach, outsider
):
    for user in (leader.user, coach, outsider):
        assert user is not None
        client.force_login(user)
        for name in ("insights:cycle", "insights:status", "insights:refresh"):
            url = reverse(name, args=[closed_cycle.pk])
            answer = client.post(url) if name.endswith("refresh") else client.get(url)
            assert answer.status_code == 404, (user, name)
        index = client.get(reverse("insights:index"))
        # Another organization's admin sees their own (empty) list; the others no page.
        assert index.status_code == (200 if user == outsider else 404)
        assert closed_cycle.name not in index.content.decode()
    assert not CycleInsights.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, closed_cycle):
    response = client.get(reverse("insights:cycle", args=[closed_cycle.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_failed_computation_is_reported_on_the_page_not_as_a_server_error(
    open_page, cycle_builder, client, admin, org
):
    from leadwell.cycles.models import Response

    cycle = cycle_builder(org, leaders=6)
    Response.objects.filter(assessment__cycle=cycle).update(answers=b"\x01\x02")  # corrupt

    response = open_page(admin, cycle)

    assert response.status_code == 200
    insights = CycleInsights.objects.get(cycle=cycle)
    assert insights.status == CycleInsights.FAILED
    assert "do not all have" in insights.error
    assert "The computation stopped" in response.content.decode()


def test_the_trend_compares_with_the_previous_cycles_insights(
    open_page, cycle_builder, client, admin, org
):
    earlier = cycle_builder(org, leaders=24, seed=5, name="Spring", days_ago=180)
    later = cycle_builder(org, seed=6, name="Autumn", people=earlier.people)
    open_page(admin, earlier)

    response = open_page(admin, later)

    text = response.content.decode()
    assert "Since Spring" in text
    now = CycleInsights.objects.get(cycle=later).data["overall"]
    then = CycleInsights.objects.get(cycle=earlier).data["overall"]
    change = 100 * now["counts"][0] / now["n"] - 100 * then["counts"][0] / then["n"]
    assert f"{change:+.0f} points".replace("+0 ", "0 ") in text or f"{change:.0f} points" in text


def test_the_index_lists_closed_cycles_only(client, admin, org, closed_cycle):
    from leadwell.cycles.models import Cycle

    Cycle.objects.create(organization=org, name="Still open", status=Cycle.OPEN)
    client.force_login(admin)
    text = client.get(reverse("insights:index")).content.decode()
    assert closed_cycle.name in text
    assert "Still open" not in text


def test_admin_role_is_what_grants_access(org, admin):
    assert Role.objects.filter(organization=org, user=admin, role=Role.ADMIN).exists()


def test_a_unit_called_other_does_not_clash_with_the_pooled_row(
    open_page, cycle_builder, admin, org
):
    from leadwell.orgs.models import Unit

    cycle = cycle_builder(org, leaders=24)
    other = Unit.objects.create(organization=org, name="Other")
    small = Unit.objects.create(organization=org, name="Legal")
    for person, unit in zip(cycle.people[:8], [other] * 7 + [small], strict=True):
        person.unit = unit
        person.save(update_fields=["unit"])

    open_page(admin, cycle)
    insights = CycleInsights.objects.get(cycle=cycle)

    assert insights.status == CycleInsights.DONE, insights.error
    shown = {r["segment"]: r["n"] for r in insights.data["by_unit"]["rows"] if r["n"] is not None}
    assert shown["Other"] == 7  # the unit of that name, on its own
    assert "Legal" not in shown  # 1 leader: pooled
    assert shown["Other (pooled)"] >= 5


def test_a_lost_computation_can_be_asked_for_again_after_ten_minutes(
    client, admin, closed_cycle, django_capture_on_commit_callbacks
):
    insights = CycleInsights.objects.create(
        organization=closed_cycle.organization, cycle=closed_cycle, status=CycleInsights.RUNNING
    )
    url = reverse("insights:cycle", args=[closed_cycle.pk])
    client.force_login(admin)
    assert "Compute again" not in client.get(url).content.decode()  # still under way

    CycleInsights.objects.filter(pk=insights.pk).update(
        started_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    page = client.get(url).content.decode()
    assert "has not finished in ten minutes" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("insights:refresh", args=[closed_cycle.pk]))
    assert CycleInsights.objects.get(pk=insights.pk).status == CycleInsights.DONE
