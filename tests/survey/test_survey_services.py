"""The survey's services: token lookup, drafts, and the final, idempotent submit."""

from __future__ import annotations

import time

import pytest

from leadwell.cycles.models import Cycle, Draft, Invitation, Response, ResponseComment
from leadwell.survey.services import (
    COMMENT_LIMIT,
    MAX_SECONDS,
    STARTED,
    SurveyClosed,
    SurveyError,
    SurveyNotFound,
    coarse_seconds,
    draft_save,
    invitation_for_token,
    response_submit,
)


def test_invitation_for_token_finds_the_invitation_by_its_hash(rater):
    assert invitation_for_token(rater.token).pk == rater.invitation.pk


def _fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@pytest.mark.parametrize("with_draft", [False, True])
def test_the_look_up_loads_what_the_orm_would_in_one_query(
    rater, with_draft, django_assert_num_queries
):
    """The written-out look-up (one statement, the models' converters) gives the same objects,
    field by field, as the ORM's select_related it replaces, and asks nothing more later."""
    if with_draft:
        draft_save(rater.invitation, answers={"M1.1": 4, "L1.1": 0}, comments={}, page=2)
    expected = Invitation.objects.select_related(
        "assessment__cycle", "assessment__leader", "draft"
    ).get(pk=rater.invitation.pk)
    with django_assert_num_queries(1):
        found = invitation_for_token(rater.token)
        pairs = [
            (found, expected),
            (found.assessment, expected.assessment),
            (found.assessment.cycle, expected.assessment.cycle),
            (found.assessment.leader, expected.assessment.leader),
        ]
        if with_draft:
            pairs.append((found.draft, expected.draft))
            assert found.draft.invitation is found
        else:
            with pytest.raises(Draft.DoesNotExist):
                found.draft  # noqa: B018
    for mine, theirs in pairs:
        assert type(mine) is type(theirs)
        assert _fields(mine) == _fields(theirs)
        assert not mine._state.adding
    if with_draft:
        assert isinstance(found.draft.answers, bytes | memoryview)
        assert found.draft.comments["_not_observed"] == ["L1.1"]


@pytest.mark.parametrize("token", ["", "nope", "x" * 500])
def test_an_unknown_token_is_not_found(db, rater, token):
    with pytest.raises(SurveyNotFound):
        invitation_for_token(token)
    with pytest.raises(SurveyNotFound):
        invitation_for_token(rater.token + "x")


@pytest.mark.parametrize(
    ("status", "reason"),
    [(Cycle.CLOSED, "closed"), (Cycle.RELEASED, "closed"), (Cycle.NOMINATING, "not_open")],
)
def test_a_cycle_that_is_not_open_closes_the_survey(rater, cycle, status, reason):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    with pytest.raises(SurveyClosed) as stop:
        invitation_for_token(rater.token)
    assert stop.value.reason == reason


def test_a_submitted_invitation_says_so_before_anything_else(rater, cycle):
    response_submit(rater.invitation, answers={"M1.1": 3}, comments={}, seconds=None)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.CLOSED)
    with pytest.raises(SurveyClosed) as stop:
        invitation_for_token(rater.token)
    assert stop.value.reason == "submitted"


def test_draft_save_creates_merges_and_marks_the_rater_started(rater, instrument):
    draft = draft_save(rater.invitation, answers={"M1.1": 4, "L1.1": 0}, comments={}, page=2)
    assert rater.refresh().status == Invitation.STARTED
    assert draft.page == 2
    assert abs(draft.comments[STARTED] - time.time()) < 5
    draft_save(rater.invitation, answers={"M1.2": 5}, comments={"keep": " Listens. "}, page=None)
    draft.refresh_from_db()
    data = bytes(draft.answers)
    assert data[instrument.item_index["M1.1"]] == 4  # kept from the first save
    assert data[instrument.item_index["M1.2"]] == 5
    assert data[instrument.item_index["L1.1"]] == 0
    assert draft.comments["_not_observed"] == ["L1.1"]  # chosen, not merely blank
    assert draft.comments["keep"] == "Listens."
    assert draft.page == 2
    assert Draft.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "comments", "message"),
    [
        ({"M1.1": 7}, {}, "one of the choices"),
        ({"X9.9": 3}, {}, "no question X9.9"),
        ({}, {"favourite": "x"}, "no open question favourite"),
        ({}, {"keep": "x" * (COMMENT_LIMIT + 1)}, f"{COMMENT_LIMIT} characters or fewer"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_lost(rater, instrument, answers, comments, message):
    draft_save(rater.invitation, answers={"M1.1": 2}, comments={"keep": "first"}, page=3)
    with pytest.raises(SurveyError, match=message):
        draft_save(rater.invitation, answers=answers, comments=comments, page=4)
    draft = Draft.objects.get()
    assert bytes(draft.answers)[instrument.item_index["M1.1"]] == 2
    assert draft.comments["keep"] == "first"
    assert draft.page == 3


def test_a_self_assessment_cannot_answer_the_outcome_items(invite):
    me = invite("Lee", "self")
    with pytest.raises(SurveyError, match="no question O1"):
        response_submit(me.invitation, answers={"O1": 4}, comments={}, seconds=None)
    assert Response.objects.count() == 0


def test_submit_stores_one_response_and_a_second_submit_changes_nothing(rater, instrument):
    draft_save(rater.invitation, answers={"M1.1": 4}, comments={}, page=1)
    first = response_submit(
        rater.invitation, answers={"M1.1": 4, "O1": 5}, comments={"keep": "Calm."}, seconds=400
    )
    second = response_submit(rater.invitation, answers={"M1.1": 1}, comments={}, seconds=10)
    assert (first, second) == (True, False)
    response = Response.objects.get()
    assert bytes(response.answers)[instrument.item_index["M1.1"]] == 4
    assert response.group == "peer"
    assert response.seconds == 420.0
    assert list(ResponseComment.objects.values_list("question", "text")) == [("keep", "Calm.")]
    assert rater.refresh().status == Invitation.SUBMITTED
    assert not Draft.objects.exists()


@pytest.mark.parametrize("texts", [{}, {"keep": "Calm.", "start": "Plan ahead.", "stop": ""}])
def test_the_submit_stores_everything_in_its_writes_on_either_database(
    rater, invite, instrument, texts
):
    """PostgreSQL gets the submit's four writes as one statement, SQLite as one each (none for
    no comments); either way the response, its comments, the submitted marks (the earlier
    rater's rewritten too) and the draft's deletion all land."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    earlier = invite("Ann", "peer")
    assert response_submit(earlier.invitation, answers={"M1.1": 2}, comments={}, seconds=None)
    draft_save(rater.invitation, answers={"M1.1": 4}, comments={}, page=1)
    with CaptureQueriesContext(connection) as seen:
        assert response_submit(
            rater.invitation, answers={"M1.1": 4, "L1.1": 0}, comments=texts, seconds=61
        )
    writes = [
        q["sql"]
        for q in seen.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "WITH"))
    ]
    if connection.vendor == "postgresql":
        assert len(writes) == 1, writes
        assert writes[0].startswith("WITH")
    else:
        assert len(writes) == (4 if any(texts.values()) else 3), writes
    mine = Response.objects.exclude(pk__in=Response.objects.filter(answers=b"")).get(seconds=60.0)
    stored = bytes(mine.answers)
    assert (stored[instrument.item_index["M1.1"]], stored[instrument.item_index["L1.1"]]) == (4, 0)
    assert mine.group == "peer"
    assert sorted(mine.comments.values_list("question", "text")) == sorted(
        (q, t) for q, t in texts.items() if t
    )
    assert Response.objects.count() == 2
    assert rater.refresh().status == earlier.refresh().status == Invitation.SUBMITTED
    assert not Draft.objects.filter(invitation=rater.invitation).exists()


def test_a_stale_copy_of_the_invitation_cannot_submit_twice(rater):
    stale = Invitation.objects.get(pk=rater.invitation.pk)
    assert response_submit(rater.invitation, answers={}, comments={}, seconds=None)
    assert not response_submit(stale, answers={"M1.1": 5}, comments={}, seconds=None)
    assert Response.objects.count() == 1


def test_a_draft_cannot_come_back_after_the_submit(rater):
    stale = Invitation.objects.get(pk=rater.invitation.pk)  # an autosave that was in flight
    response_submit(rater.invitation, answers={"M1.1": 3}, comments={}, seconds=None)
    with pytest.raises(SurveyClosed):
        draft_save(stale, answers={"M1.1": 3}, comments={}, page=2)
    assert not Draft.objects.exists()


def test_submit_to_a_closed_cycle_saves_nothing(rater, cycle):
    draft_save(rater.invitation, answers={"M1.1": 4}, comments={}, page=1)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.CLOSED)
    with pytest.raises(SurveyClosed):
        response_submit(rater.invitation, answers={"M1.1": 4}, comments={}, seconds=None)
    with pytest.raises(SurveyClosed):
        draft_save(rater.invitation, answers={"M1.2": 4}, comments={}, page=2)
    assert Response.objects.count() == 0
    assert rater.refresh().status == Invitation.STARTED
    assert bytes(Draft.objects.get().answers).count(0) == 58


@pytest.mark.parametrize(
    ("seconds", "stored"),
    [
        (None, None),
        (-5, None),
        (29.9, 0.0),
        (30, 60.0),
        (89, 60.0),
        (91, 120.0),
        (10**6, MAX_SECONDS),
    ],
)
def test_durations_are_rounded_to_the_minute_and_capped(seconds, stored):
    assert coarse_seconds(seconds) == stored


def test_a_draft_written_elsewhere_with_no_bytes_yet_can_be_continued(rater, instrument):
    Draft.objects.create(invitation=rater.invitation, answers=b"", comments={}, page=2)
    draft_save(rater.invitation, answers={"M6.1": 1}, comments={}, page=None)
    draft = Draft.objects.get()
    assert len(bytes(draft.answers)) == 59
    assert bytes(draft.answers)[instrument.item_index["M6.1"]] == 1
