"""The demo organization: built once, reused or rebuilt, with a finished and an open cycle."""

from __future__ import annotations

import pytest

from leadwell.cycles.models import Assessment, Cycle, Invitation, Response
from leadwell.demo import DEMO_SLUG, demo_build
from leadwell.orgs.models import Organization, Person, Role

pytestmark = pytest.mark.django_db


def test_demo_builds_leaders_two_released_cycles_and_an_open_one():
    info = demo_build(leaders=12, seed=3)
    org = info.organization
    assert info.created
    assert org.slug == DEMO_SLUG
    leaders = Person.objects.filter(organization=org, assessments__isnull=False).distinct()
    assert leaders.count() == 12
    earlier, released = Cycle.objects.filter(organization=org, status=Cycle.RELEASED).order_by(
        "released_at"
    )
    assert (earlier.name, released.name) == ("Autumn 2025", "Spring 2026")
    opened = Cycle.objects.get(organization=org, status=Cycle.OPEN)
    assert Response.objects.filter(assessment__cycle=released).count() > 12 * 8
    assert Response.objects.filter(assessment__cycle=earlier).count() > 12 * 8
    # Lee's report shows what changed since the earlier cycle: Lee grew in leading.
    from leadwell.reports.selectors import report_for

    lee = Assessment.objects.select_related("cycle", "leader").get(
        cycle=released, leader__user__username="lee"
    )
    change = report_for(lee).change
    assert change.cycle == "Autumn 2025"
    assert change.axis("leading").delta > 0
    invitations = Invitation.objects.filter(assessment__cycle=opened)
    submitted = invitations.filter(status=Invitation.SUBMITTED).count()
    assert 0 < submitted < invitations.count()  # part-answered
    # Every submitted invitation of the open cycle has a response, and nothing more.
    assert Response.objects.filter(assessment__cycle=opened).count() == submitted
    assert Role.objects.filter(organization=org, role=Role.ADMIN, user__username="admin").exists()
    assert len(info.sample_links) >= 1
    # The demo's links are made as the invitation emails make them: a reminder resends them.
    from leadwell.cycles.services import hash_token, link_token

    shown = Invitation.objects.get(token_hash=hash_token(info.sample_links[0]))
    assert link_token(shown.pk, shown.token_salt) == info.sample_links[0]


def test_building_twice_reuses_and_rebuild_starts_afresh():
    first = demo_build(leaders=6, seed=1)
    again = demo_build(leaders=6, seed=1)
    assert not again.created
    assert again.organization.pk == first.organization.pk
    rebuilt = demo_build(leaders=6, seed=1, rebuild=True)
    assert rebuilt.created
    assert Organization.objects.filter(slug=DEMO_SLUG).count() == 1
    assert Person.objects.filter(organization__slug=DEMO_SLUG).count() == Person.objects.count()


def test_demo_responses_score_like_any_cycle():
    import numpy as np

    from leadwell.instrument import default_instrument

    org = demo_build(leaders=8, seed=2).organization
    released = Cycle.objects.get(organization=org, name="Spring 2026")
    vectors = Response.objects.filter(assessment__cycle=released).values_list("answers", flat=True)
    answers = np.frombuffer(b"".join(bytes(v) for v in vectors), dtype=np.uint8)
    answers = answers.reshape(-1, len(default_instrument().items))
    assert answers.max() <= 5
    assert (answers > 0).mean() > 0.8


@pytest.mark.slow
def test_leadwell_demo_serves_its_pages_and_static_files_without_warnings(tmp_path, leadwell):
    """`leadwell demo --port N` as a user runs it: the address it prints answers, the
    stylesheet is served, and nothing that looks like an error is printed on the way."""
    server = leadwell("demo", "--home", str(tmp_path))
    assert server.health(120) == 200, "the demo did not answer /health/ within two minutes"
    status, _, css = server.fetch("/static/leadwell/app.css")
    assert status == 200
    assert "{" in css
    assert server.fetch("/accounts/login/")[0] == 200
    out, err = server.stop()
    assert f"Serving on {server.base}/" in out
    assert "Sign in as admin" in out
    for alarming in ("Warning", "Traceback", "Error"):
        assert alarming not in err, err
