"""Erasing a person: their identity goes everywhere, their linkable answers and the
assessments about them go, anonymous answers stay, derived data is recomputed, and all of it
happens in one transaction that is logged without naming them."""

from __future__ import annotations

import numpy as np
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse
from privacy_helpers import EMAIL, INSTRUMENT, NAME, answers_of

from leadwell.cycles.answers import cycle_responses, decode_answers
from leadwell.cycles.models import (
    Assessment,
    Draft,
    Invitation,
    Nomination,
    Response,
    ResponseComment,
)
from leadwell.privacy import services
from leadwell.privacy.models import PrivacyLog
from leadwell.privacy.services import PLACEHOLDER_NAME, PrivacyError, person_erase
from leadwell.scoring import ScoringSettings, score_responses

REASON = "Request ticket 4711"
# The anonymous raters of Lee in the conftest: three peers, two direct reports.
ANONYMOUS_SEEDS = [("peer", 2), ("peer", 3), ("peer", 4), ("direct", 5), ("direct", 6)]


def _erase(world, admin):
    return person_erase(person=world["maria"], actor=admin, reason=REASON)


def _found_anywhere(*needles: str) -> list[str]:
    """Every (table, column) in the database whose text holds one of ``needles``."""
    folded = [n.casefold() for n in needles]
    hits = []
    for model in apps.get_models(include_auto_created=True):
        for row in model._default_manager.all().values():
            for column, value in row.items():
                if isinstance(value, bytes | memoryview) or value is None:
                    continue
                if any(n in str(value).casefold() for n in folded):
                    hits.append(f"{model._meta.label_lower}.{column}")
    return sorted(set(hits))


def _groups(assessment) -> dict[str, int]:
    groups: dict[str, int] = {}
    for group in Response.objects.filter(assessment=assessment).values_list("group", flat=True):
        groups[group] = groups.get(group, 0) + 1
    return groups


def _scores(assessment) -> dict:
    cycle = assessment.cycle
    scores = score_responses(
        cycle_responses(cycle, [assessment.pk]), INSTRUMENT, ScoringSettings(k=3)
    )
    return scores.assessment(0)


def test_the_check_finds_the_name_before_erasure(world):
    # Without this the test below could pass on a search that finds nothing at all.
    hits = _found_anywhere(NAME, EMAIL, "mquist")
    assert {
        "orgs.person.name",
        "cycles.invitation.email",
        "reports.reportview.viewer_name",
        "admin.logentry.object_repr",
        "axes.accesslog.username",
    } <= set(hits)


def test_after_erasure_no_table_holds_the_old_name_or_email(world, admin):
    _erase(world, admin)
    assert _found_anywhere(NAME, EMAIL, "mquist") == []
    maria = type(world["maria"]).objects.get(pk=world["maria"].pk)
    assert maria.name == PLACEHOLDER_NAME
    assert not maria.is_active
    assert maria.user is None
    assert maria.email.endswith("@erased.invalid")
    assert not type(world["user"]).objects.filter(pk=world["user"].pk).exists()


def test_the_persons_linkable_answers_go_and_anonymous_ones_stay(world, admin):
    assert _groups(world["lee_a"]) == {"self": 1, "manager": 1, "peer": 3, "direct": 2}
    _erase(world, admin)
    # Her manager rating of Lee is linkable (one manager rater): gone with its comment.
    assert _groups(world["lee_a"]) == {"self": 1, "peer": 3, "direct": 2}
    assert not ResponseComment.objects.filter(text="Manager's remark").exists()
    assert ResponseComment.objects.filter(text__startswith="peer remark").count() == 3
    # Her own assessment, self rating included, is gone whole.
    assert not Assessment.objects.filter(pk=world["maria_a"].pk).exists()
    assert not ResponseComment.objects.filter(text="My own view").exists()
    # Her anonymous rating of Ana cannot be told apart: all three "other" answers stay.
    assert _groups(world["ana_a"]) == {"self": 1, "other": 3}
    kept = {bytes(r.answers) for r in Response.objects.filter(assessment=world["ana_a"])}
    assert answers_of("other", 12) in kept
    # Her draft is deleted; the invitations that record that she answered stay, renamed.
    assert not Draft.objects.filter(invitation=world["draft_invitation"]).exists()
    assert Invitation.objects.filter(name=PLACEHOLDER_NAME, status="submitted").count() == 2
    assert not Nomination.objects.filter(person=world["maria"]).exists()


def test_anonymous_figures_of_the_leader_she_rated_are_unchanged_and_k_still_holds(world, admin):
    before = _scores(world["lee_a"])
    _erase(world, admin)
    after = _scores(world["lee_a"])
    assert before["groups"]["manager"] == 1
    assert after["groups"]["manager"] == 0
    for facet in INSTRUMENT.facet_ids:
        assert "manager" in before["facets"][facet]
        assert "manager" not in after["facets"][facet]
        others_before, others_after = before["facets"][facet], after["facets"][facet]
        # Two direct reports (< k = 3) fold the three peers into "others": five raters, the
        # same five before and after; anonymous groups are not shown on their own.
        assert others_after["others"] == others_before["others"]
        assert others_after["others"]["n"] == 5
        assert not {"peer", "direct", "other"} & set(others_after)
        # "all_others" is everyone but self: it loses the manager and keeps the five.
        assert (others_before["all_others"]["n"], others_after["all_others"]["n"]) == (6, 5)
    # Independent check of one figure (MODEL.md rules 1-2): "others" M1 is the mean of the
    # five anonymous raters' own M1 means, and after the erasure so is "all_others" M1.
    m1 = [item.id for item in INSTRUMENT.items if item.facet == "M1"]
    raters = [decode_answers(answers_of(g, s), INSTRUMENT) for g, s in ANONYMOUS_SEEDS]
    means = [np.mean([answers[i] for i in m1]) for answers in raters]
    assert after["facets"]["M1"]["others"]["mean"] == pytest.approx(np.mean(means))
    assert after["facets"]["M1"]["all_others"]["mean"] == pytest.approx(np.mean(means))


def test_the_rated_leaders_report_still_renders_without_the_manager_column(world, admin, client):
    _erase(world, admin)
    client.force_login(world["lee_a"].leader.user)
    response = client.get(reverse("reports:detail", args=[world["lee_a"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not enough responses" not in text
    assert NAME not in text


def test_derived_data_of_her_cycles_goes_and_of_other_cycles_stays(
    world, admin, django_capture_on_commit_callbacks
):
    from leadwell.insights.models import CycleInsights
    from leadwell.reports.batch import batch_path
    from leadwell.reports.models import CycleReliability, ReportBatch, ReportChart

    export, batch = world["export"], world["batch"]
    path, zip_path = export.path, batch_path(batch)
    with django_capture_on_commit_callbacks(execute=True):  # files go once the erasure commits
        _erase(world, admin)
    assert not ReportChart.objects.filter(assessment=world["lee_a"]).exists()
    assert ReportChart.objects.filter(assessment=world["cy_a"]).exists()
    assert list(CycleReliability.objects.values_list("cycle", flat=True)) == [world["untouched"].pk]
    assert list(CycleInsights.objects.values_list("cycle", flat=True)) == [world["untouched"].pk]
    assert not type(export).objects.exists()
    assert not ReportBatch.objects.exists()
    assert not path.exists()
    assert not zip_path.exists()


def test_a_failure_midway_leaves_everything_as_it_was(
    world, admin, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    # After the answers, drafts, plans and assessments are deleted, before the account goes.
    monkeypatch.setattr(services, "account_remove", broken)
    responses, comments = Response.objects.count(), ResponseComment.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        _erase(world, admin)
    assert (Response.objects.count(), ResponseComment.objects.count()) == (responses, comments)
    assert Assessment.objects.filter(pk=world["maria_a"].pk).exists()
    assert Draft.objects.filter(invitation=world["draft_invitation"]).exists()
    assert type(world["maria"]).objects.get(pk=world["maria"].pk).name == NAME
    assert world["export"].path.exists()
    assert type(world["export"]).objects.exists()
    assert not PrivacyLog.objects.exists()


def test_the_erasure_is_logged_with_counts_and_without_her_identity(world, admin):
    log = _erase(world, admin)
    assert (log.kind, log.actor, log.actor_name, log.reason) == ("erasure", admin, "admin", REASON)
    assert log.organization == world["maria"].organization
    assert log.cycle is None
    assert log.counts["cycles.assessment"] == 1
    # Her manager answer, her self answer and her assessment's three peer answers.
    assert log.counts["cycles.response"] == 5
    assert log.counts["cycles.draft"] == 1
    assert log.counts["development.plan"] == 1
    assert NAME.casefold() not in str(log.counts).casefold()


def test_the_log_is_visible_in_the_django_admin(world, admin, client, django_user_model):
    _erase(world, admin)
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw-long-enough")
    client.force_login(root)
    page = client.get(reverse("admin:privacy_privacylog_changelist"))
    assert page.status_code == 200
    assert REASON in page.content.decode()


@pytest.mark.parametrize("reason", ["", "  ", f"asked by {NAME}", f"mail from {EMAIL.upper()}"])
def test_a_missing_reason_or_one_naming_the_person_is_refused_and_nothing_changes(
    world, admin, reason
):
    with pytest.raises(PrivacyError):
        person_erase(person=world["maria"], actor=admin, reason=reason)
    assert type(world["maria"]).objects.get(pk=world["maria"].pk).name == NAME


def test_an_account_that_another_organization_uses_is_kept_but_unlinked(world, admin, other_org):
    from leadwell.orgs.models import Role

    Role.objects.create(organization=other_org, user=world["user"], role=Role.LEADER)
    log = _erase(world, admin)
    assert type(world["user"]).objects.filter(pk=world["user"].pk).exists()
    assert list(Role.objects.filter(user=world["user"]).values_list("organization", flat=True)) == [
        other_org.pk
    ]
    assert log.counts["accounts kept for another organization"] == 1


def test_the_command_without_yes_changes_nothing_and_with_yes_erases(world, capsys):
    call_command("erase_person", org="acme", email=EMAIL.upper(), reason=REASON)
    assert "Nothing was changed" in capsys.readouterr().out
    assert type(world["maria"]).objects.get(pk=world["maria"].pk).name == NAME
    call_command("erase_person", org="acme", email=EMAIL, reason=REASON, yes=True)
    assert "Erased" in capsys.readouterr().out
    assert PrivacyLog.objects.get().actor_name == "command line"
    with pytest.raises(CommandError, match="nobody"):
        call_command("erase_person", org="acme", email=EMAIL, reason=REASON, yes=True)
    with pytest.raises(CommandError, match="No organization"):
        call_command("erase_person", org="nope", email=EMAIL, reason=REASON)
