"""Pages of four tools of a plan: the vision canvas (with its printable page and its public
link), the initiative portfolio, KPI alignment (and the organization's KPI list, kept by org
admins) and the delegation list. Views parse, call a service of ``tools.py``, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from leadwell.config.http import private
from leadwell.development import tools
from leadwell.development.access import LEADER, plan_for
from leadwell.development.models import Delegation, Initiative, Kpi, Metric, Plan
from leadwell.development.services import PlanError, live
from leadwell.orgs.access import require_role
from leadwell.orgs.models import Role
from leadwell.practices.portfolio import TEST_ANSWERS, TEST_QUESTION

__all__ = [
    "delegation",
    "delegation_item",
    "initiative",
    "initiatives",
    "kpi",
    "kpis",
    "metric",
    "metrics",
    "vision",
    "vision_print",
    "vision_public",
    "vision_share",
]

# The share link is put here for exactly one display, then popped.
_LINK_KEY = "leadwell_vision_link"


def _page(request: HttpRequest, name: str, plan: Plan, role: str, **extra: Any) -> HttpResponse:
    status = 400 if extra.get("error") else 200
    context = {"plan": plan, "role": role, "can_edit": role == LEADER, **extra}
    return render(request, f"development/{name}.html", context, status=status)


# The vision canvas ----------------------------------------------------------------------------


@login_required
def vision(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk, edit=request.method == "POST")
    found, error, link = tools.vision_of(plan), "", ""
    if request.method == "POST":
        answers = {f: request.POST.get(f, "") for f in ("together", "people", "customers")}
        try:
            tools.vision_save(plan=plan, statement=request.POST.get("statement", ""), **answers)
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, "Vision saved.")
            return redirect("development:vision", pk=pk)
    elif role == LEADER:
        shown = request.session.pop(_LINK_KEY, None)
        link = shown["url"] if shown and shown.get("plan") == plan.pk else ""
    return _page(
        request, "vision", plan, role, vision=found, error=error, link=link, values=request.POST
    )


@login_required
def vision_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk)
    context = {"plan": plan, "role": role, "vision": tools.vision_of(plan)}
    return render(request, "development/vision_print.html", context)


@require_POST
@login_required
def vision_share(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    action = request.POST.get("action")
    if action == "revoke":
        tools.vision_revoke(plan=plan)
        messages.success(request, "Sharing stopped: the link no longer opens the vision.")
    elif action == "share":
        try:
            token = tools.vision_share(plan=plan)
        except PlanError as problem:
            messages.error(request, str(problem))
        else:
            # SITE_URL, never the request's Host header, which a client can choose.
            url = settings.SITE_URL + reverse("vision_public", args=[token])
            request.session[_LINK_KEY] = {"plan": plan.pk, "url": url}
    else:
        messages.error(request, "Choose whether to share the vision or to stop sharing it.")
    return redirect(reverse("development:vision", args=[pk]) + "#share")


def vision_public(request: HttpRequest, token: str) -> HttpResponse:
    """The shared vision, read-only, for anyone with the link: nothing else of the plan.

    Unknown tokens count against the client's address like guessed rater links do
    (``leadwell.survey.throttle``): a scan of /v/ is refused with 429."""
    from leadwell.survey import throttle

    if refused := throttle.refusal(request):
        return refused
    shared = tools.vision_for_token(token=token)
    if shared is None:
        throttle.record_unknown(request)
        raise Http404("No such page.")
    response = private(render(request, "development/vision_public.html", {"shared": shared}))
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


# The initiative portfolio ---------------------------------------------------------------------


def _initiative_fields(post: Any) -> dict[str, Any]:
    return {
        "name": post.get("name", ""),
        "answer": post.get("answer", ""),
        "pilot": post.get("pilot") != "rollout",
        "size": post.get("size", ""),
        "told_team": post.get("told_team") == "on",
        "note": post.get("note", ""),
    }


def _initiative_form() -> dict[str, Any]:
    answers = [(key, label) for key, (label, _) in TEST_ANSWERS.items()]
    return {"question": TEST_QUESTION, "answers": answers, "sizes": Initiative.SIZES}


@login_required
def initiatives(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk, edit=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            made = tools.initiative_add(plan=plan, **_initiative_fields(request.POST))
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Added: {made.name}.")
            return redirect("development:initiatives", pk=pk)
    context = tools.portfolio_overview(plan) | _initiative_form()
    return _page(request, "initiatives", plan, role, error=error, values=request.POST, **context)


@login_required
def initiative(request: HttpRequest, pk: int, iid: int) -> HttpResponse:
    plan, role = plan_for(request, pk, edit=request.method == "POST")
    item = get_object_or_404(live(Initiative.objects.filter(plan=plan)), pk=iid)
    error = ""
    if request.method == "POST":
        try:
            tools.initiative_update(initiative=item, **_initiative_fields(request.POST))
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Saved: {item.name}.")
            return redirect("development:initiatives", pk=pk)
    values = request.POST if error else _initiative_values(item)
    return _page(
        request, "initiative", plan, role, item=item, error=error, values=values,
        **_initiative_form(),
    )  # fmt: skip


def _initiative_values(item: Initiative) -> dict[str, str]:
    """The edit form's starting values, in the shape the form posts."""
    return {
        "name": item.name,
        "answer": tools.ANSWER_OF_INTENT[item.intent],
        "pilot": "pilot" if item.pilot else "rollout",
        "size": item.size,
        "told_team": "on" if item.told_team else "",
        "note": item.note,
    }


# KPI alignment --------------------------------------------------------------------------------


@login_required
def kpis(request: HttpRequest) -> HttpResponse:
    """The organization's KPI list, kept by its admins (not a plan page)."""
    org = require_role(request, Role.ADMIN)
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            tools.kpi_add(
                organization=org, name=name, description=request.POST.get("description", "")
            )
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Added the KPI “{name.strip()}”.")
            return redirect("development:kpis")
    context = {"org": org, "kpis": tools.kpi_list(org), "error": error, "values": request.POST}
    return render(request, "development/kpis.html", context, status=400 if error else 200)


@require_POST
@login_required
def kpi(request: HttpRequest, kid: int) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    found = get_object_or_404(Kpi.objects.filter(organization=org), pk=kid)
    try:
        if request.POST.get("action") == "delete":
            tools.kpi_delete(kpi=found)
            messages.success(request, f"Deleted the KPI “{found.name}”.")
        else:
            tools.kpi_update(
                kpi=found,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                active=request.POST.get("active") == "on",
            )
            messages.success(request, f"Saved the KPI “{found.name}”.")
    except PlanError as problem:
        messages.error(request, str(problem))
    return redirect(reverse("development:kpis") + f"#kpi-{kid}")


@login_required
def metrics(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk, edit=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            made = tools.metric_add(
                plan=plan, name=request.POST.get("name", ""), kpi_ids=request.POST.getlist("kpi")
            )
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, f"Added: {made.name}.")
            return redirect("development:metrics", pk=pk)
    context = tools.metric_overview(plan)
    chosen = request.POST.getlist("kpi")
    return _page(
        request, "metrics", plan, role, error=error, values=request.POST, chosen=chosen, **context
    )


@require_POST
@login_required
def metric(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    found = get_object_or_404(live(Metric.objects.filter(plan=plan)), pk=mid)
    try:
        tools.metric_update(
            metric=found, name=request.POST.get("name", ""), kpi_ids=request.POST.getlist("kpi")
        )
    except PlanError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Saved: {found.name}.")
    return redirect(reverse("development:metrics", args=[pk]) + f"#metric-{mid}")


# The delegation list --------------------------------------------------------------------------


def _delegation_fields(post: Any) -> dict[str, str]:
    fields = ("work", "candidate", "stage", "note")
    return {f: post.get(f, "") for f in fields}


@login_required
def delegation(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk, edit=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            tools.delegation_add(plan=plan, **_delegation_fields(request.POST))
        except PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, "Added to the delegation list.")
            return redirect("development:delegation", pk=pk)
    context = tools.delegation_overview(plan)
    return _page(request, "delegation", plan, role, error=error, values=request.POST, **context)


@require_POST
@login_required
def delegation_item(request: HttpRequest, pk: int, did: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    found = get_object_or_404(live(Delegation.objects.filter(plan=plan)), pk=did)
    try:
        tools.delegation_update(item=found, **_delegation_fields(request.POST))
    except PlanError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Saved: {found.work}.")
    return redirect(reverse("development:delegation", args=[pk]) + f"#work-{did}")
