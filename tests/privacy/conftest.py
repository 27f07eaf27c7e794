"""An organization where Maria Quist is a leader, Lee's manager rater, an anonymous rater of
Ana and a rater with a draft in an open cycle, with an account, a plan, caches and files.

``world`` returns the objects the tests look at. Answers are stored the way the survey does;
``answer(i)`` gives every rater a different, known pattern.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from privacy_helpers import EMAIL, NAME, answers_of, invite, rate


@pytest.fixture
def files_dirs(tmp_path, settings):
    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    settings.LEADWELL_REPORTS_DIR = tmp_path / "reports"
    settings.LEADWELL_EXPORTS_DIR.mkdir()
    settings.LEADWELL_REPORTS_DIR.mkdir()
    return settings


@pytest.fixture
def world(org, people, leader, admin, files_dirs):
    from axes.models import AccessLog
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from leadwell.cycles.models import Assessment, Cycle, Draft
    from leadwell.development.models import Comment, Plan
    from leadwell.exports.models import Export
    from leadwell.insights.models import CycleInsights
    from leadwell.orgs.models import CoachAssignment, LevelChange, Role
    from leadwell.reports.batch import batch_path
    from leadwell.reports.models import CycleReliability, ReportBatch, ReportChart, ReportView

    maria = people["Maria"]
    user = get_user_model().objects.create_user("mquist", EMAIL, "a-long-test-password")
    user.first_name, user.last_name = "Maria", "Quist"
    user.save()
    maria.name, maria.email, maria.user = NAME, EMAIL, user
    maria.save()
    Role.objects.create(organization=org, user=user, role=Role.LEADER)
    Role.objects.create(organization=org, user=user, role=Role.COACH)
    CoachAssignment.objects.create(organization=org, coach=user, leader=leader)
    CoachAssignment.objects.create(organization=org, coach=admin, leader=maria)
    LevelChange.objects.create(organization=org, person=maria, level_after="director")
    LogEntry.objects.create(
        user=admin, content_type=ContentType.objects.get_for_model(maria), object_id=str(maria.pk),
        object_repr=str(maria), action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    AccessLog.objects.create(username="mquist", ip_address="192.0.2.1", user_agent="test")

    closed = timezone.now() - timedelta(days=30)
    spring = Cycle.objects.create(
        organization=org, name="Spring", status=Cycle.RELEASED, closed_at=closed,
        released_at=closed,
    )  # fmt: skip
    lee_a = Assessment.objects.create(organization=org, cycle=spring, leader=leader)
    rate(lee_a, leader, "self", 0)
    rate(lee_a, maria, "manager", 1, comment="Manager's remark")
    for seed, name in enumerate(("Ana", "Ben", "Cy"), start=2):
        rate(lee_a, people[name], "peer", seed, comment=f"peer remark {seed}")
    for seed, name in enumerate(("Dana", "Eli"), start=5):
        rate(lee_a, people[name], "direct", seed)
    maria_a = Assessment.objects.create(organization=org, cycle=spring, leader=maria)
    rate(maria_a, maria, "self", 7, comment="My own view")
    for seed, name in enumerate(("Lee", "Ana", "Ben"), start=8):
        rate(maria_a, people[name], "peer", seed)
    ana_a = Assessment.objects.create(organization=org, cycle=spring, leader=people["Ana"])
    rate(ana_a, people["Ana"], "self", 11)
    for seed, person in enumerate((maria, people["Ben"], people["Cy"]), start=12):
        rate(ana_a, person, "other", seed)

    autumn = Cycle.objects.create(organization=org, name="Autumn", status=Cycle.OPEN)
    ben_a = Assessment.objects.create(organization=org, cycle=autumn, leader=people["Ben"])
    started = invite(ben_a, maria, "peer", status="started")
    Draft.objects.create(invitation=started, answers=answers_of("peer", 20), comments={})

    untouched = Cycle.objects.create(organization=org, name="Untouched", status=Cycle.CLOSED)
    cy_a = Assessment.objects.create(organization=org, cycle=untouched, leader=people["Cy"])
    rate(cy_a, people["Dana"], "peer", 21)

    plan = Plan.objects.create(organization=org, leader=maria, source=maria_a, title="Grow")
    lee_plan = Plan.objects.create(organization=org, leader=leader, source=lee_a, title="Lead")
    Comment.objects.create(plan=lee_plan, author=user, author_name=NAME, text="Well done")
    ReportView.objects.create(
        organization=org, assessment=lee_a, viewer=user, viewer_name=NAME, role="coach",
        format="html",
    )  # fmt: skip
    ReportView.objects.create(
        organization=org, assessment=lee_a, viewer=admin, viewer_name="admin", role="admin",
        format="html",
    )  # fmt: skip
    ReportChart.objects.create(assessment=lee_a, key="k1", quadrant="<svg/>", profile="<svg/>")
    ReportChart.objects.create(assessment=cy_a, key="k2", quadrant="<svg/>", profile="<svg/>")
    for cycle in (spring, untouched):
        CycleReliability.objects.create(cycle=cycle, fingerprint="1:3", figures=[], sd=[], icc2=[])
        CycleInsights.objects.create(organization=org, cycle=cycle, status="done", data={})
    export = Export.objects.create(
        organization=org, cycle=spring, format="csv", status="done", file_name="spring.csv"
    )
    export.path.write_text(f"leader\n{NAME}\n")
    batch = ReportBatch.objects.create(
        organization=org, cycle=spring, status="done", assessment_ids=[maria_a.pk],
        failures=[{"assessment": maria_a.pk, "leader": NAME, "error": "x"}],
    )  # fmt: skip
    batch_path(batch).write_bytes(b"PK")
    return {
        "maria": maria, "user": user, "plan": plan, "spring": spring, "autumn": autumn,
        "untouched": untouched, "lee_a": lee_a, "maria_a": maria_a, "ana_a": ana_a,
        "cy_a": cy_a, "export": export, "batch": batch, "draft_invitation": started,
    }  # fmt: skip
