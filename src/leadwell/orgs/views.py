"""The organization pages: the people list and importing people (upload, preview, confirm).

Between the preview and the confirmation the parsed file waits in the session (compressed
JSON) with its digest; the confirm form carries the digest, so a page left open on an older
preview cannot confirm a different file. Confirming checks the rows again against the database.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leadwell.orgs import selectors, services
from leadwell.orgs.access import has_role, require_role
from leadwell.orgs.forms import PeopleConfirmForm, PeopleSearchForm, PeopleUploadForm
from leadwell.orgs.importing import PeopleFile, pack_people_file, unpack_people_file
from leadwell.orgs.models import Organization, Role

_SESSION_KEY = "leadwell_people_import"
SHOWN = 200  # rows shown per table of the preview; the counts cover all of them
SAMPLE_CSV = """name,email,unit,level,manager_email
Maria Garcia,maria.garcia@example.com,Operations,director,
Lee Chen,lee.chen@example.com,Operations,manager,maria.garcia@example.com
Dana Okafor,dana.okafor@example.com,Operations,staff,lee.chen@example.com
Eli Novak,eli.novak@example.com,Operations,staff,lee.chen@example.com
Ana Souza,ana.souza@example.com,Sales,manager,maria.garcia@example.com
"""


@login_required
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    org = require_role(request)
    form = PeopleSearchForm(request.GET or None)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = selectors.people_page(org=org, search=search, page=request.GET.get("page"))
    context = {
        "org": org,
        "form": form,
        "page": page,
        "search": search,
        "is_admin": has_role(request, Role.ADMIN),
    }
    return render(request, "orgs/people.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        blob, digest = pack_people_file(form.cleaned_data["file"])
        request.session[_SESSION_KEY] = {
            "org": org.pk,
            "blob": blob,
            "digest": digest,
            "filename": (request.FILES["file"].name or "")[:200],
        }
        return redirect("orgs:import_preview")
    return render(request, "orgs/import_upload.html", {"org": org, "form": form})


@login_required
@require_GET
def import_sample(request: HttpRequest) -> HttpResponse:
    require_role(request, Role.ADMIN)
    response = HttpResponse(SAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-sample.csv"'
    return response


@login_required
@require_GET
def import_preview(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    pending = _pending(request, org)
    if pending is None:
        messages.info(request, _("Upload a file to see what it would change."))
        return redirect("orgs:import")
    people_file, stored = pending
    preview = selectors.people_import_preview(
        org=org, rows=people_file.rows, columns=people_file.columns
    )
    context = {
        "org": org,
        "preview": preview,
        "file": people_file,
        "filename": stored["filename"],
        "missing_columns": [
            c for c in ("unit", "level", "manager_email") if c not in people_file.columns
        ],
        "form": PeopleConfirmForm(initial={"digest": stored["digest"]}),
        "shown": SHOWN,
        "to_save": len(preview.new) + len(preview.updated),
        "new": preview.new[:SHOWN],
        "updated": preview.updated[:SHOWN],
        "bad": preview.bad[:SHOWN],
    }
    return render(request, "orgs/import_preview.html", context)


@login_required
@require_GET
def import_bad_rows(request: HttpRequest) -> HttpResponse:
    """The rows to correct as a CSV file, for a file with more of them than the page shows."""
    org = require_role(request, Role.ADMIN)
    pending = _pending(request, org)
    if pending is None:
        return redirect("orgs:import")
    rows = pending[0].rows
    preview = selectors.people_import_preview(org=org, rows=rows, columns=pending[0].columns)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rows-to-correct.csv"'
    writer = csv.writer(response)
    writer.writerow(["row", "name", "email", "problem"])
    for bad in preview.bad:
        writer.writerow([bad.row, *(_csv_safe(v) for v in (bad.name, bad.email, bad.reason))])
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    org = require_role(request, Role.ADMIN)
    form = PeopleConfirmForm(request.POST)
    pending = _pending(request, org)
    if (
        pending is None
        or not form.is_valid()
        or form.cleaned_data["digest"] != pending[1]["digest"]
    ):
        messages.error(request, _("This preview is out of date: upload the file again."))
        return redirect("orgs:import")
    try:
        result = services.people_import(org=org, rows=pending[0].rows, actor=request.user)
    except services.PeopleImportError as error:
        messages.error(request, str(error))
        return redirect("orgs:import_preview")
    del request.session[_SESSION_KEY]
    messages.success(
        request,
        _("Import done: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return redirect("orgs:people")


def _pending(request: HttpRequest, org: Organization) -> tuple[PeopleFile, dict[str, Any]] | None:
    stored = request.session.get(_SESSION_KEY)
    if not isinstance(stored, dict) or stored.get("org") != org.pk:
        return None
    return unpack_people_file(stored["blob"]), stored


def _csv_safe(value: str) -> str:
    """Keep a spreadsheet from running a cell that starts like a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
