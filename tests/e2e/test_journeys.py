"""Journeys 1-3 of PRODUCT.md in a real Chromium, with axe-core on every page a rater sees and on
the sign-in page. Set LEADWELL_SCREENSHOTS=folder to keep screenshots (desktop and 360 px)."""

from __future__ import annotations

import hashlib
import re

import pytest

from leadwell.cycles.models import Assessment, Cycle, Invitation, Response
from leadwell.demo import DEMO_PASSWORD, demo_build
from leadwell.orgs.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_journey1_demo_sign_in_and_cycle_dashboard(live_server, page, axe_clean, shot):
    demo_build(leaders=8, seed=5)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("link[rel=stylesheet]").count() == 1
    styled = page.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor")
    assert styled not in ("", "rgba(0, 0, 0, 0)"), "the stylesheet was not served"
    axe_clean(page, "the sign-in page")
    shot(page, "signin-desktop")
    _sign_in(page, live_server.url, "admin", DEMO_PASSWORD)
    page.get_by_role("heading", name="Cycles").wait_for()
    assert "Autumn 2026" in page.content()
    shot(page, "cycles-list-desktop")
    page.get_by_role("link", name=re.compile("Autumn 2026")).first.click()
    page.get_by_role("heading", name=re.compile("Autumn 2026")).wait_for()
    body = page.inner_text("main")
    assert "Responses" in body
    leaders = Assessment.objects.filter(cycle__name="Autumn 2026")
    assert leaders.first().leader.name in body
    shot(page, "cycle-dashboard-desktop")


def test_journey2_import_with_a_bad_row_writes_nothing(live_server, page, admin, org, tmp_path):
    people_file = tmp_path / "people.csv"
    people_file.write_text(
        "name,email,unit,level,manager_email\n"
        "Rosa Diaz,rosa@acme.example,Sales,director,\n"
        "Sam Tan,sam@acme.example,Sales,manager,rosa@acme.example\n"
        "No Email,,Sales,manager,rosa@acme.example\n"
        "Uma Ito,uma@acme.example,Sales,staff,nobody@acme.example\n",
        encoding="utf-8",
    )
    _sign_in(page, live_server.url, "admin", "a-long-test-password")
    page.goto(f"{live_server.url}/org/people/import/")
    page.locator("input[type=file]").set_input_files(str(people_file))
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("heading", name="Rows to correct").wait_for()
    rows = page.locator("table").first.inner_text()
    assert "4" in rows
    assert "5" in rows
    assert "email" in rows.lower()
    assert "manager" in rows.lower()
    assert page.get_by_role("button", name=re.compile("Confirm|Import")).count() == 0
    assert not Person.objects.filter(organization=org).exists()


def _open_cycle_with_rater(people) -> str:
    from leadwell.cycles.models import Nomination

    lee = people["Lee"]
    cycle = Cycle.objects.create(organization=lee.organization, name="Autumn", status=Cycle.OPEN)
    assessment = Assessment.objects.create(organization=lee.organization, cycle=cycle, leader=lee)
    token = "e2e-" + "x" * 40
    rater = people["Ana"]
    nomination = Nomination.objects.create(
        organization=lee.organization, assessment=assessment, person=rater, name=rater.name,
        email=rater.email, group="peer", status=Nomination.APPROVED,
    )  # fmt: skip
    Invitation.objects.create(
        organization=lee.organization, assessment=assessment, nomination=nomination, group="peer",
        name=rater.name, email=rater.email, status=Invitation.SENT,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
    )  # fmt: skip
    return token


def _answer_page(page, value: str = "4") -> int:
    """Choose an answer for every item on the page; returns how many items there were."""
    groups = page.locator("fieldset:has(input[type=radio])")
    for i in range(groups.count()):
        groups.nth(i).locator(f"input[type=radio][value='{value}']").check()
    return groups.count()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_journey3_rater_pauses_returns_and_submits_once(
    live_server, browser, people, axe_clean, shot, device, request
):
    token = _open_cycle_with_rater(people)
    link = f"{live_server.url}/r/{token}/"
    page = request.getfixturevalue(device)
    page.goto(link)
    assert "Lee" in page.inner_text("main")
    assert "anonym" in page.inner_text("main").lower()
    axe_clean(page, f"the survey intro ({device})")
    shot(page, f"survey-intro-{device}")
    page.get_by_role("button", name="Start").click()
    assert _answer_page(page) >= 8
    assert page.locator("progress").count() >= 1
    axe_clean(page, f"a rating page ({device})")
    shot(page, f"survey-page1-{device}")
    page.get_by_role("button", name="Next").click()
    # Half of page 2, then the rater closes the page.
    groups = page.locator("fieldset:has(input[type=radio])")
    half = groups.count() // 2
    for i in range(half):
        groups.nth(i).locator("input[type=radio][value='5']").check()
    page.get_by_role("button", name="Save and finish later").click()
    page.context.close()

    again = browser.new_context(viewport=page.viewport_size).new_page()
    again.goto(link)
    again.get_by_role("button", name=re.compile("Continue")).click()
    groups = again.locator("fieldset:has(input[type=radio])")
    kept = [groups.nth(i).locator("input[type=radio][value='5']").is_checked() for i in range(half)]
    assert all(kept), "answers of the half-done page were lost"
    while again.get_by_role("button", name="Next").count():
        _answer_page(again, "3")
        again.get_by_role("button", name="Next").click()
    textareas = again.locator("textarea")
    if textareas.count():
        axe_clean(again, f"the open questions ({device})")
        textareas.first.fill("Keeps the team's work visible and calm.")
        again.get_by_role("button", name="Review my answers").click()
    axe_clean(again, f"the review page ({device})")
    shot(again, f"survey-review-{device}")
    submit = again.get_by_role("button", name="Submit my answers")
    submit.dblclick()
    again.get_by_role("heading", name=re.compile("Thank", re.I)).wait_for()
    axe_clean(again, f"the thank-you page ({device})")
    shot(again, f"survey-thanks-{device}")
    # A second tab, or a second submit, counts nothing twice.
    again.goto(link)
    assert "already" in again.inner_text("main").lower()
    assert Response.objects.count() == 1
    assert Invitation.objects.get().status == Invitation.SUBMITTED
    again.context.close()
