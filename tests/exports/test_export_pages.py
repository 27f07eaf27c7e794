"""The export pages: org admins only; a background export writes a private file with its
progress; a failed one says why and leaves no file; files go with their row and cycle."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from export_helpers import csv_tables, records

from leadwell.cycles.models import Assessment, Cycle, Response
from leadwell.exports.models import Export
from leadwell.exports.services import export_start

FORM = {"format": "csv", "tables": ["assessments", "figures", "gaps", "comments"]}


def _start(client, cycle, capture, **form):
    with capture(execute=True):
        return client.post(reverse("exports:cycle", args=[cycle.pk]), {**FORM, **form})


def test_an_admin_exports_in_the_background_and_downloads_the_file(
    client, admin, results, exports_dir, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    page = client.get(reverse("exports:cycle", args=[results.pk]))
    assert page.status_code == 200
    assert b"Prepare the file" in page.content
    response = _start(client, results, django_capture_on_commit_callbacks, raw="on")
    export = Export.objects.get()
    assert response["Location"] == reverse("exports:detail", args=[export.pk])
    # The test settings run tasks at once, so the file is made by now.
    assert (export.status, export.raw, export.created_by) == ("done", True, admin)
    assert export.tables == ["assessments", "figures", "gaps", "comments", "responses"]
    assert export.total == 5 * 5
    assert export.progress == export.total
    path = exports_dir / f"export-{export.pk}.zip"
    assert export.size == path.stat().st_size > 0
    assert path.stat().st_mode & 0o777 == 0o600
    assert exports_dir.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in exports_dir.iterdir()] == [path.name]  # no .part left
    detail = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "Download leadwell-spring-2026-results.zip" in detail
    assert "hx-get" not in detail  # finished: the page stops asking
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"
    data = b"".join(download.streaming_content)
    leaders = records(csv_tables(data)["assessments"])
    assert [r["leader"] for r in leaders] == ["Lee", "Ana", "Ben", "Cy", "Dana"]
    listing = client.get(reverse("exports:cycle", args=[results.pk])).content.decode()
    assert reverse("exports:download", args=[export.pk]) in listing


def test_a_running_export_page_refreshes_itself(client, admin, results, exports_dir):
    export = Export.objects.create(
        organization=results.organization, cycle=results, format="json", progress=3, total=12
    )
    client.force_login(admin)
    page = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "hx-get" in page
    assert "25% read" in page
    partial = client.get(reverse("exports:detail", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="export-status"')
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404


def test_a_failed_export_says_why_and_leaves_no_file(
    client, admin, results, exports_dir, django_capture_on_commit_callbacks
):
    ana = Assessment.objects.get(cycle=results, leader__name="Ana")
    Response.objects.create(
        organization=ana.organization, assessment=ana, group="peer", answers=b"\x03" * 7
    )
    client.force_login(admin)
    _start(client, results, django_capture_on_commit_callbacks, format="xlsx")
    export = Export.objects.get()
    assert export.status == "failed"
    assert export.finished_at is not None
    assert "do not all have 59 bytes" in export.error
    assert list(exports_dir.iterdir()) == []  # the .part file was removed
    page = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert "The export stopped: The stored answers could not be read" in page
    assert "Traceback" not in page


def test_an_export_folder_that_cannot_be_made_fails_the_export_clearly(
    admin, results, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.LEADWELL_EXPORTS_DIR = blocker / "exports"
    with django_capture_on_commit_callbacks(execute=True):
        export = export_start(cycle=results, fmt="json", raw=False, actor=admin)
    export.refresh_from_db()
    assert export.status == "failed"
    assert "folder for exports" in export.error
    assert "cannot be created" in export.error


def test_deleting_an_export_or_its_cycle_deletes_the_file(
    admin, results, exports_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = export_start(cycle=results, fmt="json", raw=False, actor=admin)
        second = export_start(cycle=results, fmt="xlsx", raw=True, actor=admin)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.path.exists()
    assert second.path.exists()
    first.delete()
    assert not first.path.exists()
    assert second.path.exists()
    Cycle.objects.filter(pk=results.pk).delete()
    assert list(exports_dir.iterdir()) == []


def test_a_small_cycle_can_be_downloaded_at_once(client, admin, results, exports_dir):
    client.force_login(admin)
    form = {"format": "csv", "tables": ["figures"]}
    response = client.post(reverse("exports:stream", args=[results.pk]), form)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="leadwell-spring-2026-figures.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"assessment,leader,figure,group,n,mean,sd\r\n")
    response = client.post(
        reverse("exports:stream", args=[results.pk]), {"format": "xlsx", "raw": "on"}
    )
    workbook = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "xl/workbook.xml" in workbook.namelist()
    assert not Export.objects.exists()  # nothing stored


def test_an_open_cycle_cannot_be_exported_and_the_page_says_why(
    client, admin, results, exports_dir, django_capture_on_commit_callbacks
):
    results.status = Cycle.OPEN
    results.save()
    client.force_login(admin)
    page = client.get(reverse("exports:cycle", args=[results.pk])).content.decode()
    assert "once the cycle is closed" in page
    assert "Prepare the file" not in page
    response = _start(client, results, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "once the cycle is closed" in response.content.decode()
    streamed = client.post(reverse("exports:stream", args=[results.pk]), FORM, follow=True)
    assert "once the cycle is closed" in streamed.content.decode()
    assert not Export.objects.exists()


def test_a_form_without_any_table_is_refused(client, admin, results, exports_dir):
    client.force_login(admin)
    response = client.post(reverse("exports:cycle", args=[results.pk]), {"format": "csv"})
    assert response.status_code == 400
    assert "Choose at least one table" in response.content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "leader", "coach"])
def test_only_admins_of_the_organization_reach_exports(
    client, admin, outsider, leader, coach, results, exports_dir, who,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        export = export_start(cycle=results, fmt="json", raw=True, actor=admin)
    user = {"outsider": outsider, "leader": leader.user, "coach": coach}[who]
    client.force_login(user)
    urls = [
        ("get", reverse("exports:cycle", args=[results.pk])),
        ("post", reverse("exports:cycle", args=[results.pk])),
        ("post", reverse("exports:stream", args=[results.pk])),
        ("get", reverse("exports:detail", args=[export.pk])),
        ("get", reverse("exports:download", args=[export.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, FORM).status_code == 404, url
    assert Export.objects.count() == 1


def test_the_service_refuses_anyone_but_an_org_admin(results, outsider, leader):
    from leadwell.exports.tables import ExportError

    for user in (outsider, leader.user):
        with pytest.raises(ExportError, match="admins"):
            export_start(cycle=results, fmt="csv", raw=False, actor=user)
    assert not Export.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, results):
    response = client.get(reverse("exports:cycle", args=[results.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]
