"""The plan's own pages: the list, a new plan (from a report or from scratch), the overview
with focus areas, goals and actions, coaches' comments, deleting with undo, and exports.
The tools have their own modules (views_stakeholders, views_tools)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from leadwell.config.http import row_id
from leadwell.development import export, selectors, services
from leadwell.development.access import LEADER, plan_for
from leadwell.development.models import Action, Focus, Plan
from leadwell.orgs.access import require_role


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    org = require_role(request)
    context = {
        "mine": selectors.own_plans(org, request.user),
        "others": selectors.readable_plans(org, request.user),
        "reports": selectors.reports_to_start_from(org, request.user),
        "is_leader": selectors.person_of(org, request.user) is not None,
    }
    return render(request, "development/list.html", context)


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    org = require_role(request)
    person = selectors.person_of(org, request.user)
    if person is None:
        raise Http404("No such page.")
    source = selectors.own_assessment(
        org, request.user, request.GET.get("from") or request.POST.get("source")
    )
    choices = selectors.focus_choices(source)
    error = ""
    if request.method == "POST":
        try:
            plan = services.plan_create(
                leader=person,
                facets=request.POST.getlist("facet"),
                title=request.POST.get("title", ""),
                source=source,
            )
        except services.PlanError as problem:
            error = str(problem)
        else:
            messages.success(request, "Your plan is ready. Write a goal for each focus area.")
            return redirect("development:detail", pk=plan.pk)
    chosen = request.POST.getlist("facet") if request.method == "POST" else choices.recommended
    context = {"source": source, "choices": choices, "chosen": chosen, "error": error}
    return render(request, "development/new.html", context)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk)
    context = selectors.plan_overview(plan)
    context.update(role=role, can_edit=role == LEADER)
    return render(request, "development/detail.html", context)


@require_POST
@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    review = _date(request.POST.get("review_date"))
    try:
        services.plan_update(
            plan,
            title=request.POST.get("title", ""),
            review_date=review,
            shared_with_manager=request.POST.get("shared") == "on",
        )
    except services.PlanError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "Plan saved.")
    return redirect("development:detail", pk=pk)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@require_POST
@login_required
def focus_edit(request: HttpRequest, pk: int, fid: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    focus = get_object_or_404(services.live(Focus.objects.filter(plan=plan)), pk=fid)
    try:
        services.focus_update(focus, goal=request.POST.get("goal", ""))
    except services.PlanError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "Goal saved.")
    return redirect(reverse("development:detail", args=[pk]) + f"#focus-{fid}")


@require_POST
@login_required
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    focus_id = row_id(request.POST.get("focus"))
    focus = (
        services.live(Focus.objects.filter(plan=plan, pk=focus_id)).first()
        if focus_id is not None
        else None
    )
    try:
        services.action_add(
            plan, text=request.POST.get("text", ""), due=_date(request.POST.get("due")), focus=focus
        )
    except services.PlanError as problem:
        messages.error(request, str(problem))
    return redirect(reverse("development:detail", args=[pk]) + "#actions")


@require_POST
@login_required
def action_status(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    action = get_object_or_404(services.live(Action.objects.filter(plan=plan)), pk=aid)
    try:
        services.action_update(action, status=request.POST.get("status", ""))
    except services.PlanError as problem:
        messages.error(request, str(problem))
    return redirect(reverse("development:detail", args=[pk]) + "#actions")


@require_POST
@login_required
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan, role = plan_for(request, pk)
    if role not in ("leader", "coach"):
        raise Http404("No such page.")
    try:
        services.comment_add(plan, author=request.user, text=request.POST.get("text", ""))
    except services.PlanError as problem:
        messages.error(request, str(problem))
    return redirect(reverse("development:detail", args=[pk]) + "#comments")


def _row(plan: Plan, kind: str, rid: int, *, deleted: bool) -> Any:
    model = services.DELETABLE.get(kind)
    if model is None:
        raise Http404("No such page.")
    rows = model._default_manager.filter(deleted_at__isnull=not deleted)
    scoped = (
        rows.filter(stakeholder__plan=plan)
        if kind in ("touch", "trust")
        else rows.filter(plan=plan)
    )
    return get_object_or_404(scoped, pk=rid)


def _back(request: HttpRequest, text: str | None, pk: int) -> str:
    """Where to go afterwards: ``text`` when it is a path of this site, else the plan. A bare
    word ("0") is not a path: redirect() would take it for a view's name and fail."""
    allowed = url_has_allowed_host_and_scheme(text, allowed_hosts={request.get_host()})
    if text and text.startswith("/") and allowed:
        return text
    return reverse("development:detail", args=[pk])


@login_required
def row_delete_view(request: HttpRequest, pk: int, kind: str, rid: int) -> HttpResponse:
    """GET asks once; POST deletes and offers undo on the page it returns to."""
    plan, _ = plan_for(request, pk, edit=True)
    row = _row(plan, kind, rid, deleted=False)
    back = _back(request, request.POST.get("next") or request.GET.get("next"), pk)
    label = selectors.row_label(kind, row)
    if request.method != "POST":
        return render(
            request,
            "development/delete.html",
            {
                "plan": plan,
                "label": label,
                "kind": kind,
                "row": row,
                "back": back,
                "minutes": services.UNDO_MINUTES,
            },
        )
    services.row_delete(row)
    # The pages of the plan offer to undo this deletion (templatetags/plan_tags.py).
    request.session["leadwell_undo"] = {
        "plan": plan.pk, "kind": kind, "id": row.pk, "label": label, "next": back,
        "at": row.deleted_at.isoformat(),
    }  # fmt: skip
    messages.success(request, f"Deleted: {label}.")
    return redirect(back)


@require_POST
@login_required
def row_undo_view(request: HttpRequest, pk: int, kind: str, rid: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    row = _row(plan, kind, rid, deleted=True)
    try:
        services.row_undo(row)
    except services.PlanError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Restored: {selectors.row_label(kind, row)}.")
    request.session.pop("leadwell_undo", None)
    return redirect(_back(request, request.POST.get("next"), pk))


@login_required
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    return export.json_response(plan)


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan, _ = plan_for(request, pk, edit=True)
    return export.pdf_response(plan)
