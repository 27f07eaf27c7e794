"""The rater's pages through the test client: journey 3 of PRODUCT.md without a browser."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from leadwell.cycles.models import Cycle, Draft, Invitation, Response, ResponseComment
from leadwell.survey.layout import page_plan
from leadwell.survey.services import COMMENT_LIMIT


def _answer_page(client, rater, instrument, number, *, value=4, action="next", extra=None):
    plan = page_plan(instrument, is_self=rater.invitation.group == "self")
    data = {"page": str(number), "action": action}
    data.update({f"item-{item}": str(value) for item in plan.page(number).item_ids})
    data.update(extra or {})
    return client.post(rater.url("page", number=number), data)


def _checked(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="item-([^"]+)" value="(\d)" checked', html))


def test_the_intro_says_who_is_rated_in_which_role_and_how_anonymity_works(client, rater):
    html = client.get(rater.url("start")).content.decode()
    assert "You are rating <strong>Lee</strong> as a peer." in html
    assert "at least 3 people have answered" in html
    assert "manager’s rating is the only one that is not anonymous" in html
    assert "without your name" in html
    assert "About 12 minutes" in html
    assert ">Start</button>" in html


def test_the_manager_is_told_their_rating_is_not_anonymous(client, invite):
    boss = invite("Maria", "manager")
    html = client.get(boss.url("start")).content.decode()
    assert "as their manager" in html
    assert "your rating is not anonymous" in html


def test_a_self_assessment_uses_the_self_wordings_without_outcome_items(client, invite, instrument):
    me = invite("Lee", "self")
    assert "Your self-assessment" in client.get(me.url("start")).content.decode()
    client.post(me.url("start"))
    seen = []
    for number in range(1, 7):
        html = client.get(me.url("page", number=number)).content.decode()
        seen += re.findall(r'name="item-([^"]+)" value="1"', html)
        assert "This person" not in html
    assert len(seen) == 56
    assert not set(seen) & set(instrument.outcome_ids)
    first = instrument.items[instrument.item_index[seen[0]]]
    assert first.self in client.get(me.url("page", number=1)).content.decode()


def test_a_rating_page_is_accessible_markup_with_a_progress_indicator(client, rater):
    client.post(rater.url("start"))
    response = client.get(rater.url("page", number=2))
    html = response.content.decode()
    assert "Page 2 of 7" in html
    # 7 pages and the review: the bar is full only at the review, not on the last page.
    assert '<progress max="8" value="2" aria-labelledby="progress-label">' in html
    last = client.get(rater.url("page", number=7)).content.decode()
    assert '<progress max="8" value="7"' in last
    review = client.get(rater.url("review")).content.decode()
    assert "All 7 pages done" in review
    assert '<progress max="8" value="8"' in review
    assert html.count("<fieldset") == html.count("<legend>") == 10
    assert html.count('type="radio"') == 60  # 1-5 and Not observed for ten items
    assert len(re.findall(r'<label for="([^"]+)"><input type="radio" id="\1"', html)) == 60
    assert "Not observed" in html
    # CSP: no inline script or style.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html
    assert "no-store" in response["Cache-Control"]


def test_leaving_half_way_and_reopening_lands_on_the_same_page_with_answers_kept(
    client, rater, instrument
):
    client.post(rater.url("start"))
    for number in (1, 2):
        assert _answer_page(client, rater, instrument, number).status_code == 302
    response = _answer_page(
        client,
        rater,
        instrument,
        3,
        value=2,
        action="leave",
        extra={"item-" + page_plan(instrument, is_self=False).page(3).item_ids[0]: "0"},
    )
    assert response.status_code == 302
    assert response.url.endswith("?saved=1")
    assert rater.refresh().status == Invitation.STARTED

    later = Client()  # another browser, no cookies: only the link
    intro = later.get(rater.url("start")).content.decode()
    assert "Continue where you left off" in intro
    back = later.post(rater.url("start"))
    assert back.url == rater.url("page", number=3)
    page3 = _checked(later.get(back.url).content.decode())
    first = page_plan(instrument, is_self=False).page(3).item_ids[0]
    assert page3[first] == "0"  # "Not observed" stays chosen
    assert sum(1 for value in page3.values() if value == "2") == 9
    page1 = _checked(later.get(rater.url("page", number=1)).content.decode())
    assert len(page1) == 10
    assert set(page1.values()) == {"4"}


def test_the_whole_journey_submits_one_response_with_comments(client, rater, instrument):
    client.post(rater.url("start"))
    for number in range(1, 7):
        _answer_page(client, rater, instrument, number, value=number % 5 + 1)
    response = client.post(
        rater.url("page", number=7),
        {"page": "7", "action": "next", "comment-keep": "Clear goals.", "comment-stop": ""},
    )
    assert response.url == rater.url("review")
    review = client.get(rater.url("review")).content.decode()
    assert "You answered 59 of 59 statements and 1 of 4 open questions." in review
    done = client.post(rater.url("submit"))
    assert done.url == rater.url("thanks")
    assert "Your answers have been received." in client.get(done.url).content.decode()
    response = Response.objects.get()
    assert bytes(response.answers)[instrument.item_index["M1.1"]] in range(1, 6)
    assert list(ResponseComment.objects.values_list("question", "text")) == [
        ("keep", "Clear goals.")
    ]
    assert not Draft.objects.exists()


def test_submitting_twice_from_two_clients_keeps_one_response(client, rater, instrument):
    other_tab = Client()
    client.post(rater.url("start"))
    _answer_page(client, rater, instrument, 1)
    other_tab.get(rater.url("review"))  # the second tab has the review page open
    first = client.post(rater.url("submit"))
    again = client.post(rater.url("submit"))
    second = other_tab.post(rater.url("submit"))
    assert first.status_code == 302
    for late in (again, second):
        assert late.status_code == 200
        assert "already received" in late.content.decode()
    assert Response.objects.count() == 1
    revisit = Client().get(rater.url("start"))
    assert revisit.status_code == 200
    assert "already received" in revisit.content.decode()


def test_the_review_lists_pages_with_unanswered_statements(client, rater, instrument):
    client.post(rater.url("start"))
    _answer_page(client, rater, instrument, 1)
    html = client.get(rater.url("review")).content.decode()
    assert "You answered 10 of 59 statements" in html
    assert html.count("without an answer") == 5
    assert rater.url("page", number=2) in html


def test_autosave_saves_the_current_page_without_moving_the_rater(client, rater, instrument):
    client.post(rater.url("start"))
    _answer_page(client, rater, instrument, 1)  # now on page 2
    item = page_plan(instrument, is_self=False).page(2).item_ids[0]
    response = client.post(rater.url("autosave"), {"page": "2", f"item-{item}": "5"})
    assert response.status_code == 200
    assert response.json() == {"saved": True}
    draft = Draft.objects.get()
    assert bytes(draft.answers)[instrument.item_index[item]] == 5
    assert draft.page == 2
    comments = client.post(rater.url("autosave"), {"page": "7", "comment-start": "Delegate more."})
    assert comments.status_code == 200
    assert Draft.objects.get().comments["start"] == "Delegate more."


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"value": "7"}, "Statement 1: Choose one of the answers shown"),
        ({"name": "item-X9.9", "value": "3"}, "This page has no question X9.9"),
    ],
)
def test_bad_answers_show_a_clear_message_and_lose_nothing(
    client, rater, instrument, extra, message
):
    client.post(rater.url("start"))
    _answer_page(client, rater, instrument, 1, value=3, action="leave")
    items = page_plan(instrument, is_self=False).page(1).item_ids
    data = {"page": "1", "action": "next", f"item-{items[1]}": "5"}
    data[extra.get("name", f"item-{items[0]}")] = extra["value"]
    response = client.post(rater.url("page", number=1), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'role="alert"' in html
    assert _checked(html)[items[1]] == "5"  # what the rater just chose is still on screen
    draft = Draft.objects.get()
    assert bytes(draft.answers)[instrument.item_index[items[1]]] == 3  # nothing half-saved
    assert draft.page == 1
    autosave = client.post(rater.url("autosave"), data)
    assert autosave.status_code == 400
    assert autosave.json()["saved"] is False


def test_a_huge_comment_is_refused_with_the_text_kept_on_screen(client, rater):
    client.post(rater.url("start"))
    client.post(rater.url("autosave"), {"page": "7", "comment-keep": "Short and kept."})
    huge = "word " * (COMMENT_LIMIT // 5 + 10)
    response = client.post(
        rater.url("page", number=7), {"page": "7", "action": "next", "comment-keep": huge}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f"Please shorten this answer to {COMMENT_LIMIT} characters or fewer" in html
    assert huge.strip() in html
    assert 'aria-invalid="true"' in html
    assert Draft.objects.get().comments["keep"] == "Short and kept."


def test_line_breaks_count_once_toward_the_comment_limit(client, rater):
    client.post(rater.url("start"))
    text = ("a\r\n" * (COMMENT_LIMIT // 2))[: COMMENT_LIMIT + COMMENT_LIMIT // 2 - 1]
    response = client.post(rater.url("autosave"), {"page": "7", "comment-keep": text})
    assert response.status_code == 200
    assert "\r" not in Draft.objects.get().comments["keep"]


ROUTES = [("start", {}), ("page", {"number": 1}), ("review", {}), ("thanks", {})]


@pytest.mark.parametrize(("name", "kwargs"), ROUTES)
def test_a_closed_cycle_answers_410_and_saves_nothing(client, rater, cycle, name, kwargs):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.CLOSED)
    response = client.get(rater.url(name, **kwargs))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert client.post(rater.url("start")).status_code == 410
    assert client.post(rater.url("page", number=1), {"item-M1.1": "4"}).status_code == 410
    assert client.post(rater.url("autosave"), {"page": "1"}).status_code == 410
    assert client.post(rater.url("submit")).status_code == 410
    assert not Draft.objects.exists()
    assert not Response.objects.exists()
    assert rater.refresh().status == Invitation.SENT


@pytest.mark.parametrize(("name", "kwargs"), [*ROUTES, ("submit", {}), ("autosave", {})])
def test_an_unknown_token_answers_404(client, rater, name, kwargs):
    from django.urls import reverse

    url = reverse(f"survey:{name}", kwargs={"token": "not-a-real-token", **kwargs})
    response = client.post(url) if name in ("submit", "autosave") else client.get(url)
    assert response.status_code == 404
    if name != "autosave":
        assert "This link does not work" in response.content.decode()


def test_a_page_number_outside_the_survey_answers_404(client, rater):
    assert client.get(rater.url("page", number=8)).status_code == 404
    assert client.get(rater.url("page", number=0)).status_code == 404


def test_the_rater_gets_no_session(client, rater, instrument):
    client.post(rater.url("start"))
    _answer_page(client, rater, instrument, 1)
    assert "sessionid" not in client.cookies


def test_the_submit_takes_at_most_six_statements(client, rater):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(rater.url("start"))
    client.post(
        rater.url("page", number=7), {"page": "7", "action": "next", "comment-keep": "Good."}
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.post(rater.url("submit")).status_code == 302
    # SAVEPOINT/RELEASE come from the test's own transaction; in production the service's
    # atomic block is the outer transaction (BEGIN/COMMIT go through the driver, not SQL).
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) <= 6, statements
    assert Response.objects.count() == 1


def test_the_intro_shows_the_deadline_when_the_cycle_has_one(client, rater, cycle):
    import datetime

    Cycle.objects.filter(pk=cycle.pk).update(deadline=datetime.date(2026, 6, 30))
    assert "Please answer by <strong>Tuesday 30 June 2026</strong>" in (
        client.get(rater.url("start")).content.decode()
    )


def test_the_time_taken_runs_from_the_first_page_to_the_submit(client, rater):
    import time

    client.post(rater.url("start"))
    draft = Draft.objects.get()
    draft.comments = {**draft.comments, "_started": int(time.time()) - 7 * 60 - 10}
    draft.save()
    client.post(rater.url("submit"))
    assert Response.objects.get().seconds == 7 * 60


def test_back_on_the_first_page_returns_to_the_introduction(client, rater, instrument):
    client.post(rater.url("start"))
    response = _answer_page(client, rater, instrument, 1, action="back")
    assert response.url == rater.url("start")
    assert len(_checked(client.get(rater.url("page", number=1)).content.decode())) == 10
