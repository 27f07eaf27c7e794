"""Round trips of the organization archive: what comes back is what went out, modulo keys.

The comparison does not use the exporter: it reads the database through the ORM, every
concrete column of every table, and replaces each reference by the content of the row it
points to (recursively; users by their fields), so rows compare by what they say, not by
their primary keys. Two archives compare the same way from their JSON lines.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from test_organization_builder import USERS, build_organization

from leadwell.cycles.models import Assessment, Cycle, Invitation, Response
from leadwell.exports.organization import ArchiveError, export_plan
from leadwell.exports.organization_export import organization_export
from leadwell.exports.organization_import import organization_import
from leadwell.orgs.models import Organization

# Link secrets are not carried (docs/organization-export.md); checked on their own below.
NOT_CARRIED = {
    "cycles.invitation": {"token_hash", "token_salt"},
    "development.vision": {"share_hash", "shared_at"},
}
USER_FIELDS = ("username", "email", "first_name", "last_name", "password", "is_active")
USER_FIELDS += ("date_joined", "last_login")


def _database_content() -> dict[str, Counter[Any]]:
    """Every row of every exported table (the database holds one organization), by content."""
    User = get_user_model()
    memo: dict[tuple[Any, Any], Any] = {}

    def natural(model: Any, pk: Any) -> Any:
        if (model, pk) not in memo:
            if model is User:
                memo[model, pk] = User.objects.values_list(*USER_FIELDS).get(pk=pk)
            else:
                fields = [f for f in model._meta.concrete_fields if not f.primary_key]
                skip = NOT_CARRIED.get(model._meta.label_lower, set())
                row = model._default_manager.values(*(f.attname for f in fields)).get(pk=pk)
                memo[model, pk] = tuple(
                    (f.name, _plain(f, row[f.attname], natural))
                    for f in fields
                    if f.name not in skip
                )
        return memo[model, pk]

    content = {}
    for table in export_plan():
        rows = table.model._default_manager.all()
        if table.model is User:
            rows = rows.filter(username__in=USERS)
        content[table.label] = Counter(
            natural(table.model, pk) for pk in rows.values_list("pk", flat=True)
        )
    return content


def _plain(model_field: Any, value: Any, natural: Any) -> Any:
    if model_field.is_relation and value is not None:
        return natural(model_field.related_model, value)
    return _hashable(bytes(value) if isinstance(value, memoryview) else value)


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _archive_content(data: bytes, *, slug: str | None = None) -> dict[str, Counter[Any]]:
    """The rows of an archive by content (references replaced by the row they point to)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    tables = {}
    for table in manifest["tables"]:
        lines = archive.read(table["file"]).decode("utf-8").splitlines()
        rows = [dict(zip(table["columns"], json.loads(line), strict=True)) for line in lines]
        assert len(rows) == table["rows"]
        tables[table["label"]] = (table["references"], {row.pop("id"): row for row in rows})

    def natural(label: str, pk: Any) -> Any:
        references, rows = tables[label]
        return tuple(
            (c, natural(references[c], v) if c in references and v is not None else _hashable(v))
            for c, v in rows[pk].items()
            if not (label == "orgs.organization" and c == "slug" and slug)
        )

    return {
        label: Counter(natural(label, pk) for pk in rows) for label, (_, rows) in tables.items()
    }


def _export(org: Organization) -> bytes:
    buffer = io.BytesIO()
    organization_export(org, buffer)
    return buffer.getvalue()


def _remove(org: Organization) -> None:
    """The organization and its users, as a disaster would leave it (PROTECT wants the
    assessments first)."""
    Assessment.objects.filter(organization=org).delete()
    org.delete()
    get_user_model().objects.all().delete()


@pytest.mark.django_db
def test_a_deleted_organization_imported_from_its_archive_has_every_row_back() -> None:
    built = build_organization()
    before = _database_content()
    old_tokens = set(Invitation.objects.values_list("token_hash", flat=True))
    data = _export(built["org"])
    _remove(built["org"])
    assert all(not t.model._default_manager.exists() for t in export_plan())

    summary = organization_import(io.BytesIO(data))

    after = _database_content()
    assert set(after) == set(before)
    for label in before:
        assert before[label], f"{label} had no rows: the round trip would prove nothing"
        assert after[label] == before[label], label
    assert summary.organization.slug == "acme"
    assert summary.tables == {label: sum(rows.values()) for label, rows in before.items()}
    # Installation-wide flags do not travel; the org admin is still the org admin by role.
    admin = get_user_model().objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff) == (False, False)
    assert admin.roles.get().role == "admin"
    # Link secrets are new: every invitation has a fresh hash nobody holds a link to.
    hashes = list(Invitation.objects.values_list("token_hash", "token_salt"))
    assert not {h for h, _ in hashes} & old_tokens
    assert len({h for h, _ in hashes}) == len(hashes)
    assert {s for _, s in hashes} == {""}
    assert (
        summary.organization.people.get(name="Lee").plans.get(title="Lead more").vision.share_hash
        == ""
    )


@pytest.mark.django_db
def test_a_copy_under_a_new_slug_exports_to_the_same_archive_modulo_keys() -> None:
    built = build_organization()
    first = _export(built["org"])
    get_user_model().objects.all().delete()  # their usernames are free; the org stays
    old_keys = {
        t.label: set(t.model._default_manager.values_list("pk", flat=True)) for t in export_plan()
    }

    copy = organization_import(io.BytesIO(first), slug="acme-copy").organization
    second = _export(copy)

    assert (copy.name, copy.slug) == ("Acme", "acme-copy")
    a, b = _archive_content(first, slug="drop"), _archive_content(second, slug="drop")
    assert set(a) == set(b)
    for label in a:
        assert a[label] == b[label], label
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(second)).read("manifest.json"))
    assert manifest["organization"] == {"name": "Acme", "slug": "acme-copy"}
    # Every row of the copy is new (the originals still hold their keys).
    for table in export_plan():
        if table.label != "auth.user":
            new = (
                set(table.model._default_manager.values_list("pk", flat=True))
                - old_keys[table.label]
            )
            assert len(new) == sum(a[table.label].values()), table.label
    # The original organization is untouched.
    assert Response.objects.filter(organization=built["org"]).count() == 8


@pytest.mark.django_db
def test_importing_twice_without_a_new_slug_is_refused_and_writes_nothing() -> None:
    data = _export(build_organization()["org"])
    _remove(Organization.objects.get())
    organization_import(io.BytesIO(data))
    counts = {t.label: t.model._default_manager.count() for t in export_plan()}

    with pytest.raises(ArchiveError, match=r"slug 'acme' exists already: .*--slug"):
        organization_import(io.BytesIO(data))
    assert {t.label: t.model._default_manager.count() for t in export_plan()} == counts


@pytest.mark.django_db
def test_after_an_import_old_rater_links_are_dead_and_a_reminder_mails_a_working_one() -> None:
    from leadwell.cycles.tasks import send_invitation_email
    from leadwell.survey.services import SurveyNotFound, invitation_for_token

    built = build_organization()
    assert invitation_for_token(built["open_link"]).draft.page == 2  # works before
    data = _export(built["org"])
    _remove(built["org"])
    organization_import(io.BytesIO(data))

    with pytest.raises(SurveyNotFound):
        invitation_for_token(built["open_link"])
    started = Invitation.objects.get(status=Invitation.STARTED)
    assert send_invitation_email.call(started.pk, "reminder") == "sent"
    token = re.search(r"/r/([\w-]+)/", mail.outbox[-1].body).group(1)
    found = invitation_for_token(token)
    assert (found.pk, found.draft.page, found.draft.comments["Q2"]) == (started.pk, 2, "")


@pytest.mark.django_db
def test_derived_tables_are_left_out_and_a_released_report_is_drawn_again(client) -> None:
    from leadwell.reports.models import ReportChart

    built = build_organization()
    data = _export(built["org"])
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    for derived in ("reports.reportchart", "reports.cyclereliability", "reports.reportbatch"):
        assert f"{derived}.jsonl" not in names
    assert "accounts.signinlink.jsonl" not in names
    _remove(built["org"])
    organization_import(io.BytesIO(data))

    spring = Cycle.objects.get(name="Spring")
    assessment = Assessment.objects.get(cycle=spring, leader__name="Lee")
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("reports:detail", args=[assessment.pk]))
    assert response.status_code == 200
    assert b"Lee" in response.content
    assert ReportChart.objects.filter(assessment=assessment).exists()


@pytest.mark.django_db(transaction=True)
def test_an_export_is_one_moment_while_people_keep_working() -> None:
    """Outside any transaction (as the command runs), a person added while the export is under
    way is not in it, on PostgreSQL where writers are not blocked (SQLite makes them wait)."""
    import threading

    from django.db import connection

    from leadwell.orgs.models import Person

    org = build_organization()["org"]
    people = Person.objects.filter(organization=org).count()
    added = []

    def add_a_person() -> None:
        Person.objects.create(organization_id=org.pk, name="Late", email="late@acme.example")
        connection.close()  # this thread's own connection

    def progress(done: int, total: int) -> None:
        if not added and connection.vendor == "postgresql":
            writer = threading.Thread(target=add_a_person)
            writer.start()
            writer.join()
            added.append(True)

    buffer = io.BytesIO()
    organization_export(org, buffer, progress=progress)

    content = _archive_content(buffer.getvalue())
    assert sum(content["orgs.person"].values()) == people
    assert not [row for row in content["orgs.person"] if ("name", "Late") in row]
    if connection.vendor == "postgresql":
        assert Person.objects.filter(organization=org).count() == people + 1
