"""Retention: answers of cycles closed more than LEADWELL_RETENTION_MONTHS ago are deleted,
with what was computed from them; the cycles, assessments and report log stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from privacy_helpers import answers_of, invite, rate

from leadwell.cycles.models import Assessment, Cycle, Draft, Invitation, Response, ResponseComment
from leadwell.privacy.models import PrivacyLog
from leadwell.privacy.selectors import answers_deleted_at, months_before
from leadwell.privacy.services import responses_purge_expired

NOW = timezone.now()


def _cycle(org, name, closed_days_ago, people, leader, seed):
    from leadwell.reports.models import CycleReliability, ReportChart, ReportView

    closed = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
    cycle = Cycle.objects.create(
        organization=org, name=name, closed_at=closed,
        status=Cycle.OPEN if closed is None else Cycle.RELEASED,
    )  # fmt: skip
    assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
    rate(assessment, leader, "self", seed, comment="self comment")
    for offset, person in enumerate(people):
        rate(assessment, person, "peer", seed + offset + 1, comment="peer comment")
    started = invite(assessment, leader.manager, "manager", status="started")
    Draft.objects.create(invitation=started, answers=answers_of("manager", seed), comments={})
    ReportView.objects.create(
        organization=org, assessment=assessment, viewer_name="admin", role="admin", format="html"
    )
    ReportChart.objects.create(assessment=assessment, key="k", quadrant="", profile="")
    CycleReliability.objects.create(cycle=cycle, fingerprint="1:3", figures=[], sd=[], icc2=[])
    return cycle


@pytest.fixture
def cycles(org, people, leader, settings, files_dirs):
    settings.LEADWELL_RETENTION_MONTHS = 12
    raters = [people[n] for n in ("Ana", "Ben", "Cy")]
    return {
        "old": _cycle(org, "Old", 400, raters, leader, 0),  # 13 months and more
        "recent": _cycle(org, "Recent", 330, raters, leader, 10),  # 11 months
        "open": _cycle(org, "Open", None, raters, leader, 20),
    }


def _rows(cycle) -> tuple[int, int, int]:
    return (
        Response.objects.filter(assessment__cycle=cycle).count(),
        ResponseComment.objects.filter(response__assessment__cycle=cycle).count(),
        Draft.objects.filter(invitation__assessment__cycle=cycle).count(),
    )


def test_months_are_calendar_months_clamped_to_the_shorter_month():
    # 2024 is a leap year, 2023 is not (Gregorian calendar).
    assert months_before(datetime(2024, 5, 31, 9, 0, tzinfo=UTC), 3) == datetime(
        2024, 2, 29, 9, 0, tzinfo=UTC
    )
    assert months_before(datetime(2023, 3, 31, tzinfo=UTC), 1) == datetime(2023, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2025, 1, 15, tzinfo=UTC), 13) == datetime(
        2023, 12, 15, tzinfo=UTC
    )


def test_the_purge_deletes_exactly_the_answers_of_cycles_closed_before_the_limit(cycles):
    assert _rows(cycles["old"]) == (4, 4, 1)
    logs = responses_purge_expired()
    assert [log.cycle for log in logs] == [cycles["old"]]
    assert _rows(cycles["old"]) == (0, 0, 0)
    assert _rows(cycles["recent"]) == (4, 4, 1)
    assert _rows(cycles["open"]) == (4, 4, 1)
    assert logs[0].counts["cycles.response"] == 4
    assert logs[0].counts["cycles.responsecomment"] == 4
    assert logs[0].counts["cycles.draft"] == 1


def test_the_cycle_its_assessments_invitations_and_report_log_stay(cycles):
    from leadwell.reports.models import ReportView

    responses_purge_expired()
    old = Cycle.objects.get(pk=cycles["old"].pk)
    assert Assessment.objects.filter(cycle=old).count() == 1
    assert Invitation.objects.filter(assessment__cycle=old).count() == 5
    assert ReportView.objects.filter(assessment__cycle=old).count() == 1


def test_what_was_computed_from_the_purged_answers_goes(cycles):
    from leadwell.reports.models import CycleReliability, ReportChart

    responses_purge_expired()
    kept = {cycles["recent"].pk, cycles["open"].pk}
    assert set(CycleReliability.objects.values_list("cycle", flat=True)) == kept
    assert set(ReportChart.objects.values_list("assessment__cycle", flat=True)) == kept


def test_a_second_run_finds_nothing_and_the_log_says_when_answers_went(cycles):
    (log,) = responses_purge_expired()
    assert responses_purge_expired() == []
    assert answers_deleted_at(cycles["old"]) == log.at
    assert answers_deleted_at(cycles["recent"]) is None
    assert (log.kind, log.actor, log.actor_name) == (PrivacyLog.RETENTION, None, "retention")


def test_without_the_setting_answers_are_kept_for_ever(cycles, settings):
    settings.LEADWELL_RETENTION_MONTHS = None
    assert responses_purge_expired() == []
    assert _rows(cycles["old"]) == (4, 4, 1)


def test_the_dry_run_lists_the_cycle_and_deletes_nothing(cycles, capsys):
    call_command("purge_expired", dry_run=True)
    out = capsys.readouterr().out
    assert "acme: Old" in out
    assert "4 responses, 4 comments, 1 drafts" in out
    assert "Recent" not in out
    assert _rows(cycles["old"]) == (4, 4, 1)
    assert not PrivacyLog.objects.exists()
    call_command("purge_expired")
    assert "Purged 1 cycle(s)" in capsys.readouterr().out
    assert _rows(cycles["old"]) == (0, 0, 0)


@pytest.mark.parametrize("value", [0, -3, "twelve", 1.5])
def test_a_bad_setting_is_named_by_the_command(cycles, settings, value):
    settings.LEADWELL_RETENTION_MONTHS = value
    with pytest.raises(CommandError, match="LEADWELL_RETENTION_MONTHS"):
        call_command("purge_expired")
    assert _rows(cycles["old"]) == (4, 4, 1)


def test_the_report_of_a_purged_cycle_still_opens_and_says_why_it_is_empty(cycles, client, leader):
    assessment = Assessment.objects.get(cycle=cycles["old"])
    client.force_login(leader.user)
    before = client.get(reverse("reports:detail", args=[assessment.pk])).content.decode()
    assert "were deleted on" not in before

    responses_purge_expired()

    page = client.get(reverse("reports:detail", args=[assessment.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Not enough responses" in text
    assert "The answers of this cycle were deleted on" in text
