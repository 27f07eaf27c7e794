"""Pages of cycles: the list, a new cycle, the progress dashboard and its actions, picking
leaders, nominations, and correcting a rater's address.

Views parse, call a service or a selector, and render. Objects are looked up within the
signed-in user's organization: another organization's id answers 404. Changes are POST only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from leadwell.config.http import row_id
from leadwell.cycles import selectors, services
from leadwell.cycles.forms import CycleForm, EmailForm, NominationForm, OpenForm
from leadwell.cycles.models import Assessment, Cycle, Invitation, Nomination
from leadwell.orgs.access import has_role, org_object_or_404, require_role
from leadwell.orgs.models import Organization, Person, Role
from leadwell.reports import selectors as report_selectors

_PAGE = 50


def _admin_cycle(request: HttpRequest, pk: int) -> tuple[Organization, Cycle]:
    org = require_role(request, Role.ADMIN)
    return org, org_object_or_404(Cycle, org, pk=pk)


def _done(request: HttpRequest, action: Callable[[], str], to: str) -> HttpResponse:
    """Run a service call, report its outcome as a message, go to ``to``."""
    try:
        messages.success(request, action())
    except services.CycleError as error:
        messages.error(request, str(error))
    return redirect(to)


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    org = require_role(request)
    is_admin = has_role(request, Role.ADMIN)
    context = {
        "org": org,
        "is_admin": is_admin,
        "summaries": selectors.cycles_for_org(org) if is_admin else [],
        "mine": list(selectors.assessments_for_user(org, request.user)),
        "my_reports": list(report_selectors.own_reports(org, request.user)),
        "coached": list(report_selectors.coached_reports(org, request.user)),
    }
    return render(request, "cycles/list.html", context)


@login_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.cycle_create(org, actor=request.user, **form.cleaned_data)
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Cycle “{cycle.name}” created. Now pick its leaders.")
            return redirect("cycles:leaders", pk=cycle.pk)
    return render(request, "cycles/create.html", {"form": form})


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)
    progress = selectors.cycle_progress(cycle)
    waiting = [w for a in progress.assessments for w in a.waiting if not w.bounced]
    context = {
        "cycle": cycle,
        "progress": progress,
        "pending": sum(w.status == Invitation.PENDING for w in waiting),
        "remindable": len(waiting),
        "open_form": OpenForm(),
    }
    return render(request, "cycles/detail.html", context)


@require_POST
@login_required
def cycle_start_nominating(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)

    def act() -> str:
        services.cycle_start_nominating(cycle, actor=request.user)
        return "Nominations are open: leaders can now propose their raters."

    return _done(request, act, reverse("cycles:detail", args=[pk]))


@require_POST
@login_required
def cycle_open(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)
    form = OpenForm(request.POST)
    override = form.is_valid() and form.cleaned_data["override"]
    try:
        result = services.cycle_open(cycle, override=override, actor=request.user)
    except services.CycleError as error:
        messages.error(request, str(error))
        return redirect("cycles:detail", pk=pk)
    messages.success(request, f"The cycle is open: {result.invitations} invitations are going out.")
    if result.short:
        names = "; ".join(f"{s.leader_name} ({s.approved_anonymous})" for s in result.short)
        messages.warning(
            request,
            f"Opened with too few anonymous raters (fewer than {cycle.min_anonymous}) for: "
            f"{names}. Their anonymous results will be folded or withheld in the report.",
        )
    if result.undecided:
        messages.warning(
            request,
            f"{result.undecided} proposed raters were never approved and got no invitation.",
        )
    return redirect("cycles:detail", pk=pk)


@require_POST
@login_required
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)

    def act() -> str:
        count = services.invitations_send(cycle, actor=request.user)
        return f"{count} invitations not sent before are going out now."

    return _done(request, act, reverse("cycles:detail", args=[pk]))


@require_POST
@login_required
def reminders_send(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)

    def act() -> str:
        result = services.reminders_send(cycle, actor=request.user)
        text = f"Reminders are going to {result.reminded} raters who have not submitted."
        if result.bounced:
            text += f" {result.bounced} with a bounced address were left out: correct them."
        return text

    return _done(request, act, reverse("cycles:detail", args=[pk]))


@require_POST
@login_required
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)

    def act() -> str:
        services.cycle_close(cycle, actor=request.user)
        return "The cycle is closed: raters' links no longer work."

    return _done(request, act, reverse("cycles:detail", args=[pk]))


@require_POST
@login_required
def cycle_release(request: HttpRequest, pk: int) -> HttpResponse:
    _, cycle = _admin_cycle(request, pk)

    def act() -> str:
        services.cycle_release(cycle, actor=request.user)
        return "Reports are released to the leaders and their coaches."

    return _done(request, act, reverse("cycles:detail", args=[pk]))


@login_required
def cycle_leaders(request: HttpRequest, pk: int) -> HttpResponse:
    org, cycle = _admin_cycle(request, pk)
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    candidates = selectors.leader_candidates(cycle, query)
    if request.method == "POST":
        if request.POST.get("all") == "1":
            chosen: list[Person] = list(candidates)
        else:
            ids = [n for i in request.POST.getlist("person") if (n := row_id(i)) is not None]
            chosen = list(Person.objects.filter(organization=org, pk__in=ids))

        def act() -> str:
            if not chosen:
                raise services.CycleError("Tick at least one person to add.")
            made = services.assessments_add(cycle, leaders=chosen, actor=request.user)
            return f"{len(made)} leaders added, each with their self-assessment and manager."

        return _done(request, act, request.get_full_path())
    page = Paginator(candidates, _PAGE).get_page(request.GET.get("page"))
    assessments = cycle.assessments.select_related("leader__unit").order_by("leader__name")
    context = {"cycle": cycle, "page": page, "q": query, "assessments": assessments}
    return render(request, "cycles/leaders.html", context)


@require_POST
@login_required
def assessment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    assessment = org_object_or_404(Assessment.objects.select_related("leader"), org, pk=pk)

    def act() -> str:
        services.assessment_remove(assessment, actor=request.user)
        return f"{assessment.leader.name} was taken out of the cycle."

    return _done(request, act, reverse("cycles:leaders", args=[assessment.cycle_id]))


def _assessment_for(request: HttpRequest, pk: int) -> tuple[Assessment, str]:
    """An assessment of the user's organization in which they have a part, and that part."""
    org = require_role(request)
    queryset = Assessment.objects.select_related("leader__manager", "cycle")
    assessment = org_object_or_404(queryset, org, pk=pk)
    role = selectors.assessment_role(assessment, request.user)
    if role is None:
        raise Http404("No such page.")
    return assessment, role


@login_required
def nominations(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _assessment_for(request, pk)
    form = NominationForm(request.POST or None, admin=role == "admin")
    if request.method == "POST" and form.is_valid():
        try:
            made = services.nomination_propose(assessment, actor=request.user, **form.cleaned_data)
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            verb = "proposed" if made.status == Nomination.PROPOSED else "added and approved"
            messages.success(request, f"{made.name} {verb}.")
            return redirect("cycles:nominations", pk=pk)
    cycle = assessment.cycle
    editable = cycle.status in (Cycle.DRAFT, Cycle.NOMINATING, Cycle.OPEN) and (
        role != "leader" or cycle.status == Cycle.NOMINATING
    )
    rows = [
        (n, NominationForm(initial=_initial(n), prefix=f"n{n.pk}", admin=role == "admin"))
        for n in selectors.nominations_for_assessment(assessment)
    ]
    context: dict[str, Any] = {
        "assessment": assessment,
        "cycle": cycle,
        "role": role,
        "form": form,
        "rows": rows,
        "suggestions": services.nomination_suggestions(assessment),
        "decides": role in ("admin", "manager"),
        "editable": editable,
        "can_propose": editable,
    }
    return render(request, "cycles/nominations.html", context)


def _initial(nomination: Nomination) -> dict[str, str]:
    return {"name": nomination.name, "email": nomination.email, "group": nomination.group}


def _nomination_action(
    request: HttpRequest, pk: int, act: Callable[[Nomination], str]
) -> HttpResponse:
    org = require_role(request)
    queryset = Nomination.objects.select_related("assessment__leader__manager")
    nomination = org_object_or_404(queryset, org, pk=pk)
    if selectors.assessment_role(nomination.assessment, request.user) is None:
        raise Http404("No such page.")
    to = reverse("cycles:nominations", args=[nomination.assessment_id])
    return _done(request, lambda: act(nomination), to)


@require_POST
@login_required
def nomination_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(nomination: Nomination) -> str:
        services.nomination_approve(nomination, actor=request.user)
        return f"{nomination.name} approved."

    return _nomination_action(request, pk, act)


@require_POST
@login_required
def nomination_decline(request: HttpRequest, pk: int) -> HttpResponse:
    def act(nomination: Nomination) -> str:
        services.nomination_decline(nomination, actor=request.user)
        return f"{nomination.name} declined."

    return _nomination_action(request, pk, act)


@require_POST
@login_required
def nomination_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def act(nomination: Nomination) -> str:
        form = NominationForm(request.POST, prefix=f"n{pk}", admin=True)
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise services.CycleError(f"Nothing changed: {problems}")
        services.nomination_update(nomination, actor=request.user, **form.cleaned_data)
        return f"{form.cleaned_data['name']} updated."

    return _nomination_action(request, pk, act)


@login_required
def invitation_fix(request: HttpRequest, pk: int) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    queryset = Invitation.objects.select_related("assessment__cycle", "assessment__leader")
    invitation = org_object_or_404(queryset, org, pk=pk)
    form = EmailForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_correct_email(
                invitation, email=form.cleaned_data["email"], actor=request.user
            )
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"A new link is going to {invitation.email}; the old one no longer works."
            )
            return redirect("cycles:detail", pk=invitation.assessment.cycle_id)
    return render(request, "cycles/invitation_fix.html", {"invitation": invitation, "form": form})
