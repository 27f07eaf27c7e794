"""Cycles, assessments and nominations through the API: the same services as the admin
pages, acting as the key's admin; refusals come back as 409/422 with the services' words;
progress is counts by group with no rater named."""

from __future__ import annotations

import json
from datetime import date, timedelta

from api_helpers import error_of

from leadwell.cycles.models import Cycle, Invitation, Nomination


def _open_ready(api, cycle, people):
    """Add Lee, approve five anonymous raters, and open: the cycle as the survey starts."""
    (made,) = api.post(f"cycles/{cycle}/assessments", {"leaders": [people["Lee"].pk]}).json()[
        "created"
    ]
    for name, group in (
        ("Ana", "peer"),
        ("Ben", "peer"),
        ("Cy", "peer"),
        ("Dana", "direct"),
        ("Eli", "direct"),
    ):
        email = people[name].email
        assert (
            api.post(
                f"assessments/{made['id']}/nominations", {"email": email, "group": group}
            ).status_code
            == 201
        )
    return made["id"], api.post(f"cycles/{cycle}/advance", {"to": "open"})


def test_a_cycle_is_created_with_its_settings_or_refused_with_the_services_reason(api):
    made = api.post("cycles", {"name": "Spring 2026", "min_anonymous": 4, "max_raters": 9})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["min_anonymous"], body["max_raters"]) == ("draft", 4, 9)
    assert Cycle.objects.get(pk=body["id"]).name == "Spring 2026"
    past = (date.today() - timedelta(days=2)).isoformat()
    error = error_of(api.post("cycles", {"name": "Late", "deadline": past}), 422)
    assert error["message"] == "The deadline is in the past; pick a later date or leave it empty."
    error = error_of(
        api.post("cycles", {"name": "Tight", "min_anonymous": 5, "max_raters": 5}), 422
    )
    assert error["message"].startswith("Allow at least 6 raters per leader")
    assert error_of(api.post("cycles", {"name": "X", "min_anonymous": 1}), 422)["details"]


def test_a_cycle_moves_from_draft_to_released_and_refuses_a_wrong_step(
    api, people, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = api.post("cycles", {"name": "Spring 2026"}).json()["id"]
    refused = error_of(api.post(f"cycles/{cycle}/advance", {"to": "closed"}), 409)
    assert refused["message"].startswith("“Spring 2026” is draft, so you cannot close now.")
    with django_capture_on_commit_callbacks(execute=True):
        _, opened = _open_ready(api, cycle, people)
    assert opened.status_code == 200, opened.content
    body = opened.json()
    assert body["cycle"]["status"] == "open"
    assert body["short"] == []
    assert body["invitations"] == 7  # self, manager (Maria), three peers, two direct reports
    assert len(mailoutbox) == 7
    for step in ("closed", "released"):
        moved = api.post(f"cycles/{cycle}/advance", {"to": step})
        assert moved.json()["cycle"]["status"] == step
    again = error_of(api.post(f"cycles/{cycle}/advance", {"to": "nominating"}), 409)
    assert "From here you can nothing more" in again["message"]


def test_opening_short_of_raters_is_refused_unless_overridden(api, people):
    cycle = api.post("cycles", {"name": "Thin"}).json()["id"]
    api.post(f"cycles/{cycle}/assessments", {"leaders": [people["Lee"].pk]})
    refused = error_of(api.post(f"cycles/{cycle}/advance", {"to": "open"}), 409)
    assert "fewer than 3 approved anonymous raters" in refused["message"]
    assert Cycle.objects.get(pk=cycle).status == "draft"
    opened = api.post(f"cycles/{cycle}/advance", {"to": "open", "override": True}).json()
    assert [s["leader_name"] for s in opened["short"]] == ["Lee"]
    assert opened["cycle"]["status"] == "open"


def test_progress_counts_by_group_and_names_no_rater(api, people):
    cycle = api.post("cycles", {"name": "Spring 2026"}).json()["id"]
    assessment, _ = _open_ready(api, cycle, people)
    Invitation.objects.filter(email=people["Ana"].email).update(status=Invitation.SUBMITTED)
    Invitation.objects.filter(email=people["Dana"].email).update(status=Invitation.STARTED)
    response = api.get(f"cycles/{cycle}")
    progress = response.json()["progress"]
    by_group = {
        g["group"]: (g["invited"], g["started"], g["submitted"]) for g in progress["groups"]
    }
    assert by_group == {
        "self": (1, 0, 0),
        "manager": (1, 0, 0),
        "peer": (3, 1, 1),
        "direct": (2, 1, 0),
    }
    assert (progress["invited"], progress["started"], progress["submitted"]) == (7, 2, 1)
    (row,) = progress["assessments"]
    assert row["assessment_id"] == assessment
    assert row["leader_name"] == "Lee"
    text = json.dumps(response.json())
    for rater in ("Ana", "Ben", "Cy", "Dana", "Eli", "Maria"):
        assert rater not in text
        assert people[rater].email not in text


def test_leaders_are_added_once_and_others_ids_are_refused(api, people, foreign):
    cycle = api.post("cycles", {"name": "Spring 2026"}).json()["id"]
    lee, ana = people["Lee"].pk, people["Ana"].pk
    first = api.post(f"cycles/{cycle}/assessments", {"leaders": [lee, ana]})
    assert first.status_code == 201
    assert [a["leader_name"] for a in first.json()["created"]] == ["Ana", "Lee"]  # by name
    again = api.post(f"cycles/{cycle}/assessments", {"leaders": [lee]}).json()
    assert again == {"created": [], "skipped": [lee]}
    error = error_of(
        api.post(f"cycles/{cycle}/assessments", {"leaders": [foreign["person_id"]]}), 422
    )
    assert error["message"] == "Pick active people of this organization only."
    listed = api.get(f"cycles/{cycle}/assessments").json()
    assert [a["leader_name"] for a in listed["items"]] == ["Ana", "Lee"]


def test_raters_are_proposed_approved_and_declined_through_the_services(
    api, lee_assessment, people
):
    added = api.post(
        f"assessments/{lee_assessment.pk}/nominations",
        {"email": people["Ana"].email, "group": "peer"},
    )
    assert added.status_code == 201
    rater = added.json()
    assert (rater["name"], rater["status"], rater["invited"]) == ("Ana", "approved", False)
    twice = error_of(
        api.post(
            f"assessments/{lee_assessment.pk}/nominations",
            {"email": people["Ana"].email, "group": "peer"},
        ),
        422,
    )
    assert twice["message"].startswith("Ana (ana@acme.example) is already nominated for Lee")
    bad_group = error_of(
        api.post(
            f"assessments/{lee_assessment.pk}/nominations",
            {"email": "x@acme.example", "name": "X", "group": "boss"},
        ),
        422,
    )
    assert "“boss” is not one of them" in bad_group["message"]
    declined = api.post(f"nominations/{rater['id']}/decline").json()
    assert declined["status"] == "declined"
    assert api.post(f"nominations/{rater['id']}/approve").json()["status"] == "approved"
    already = error_of(api.post(f"nominations/{rater['id']}/approve"), 409)
    assert already["message"] == "Ana is already approved."
    self_rater = Nomination.objects.get(assessment=lee_assessment, group="self")
    assert (
        "cannot be declined"
        in error_of(api.post(f"nominations/{self_rater.pk}/decline"), 409)["message"]
    )
    listed = api.get(f"assessments/{lee_assessment.pk}/nominations").json()
    assert [(n["group"], n["name"]) for n in listed["items"]] == [
        ("self", "Lee"),
        ("manager", "Maria"),
        ("peer", "Ana"),
    ]
    detail = api.get(f"assessments/{lee_assessment.pk}").json()
    assert detail["raters"] == {
        "approved": 3,
        "approved_anonymous": 1,
        "proposed": 0,
        "declined": 0,
    }
    assert detail["report_available"] is False
    assert detail["cycle_status"] == "draft"


def test_a_rater_added_while_the_cycle_is_open_is_invited_at_once(
    api, people, mailoutbox, django_capture_on_commit_callbacks
):
    cycle = api.post("cycles", {"name": "Spring 2026"}).json()["id"]
    assessment, _ = _open_ready(api, cycle, people)
    sent = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        added = api.post(
            f"assessments/{assessment}/nominations",
            {"email": people["Fay"].email, "group": "direct"},
        )
    assert added.json()["invited"] is True
    assert len(mailoutbox) == sent + 1
    assert mailoutbox[-1].to == [people["Fay"].email]
