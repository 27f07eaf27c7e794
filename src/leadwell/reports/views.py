"""Report pages: the report on screen and as PDF, a cycle's reports, batches, the audit log.

Who may read a report is decided in one place, :func:`selectors.report_role`; everyone else
gets the same 404 as for a report that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leadwell.config.http import private as _private
from leadwell.cycles.models import Assessment, Cycle
from leadwell.orgs.access import org_object_or_404, require_role
from leadwell.orgs.models import Role
from leadwell.reports import batch as batches
from leadwell.reports import selectors, services
from leadwell.reports.models import ReportBatch, ReportView
from leadwell.reports.pdf import PAPERS
from leadwell.reports.render import report_context


def _readable(request: HttpRequest, pk: int) -> tuple[Assessment, str]:
    org = require_role(request)
    queryset = Assessment.objects.select_related("cycle", "leader")
    assessment = org_object_or_404(queryset, org, pk=pk)
    role = selectors.report_role(assessment, request.user)
    if role is None:
        raise Http404("No such page.")
    return assessment, role


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _readable(request, pk)
    report = selectors.report_for(assessment)
    services.report_view_log(
        assessment=assessment, viewer=request.user, role=role, format=ReportView.HTML
    )
    context = report_context(
        report,
        assessment=assessment,
        role=role,
        preview=assessment.cycle.status != Cycle.RELEASED,
        papers=PAPERS,
    )
    return _private(render(request, "reports/detail.html", context))


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, role = _readable(request, pk)
    paper = request.GET.get("paper", "a4")
    if paper not in PAPERS:
        return HttpResponse("Paper must be a4 or letter.", status=400, content_type="text/plain")
    name, data = services.report_pdf(assessment, paper=paper)
    services.report_view_log(
        assessment=assessment, viewer=request.user, role=role, format=ReportView.PDF
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


def _admin_cycle(request: HttpRequest, pk: int) -> Cycle:
    org = require_role(request, Role.ADMIN)
    cycle = org_object_or_404(Cycle, org, pk=pk)
    if cycle.status not in selectors.ADMIN_PREVIEW:
        raise Http404("No such page.")
    return cycle


@login_required
def cycle_reports(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _admin_cycle(request, pk)
    context: dict[str, Any] = {
        "cycle": cycle,
        "rows": selectors.cycle_report_rows(cycle),
        "batches": cycle.report_batches.select_related("requested_by")[:5],
    }
    return _private(render(request, "reports/cycle.html", context))


@require_POST
@login_required
def batch_start(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _admin_cycle(request, pk)
    try:
        batch = batches.batch_start(cycle, actor=request.user)
    except batches.BatchError as error:
        messages.error(request, str(error))
        return redirect("reports:cycle", pk=pk)
    return redirect("reports:batch", pk=batch.pk)


def _admin_batch(request: HttpRequest, pk: int) -> ReportBatch:
    org = require_role(request, Role.ADMIN)
    return org_object_or_404(ReportBatch.objects.select_related("cycle"), org, pk=pk)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _admin_batch(request, pk)
    template = "reports/_batch.html" if request.headers.get("HX-Request") else "reports/batch.html"
    context = {"batch": batch, "cycle": batch.cycle, "stalled": batches.batch_stalled(batch)}
    response = _private(render(request, template, context))
    response["Vary"] = "HX-Request"
    return response


@login_required
def batch_download(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _admin_batch(request, pk)
    path = batches.batch_path(batch)
    if batch.status != ReportBatch.DONE or not path.exists():
        raise Http404("No such file.")
    name = f"leadwell-reports-{batch.cycle.pk}-{batch.pk}.zip"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
    batches.batch_downloaded(batch, viewer=request.user)
    return _private(response)


@login_required
def report_log(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    page = Paginator(selectors.report_views(org), 50).get_page(request.GET.get("page"))
    context = {"page": page, "time_zone": settings.TIME_ZONE}
    return _private(render(request, "reports/log.html", context))
