"""Export pages, for org admins only: choose what to export of a cycle, follow an export made
in the background, download its file; a small cycle may also be streamed straight away.

Everyone else (leaders, coaches, other organizations) gets the same 404 as for a page that
does not exist.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from leadwell.config.http import private as _private
from leadwell.cycles.models import Cycle
from leadwell.exports import selectors, services
from leadwell.exports.models import Export
from leadwell.exports.tables import DEFAULT_TABLES, ExportError
from leadwell.exports.writers import content_type, export_filename, stream_cycle
from leadwell.orgs.access import org_object_or_404, require_role
from leadwell.orgs.models import Role
from leadwell.reports.selectors import ADMIN_PREVIEW

TABLE_CHOICES = [
    ("assessments", "Assessments: one row per leader, quadrant, axis scores, who answered"),
    ("figures", "Figures: every shown mean and SD per rater group (axes, facets, items)"),
    ("gaps", "Gaps: self minus all others per facet, with blind spots and hidden strengths"),
    ("comments", "Comments: the open answers, pooled and unattributed"),
]
FORMAT_HINTS = {
    "csv": "One CSV file per table in a ZIP (a single table: one CSV file). UTF-8.",
    "xlsx": "One workbook: a readme sheet, then a sheet per table.",
    "json": "One JSON document with every table, for programs.",
}


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=Export.FORMATS, widget=forms.RadioSelect, initial="xlsx")
    tables = forms.MultipleChoiceField(
        choices=TABLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=list(DEFAULT_TABLES),
        required=False,
    )
    raw = forms.BooleanField(required=False, label="Include the raw responses")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "tables" in self.errors:  # a table that does not exist: its own message says so
            return data
        if not data.get("tables") and not data.get("raw"):
            raise forms.ValidationError("Choose at least one table, or the raw responses.")
        return data

    def chosen(self) -> tuple[str, str, bool]:
        """(format, tables, raw) from a valid form."""
        tables = list(self.cleaned_data["tables"])
        raw = bool(self.cleaned_data["raw"])
        return self.cleaned_data["format"], tables + (["responses"] if raw else []), raw


def _admin_cycle(request: HttpRequest, pk: int) -> Cycle:
    org = require_role(request, Role.ADMIN)
    return org_object_or_404(Cycle, org, pk=pk)


def _admin_export(request: HttpRequest, pk: int) -> Export:
    org = require_role(request, Role.ADMIN)
    return org_object_or_404(Export.objects.select_related("cycle", "created_by"), org, pk=pk)


@login_required
def cycle_exports(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose and start an export (POST: in the background); the cycle's past exports."""
    cycle = _admin_cycle(request, pk)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fmt, tables, raw = form.chosen()
        try:
            export = services.export_start(
                cycle=cycle, fmt=fmt, raw=raw, actor=request.user, tables=tables
            )
        except ExportError as error:
            messages.error(request, str(error))
        else:
            return redirect("exports:detail", pk=export.pk)
    exportable = cycle.status in ADMIN_PREVIEW
    context = {
        "cycle": cycle,
        "form": form,
        "formats": [(radio, FORMAT_HINTS[radio.data["value"]]) for radio in form["format"]],
        "exportable": exportable,
        "streamable": exportable and selectors.streamable(cycle),
        "exports": selectors.cycle_exports(cycle),
        "stream_limit": selectors.STREAM_LIMIT,
    }
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "exports/cycle.html", context, status=status))


@require_POST
@login_required
def cycle_stream(request: HttpRequest, pk: int) -> HttpResponse:
    """The export of a small cycle, streamed in this response."""
    cycle = _admin_cycle(request, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a format and at least one table.")
        return redirect("exports:cycle", pk=pk)
    if not selectors.streamable(cycle):
        messages.error(request, "This cycle is too large to download at once: prepare the file.")
        return redirect("exports:cycle", pk=pk)
    fmt, tables, raw = form.chosen()
    try:
        pieces = stream_cycle(cycle, fmt=fmt, tables=tables, raw=raw)  # type: ignore[arg-type]
    except ExportError as error:
        messages.error(request, str(error))
        return redirect("exports:cycle", pk=pk)
    response = StreamingHttpResponse(pieces, content_type=content_type(fmt, tables))
    name = export_filename(cycle, fmt, tables)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An export's progress; htmx asks again every two seconds until it is finished."""
    export = _admin_export(request, pk)
    partial = bool(request.headers.get("HX-Request"))
    template = "exports/_progress.html" if partial else "exports/detail.html"
    context = {"export": export, "cycle": export.cycle, "stalled": selectors.export_stalled(export)}
    response = _private(render(request, template, context))
    response["Vary"] = "HX-Request"
    return response


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _admin_export(request, pk)
    path = export.path
    if export.status != Export.DONE or not path.exists():
        raise Http404("No such file.")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=export.file_name)
    return _private(response)
