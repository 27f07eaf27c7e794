"""The rater's pages. No sign-in: the token in the address is the credential.

Every view finds the invitation behind the token first: an unknown token answers 404, a closed
cycle 410, and a submitted invitation the "already received" page. Unknown tokens are counted
per client IP (``leadwell.survey.throttle``): an address that sends too many gets 429 on every
survey address for a while, so a scan of random links is refused before any look-up. Pages
are never cached (a shared computer's back button must not show someone's answers), and the
rater gets no session: nothing but the CSRF cookie is stored in their browser.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from leadwell.cycles.models import Invitation
from leadwell.survey import services, throttle
from leadwell.survey.forms import PageForm
from leadwell.survey.selectors import GROUP_ROLES, SurveyState, minutes_needed, survey_state
from leadwell.survey.services import SurveyClosed, SurveyError, SurveyNotFound

_View = Callable[..., HttpResponse]


def _stopped(request: HttpRequest, stop: SurveyClosed, *, just_now: bool = False) -> HttpResponse:
    if stop.reason == "submitted":
        return render(request, "survey/received.html", {"just_now": just_now})
    context = {"not_open": stop.reason == "not_open"}
    return render(request, "survey/closed.html", context, status=410)


def _unknown(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/unknown.html", status=404)


def _guessed(request: HttpRequest) -> HttpResponse:
    """An unknown token: the same 404 page as any broken link, and one more strike for the IP."""
    throttle.record_unknown(request)
    return _unknown(request)


def _survey_view(view: _View) -> _View:
    """Look the token up; answer 404/410/"already received" before the view runs."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if refused := throttle.refusal(request):
            return refused
        try:
            invitation = services.invitation_for_token(token)
            return view(request, token, invitation, *args, **kwargs)
        except SurveyNotFound:
            return _guessed(request)
        except SurveyClosed as stop:
            return _stopped(request, stop)

    return wrapper


def _context(token: str, state: SurveyState, **extra: Any) -> dict[str, Any]:
    return {
        "token": token,
        "state": state,
        "leader": state.leader_name,
        "total": len(state.plan),
        "review_step": state.review_step,
        **extra,
    }


def _go(token: str, step: int, state: SurveyState) -> HttpResponse:
    if step > len(state.plan):
        return redirect("survey:review", token=token)
    if step < 1:
        return redirect("survey:start", token=token)
    return redirect("survey:page", token=token, number=step)


@_survey_view
def start(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    """Who is rated, in which role, how anonymity works; Start or Continue."""
    state = survey_state(invitation)
    if request.method == "POST":
        if not state.has_draft:
            services.draft_save(invitation, answers={}, comments={}, page=1)
        return _go(token, state.page, state)
    cycle = invitation.assessment.cycle
    context = _context(
        token,
        state,
        role=GROUP_ROLES.get(invitation.group, GROUP_ROLES["other"]),
        group=invitation.group,
        k=cycle.min_anonymous,
        minutes=minutes_needed(state.plan),
        items=len(state.plan.item_ids),
        rating_pages=sum(1 for page in state.plan.pages if page.item_ids),
        questions=len(state.plan.question_ids),
        saved=request.GET.get("saved") == "1",
        deadline=getattr(cycle, "deadline", None),
    )
    return render(request, "survey/intro.html", context)


@_survey_view
def page(request: HttpRequest, token: str, invitation: Invitation, number: int) -> HttpResponse:
    """One page of items (or the open questions): Back, Next, Save and finish later."""
    state = survey_state(invitation)
    if not 1 <= number <= len(state.plan):
        return _unknown(request)
    current = state.plan.page(number)
    form = PageForm(request.POST if request.method == "POST" else None, state=state, page=current)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "next")
        target = {"back": number - 1, "leave": number}.get(action, number + 1)
        if form.is_valid():
            try:
                services.draft_save(
                    invitation,
                    answers=form.answers(),
                    comments=form.comments(),
                    page=max(1, target),
                )
            except SurveyError as error:
                form.add_error(None, str(error))
            else:
                if action == "leave":
                    return redirect(f"{_url('survey:start', token)}?saved=1")
                return _go(token, target, state)
        status = 400
    template = "survey/questions.html" if current.is_questions else "survey/page.html"
    context = _context(
        token,
        state,
        number=number,
        form=form,
        errors=form.error_list(),
        rows=form.question_rows() if current.is_questions else form.item_rows(),
        scale=state.instrument.scale,
        not_observed=state.instrument.not_observed,
        comment_limit=services.COMMENT_LIMIT,
    )
    return render(request, template, context, status=status)


def _url(name: str, token: str) -> str:
    return reverse(name, kwargs={"token": token})


@_survey_view
def review(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    return _review(request, token, survey_state(invitation))


def _review(request: HttpRequest, token: str, state: SurveyState, error: str = "") -> HttpResponse:
    answered = sum(1 for value in state.answers.values() if value is not None)
    context = _context(
        token,
        state,
        answered=answered,
        items=len(state.plan.item_ids),
        unanswered=state.unanswered(),
        comments=len(state.comments),
        questions=len(state.plan.question_ids),
        last_page=len(state.plan),
        errors=[("", error)] if error else [],
    )
    return render(request, "survey/review.html", context, status=400 if error else 200)


@require_POST
@_survey_view
def submit(request: HttpRequest, token: str, invitation: Invitation) -> HttpResponse:
    """Final and idempotent: a second submit shows "already received" and changes nothing."""
    state = survey_state(invitation)
    if not state.has_draft:
        return redirect("survey:start", token=token)
    try:
        created = services.response_submit(
            invitation,
            answers=state.submitted_answers(),
            comments=state.comments,
            seconds=state.seconds(),
        )
    except SurveyError as error:
        return _review(request, token, state, str(error))
    if not created:
        return _stopped(request, SurveyClosed("submitted"))
    return redirect("survey:thanks", token=token)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    if refused := throttle.refusal(request):
        return refused
    try:
        services.invitation_for_token(token)
    except SurveyNotFound:
        return _guessed(request)
    except SurveyClosed as stop:
        return _stopped(request, stop, just_now=True)
    return redirect("survey:start", token=token)


@never_cache
@require_POST
def autosave(request: HttpRequest, token: str) -> HttpResponse:
    """Save the current page without leaving it (survey.js posts here every few seconds)."""
    if seconds := throttle.blocked_for(request):
        message = "Too many links that do not work were opened from your network."
        response = JsonResponse(
            {"saved": False, "reason": "too_many", "errors": [message]}, status=429
        )
        response["Retry-After"] = str(seconds)
        return response
    try:
        invitation = services.invitation_for_token(token)
        state = survey_state(invitation)
        try:
            current = state.plan.page(int(request.POST.get("page", "")))
        except ValueError:
            return JsonResponse({"saved": False, "errors": ["Unknown page."]}, status=400)
        form = PageForm(request.POST, state=state, page=current)
        if not form.is_valid():
            errors = [message for _, message in form.error_list()]
            return JsonResponse({"saved": False, "errors": errors}, status=400)
        services.draft_save(invitation, answers=form.answers(), comments=form.comments(), page=None)
    except SurveyNotFound:
        throttle.record_unknown(request)
        return JsonResponse({"saved": False, "reason": "unknown"}, status=404)
    except SurveyClosed as stop:
        return JsonResponse({"saved": False, "reason": stop.reason}, status=410)
    except SurveyError as error:
        return JsonResponse({"saved": False, "errors": [str(error)]}, status=400)
    return JsonResponse({"saved": True})
