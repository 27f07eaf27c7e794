"""What an organization archive holds and leaves out, and how a bad one is refused.

A broken archive (damaged ZIP, bad manifest, a short or malformed table, a reference to a row
that is not there, a row the database refuses) must fail with a message naming the file,
line and column, and leave the database as it was: the cases fail late, after many tables
were already written, so the rollback is what keeps them out.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from test_organization_builder import PASSWORD, USERS, build_organization

from leadwell import __version__
from leadwell.cycles.models import Assessment, Response
from leadwell.exports.organization import DERIVED, OMITTED, ArchiveError, export_plan
from leadwell.exports.organization_export import organization_export
from leadwell.exports.organization_import import organization_import
from leadwell.orgs.models import Organization, Role

Files = dict[str, bytes]


def _export(org: Organization) -> bytes:
    buffer = io.BytesIO()
    organization_export(org, buffer)
    return buffer.getvalue()


def _files(data: bytes) -> Files:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def _zip(files: Files, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _lines(files: Files, label: str) -> list[list[Any]]:
    return [json.loads(line) for line in files[f"{label}.jsonl"].decode().splitlines()]


def _counts() -> dict[str, int]:
    return {t.label: t.model._default_manager.count() for t in export_plan()}


def test_every_leadwell_model_is_exported_or_listed_as_derived() -> None:
    leadwell = {
        m._meta.label_lower
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("leadwell.")
    }
    exported = {t.label for t in export_plan()}
    forgotten = leadwell - exported - set(DERIVED)
    assert not forgotten, f"classify these models: export them or list them in DERIVED: {forgotten}"
    assert not exported & set(DERIVED)


def test_every_table_listed_as_derived_exists() -> None:
    installed = {m._meta.label_lower for m in apps.get_models(include_auto_created=True)}
    assert set(DERIVED) <= installed, set(DERIVED) - installed


def test_every_table_and_left_out_column_is_named_in_the_documentation() -> None:
    text = (Path(__file__).parents[2] / "docs" / "organization-export.md").read_text("utf-8")
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", text))
    assert {t.label for t in export_plan()} | set(DERIVED) <= named
    for label, columns in OMITTED.items():
        assert all(f"`{column}`" in text for column in columns)
        assert f"`{label}`" in text


@pytest.mark.django_db
def test_an_export_holds_the_organization_and_nothing_of_another() -> None:
    acme = build_organization()["org"]
    build_organization("globex", "Globex")  # the same rows again, in another organization
    files = _files(_export(acme))

    manifest = json.loads(files["manifest.json"])
    assert (manifest["format"], manifest["leadwell_version"]) == ("leadwell-org/1", __version__)
    assert manifest["organization"] == {"name": "Acme", "slug": "acme"}
    assert "globex" not in b"".join(files.values()).decode().lower()
    for table in manifest["tables"]:
        rows = _lines(files, table["label"])
        assert len(rows) == table["rows"]
        if table["label"] == "auth.user":
            assert sorted(row[1] for row in rows) == sorted(USERS)
        else:  # each organization has exactly half of the rows
            model = apps.get_model(table["label"])
            assert 2 * table["rows"] == model._default_manager.count(), table["label"]


@pytest.mark.django_db
def test_users_carry_their_password_hash_but_no_installation_wide_flags() -> None:
    built = build_organization()
    files = _files(_export(built["org"]))
    manifest = json.loads(files["manifest.json"])
    (users,) = [t for t in manifest["tables"] if t["label"] == "auth.user"]

    assert "is_superuser" not in users["columns"]
    assert "is_staff" not in users["columns"]
    by_name = {
        row[1]: dict(zip(users["columns"], row, strict=True)) for row in _lines(files, "auth.user")
    }
    admin = built["users"]["admin"]
    assert by_name["admin"]["password"] == admin.password
    assert by_name["admin"]["date_joined"] == "2025-03-01T09:11:12.345678+00:00"
    assert by_name["nominator"]["is_active"] is False
    assert "stranger" not in by_name


@pytest.mark.django_db
def test_response_ids_are_kept_in_random_order_and_made_anew_on_import() -> None:
    built = build_organization()
    files = _files(_export(built["org"]))
    archived = [row[0] for row in _lines(files, "cycles.response")]
    stored = {str(pk) for pk in Response.objects.values_list("pk", flat=True)}

    assert set(archived) == stored
    assert archived == sorted(archived)
    Assessment.objects.all().delete()
    built["org"].delete()
    get_user_model().objects.all().delete()
    organization_import(io.BytesIO(_zip(files)))
    assert not {str(pk) for pk in Response.objects.values_list("pk", flat=True)} & stored


def _edit(label: str, line: int, column: str, value: Any) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        manifest = json.loads(files["manifest.json"])
        (table,) = [t for t in manifest["tables"] if t["label"] == label]
        rows = files[f"{label}.jsonl"].decode().splitlines()
        row = json.loads(rows[line - 1])
        row[table["columns"].index(column)] = value
        rows[line - 1] = json.dumps(row)
        files[f"{label}.jsonl"] = ("\n".join(rows) + "\n").encode()

    return change


def _manifest(**changes: Any) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files["manifest.json"] = json.dumps(json.loads(files["manifest.json"]) | changes).encode()

    return change


def _columns(files: Files) -> None:
    manifest = json.loads(files["manifest.json"])
    manifest["tables"][3]["columns"][-1] = "renamed"
    files["manifest.json"] = json.dumps(manifest).encode()


def _line(label: str, text: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        rows = files[f"{label}.jsonl"].decode().splitlines()
        files[f"{label}.jsonl"] = ("\n".join([*rows[:-1], text]) + "\n").encode()

    return change


def _shorter(files: Files) -> None:
    rows = files["cycles.response.jsonl"].decode().splitlines()
    files["cycles.response.jsonl"] = ("\n".join(rows[:-1]) + "\n").encode()


def _same_key(files: Files) -> None:
    first, second, *rest = files["development.kpi.jsonl"].decode().splitlines()
    second = json.dumps([json.loads(first)[0], *json.loads(second)[1:]])
    files["development.kpi.jsonl"] = ("\n".join([first, second, *rest]) + "\n").encode()


BROKEN: dict[str, tuple[Callable[[Files], None], str]] = {
    "no manifest": (lambda f: f.pop("manifest.json"), r"no manifest\.json: not a leadwell"),
    "manifest not JSON": (
        lambda f: f.update({"manifest.json": b"{"}),
        r"manifest\.json cannot be read",
    ),
    "other format": (
        _manifest(format="other/2"),
        r"the format is 'other/2'; this leadwell reads 'leadwell-org/1'",
    ),
    "newer leadwell": (_manifest(leadwell_version="99.0"), r"made by leadwell 99\.0, newer than"),
    "no tables": (_manifest(tables="all"), r"manifest\.json lacks the organization"),
    "a table file missing": (
        lambda f: f.pop("development.touch.jsonl"),
        r"development\.touch\.jsonl is missing",
    ),
    "other columns": (_columns, r"the columns of \S+ differ from this installation's"),
    "a row short": (
        _shorter,
        r"cycles\.response\.jsonl holds 7 rows where the manifest says 8: the archive is "
        "incomplete",
    ),
    "reference to a missing row": (
        _edit("cycles.nomination", 2, "assessment", 99999),
        r"cycles\.nomination\.jsonl line 2: assessment 99999 points to a row of "
        r"cycles\.assessment that is not in the archive",
    ),
    "missing manager": (
        _edit("orgs.person", 3, "manager", 99999),
        r"orgs\.person\.jsonl line 3: manager 99999 points to a row of orgs\.person",
    ),
    "missing user": (
        _edit("development.comment", 1, "author", 99999),
        r"author 99999 points to a row of auth\.user",
    ),
    "bad date": (
        _edit("development.touch", 1, "day", "yesterday"),
        r"development\.touch\.jsonl line 1, day: .*date",
    ),
    "bad base64": (
        _edit("cycles.response", 4, "answers", "not base64!"),
        r"cycles\.response\.jsonl line 4, answers",
    ),
    "not JSON": (
        _line("development.delegation", '["half'),
        r"development\.delegation\.jsonl line 1: not JSON",
    ),
    "not a row": (
        _line("development.trustentry", "{}"),
        r"development\.trustentry\.jsonl line 1: not a list of 8 values",
    ),
    "a key twice": (_same_key, r"development\.kpi\.jsonl: the key \d+ is missing or appears twice"),
    "a duplicate the database refuses": (
        _edit("orgs.unit", 2, "name", "Company"),
        r"the database refuses the rows of orgs\.unit: .*(unit_name_per_org|orgs_unit)",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", [*BROKEN, "truncated ZIP", "damaged table"])
def test_a_broken_archive_is_refused_with_a_clear_message_and_writes_nothing(case: str) -> None:
    built = build_organization()
    files = _files(_export(built["org"]))
    Assessment.objects.all().delete()
    built["org"].delete()
    get_user_model().objects.all().delete()
    if case == "truncated ZIP":
        data = _zip(files)
        data, says = data[: len(data) // 2], r"not a readable ZIP archive, damaged or truncated"
    elif case == "damaged table":  # stored, one byte changed: the CRC no longer matches
        data = _zip(files, zipfile.ZIP_STORED).replace(b'"Operations"', b'"Operatiomz"')
        says = r"the archive is damaged or truncated \(Bad CRC-32 for file 'orgs\.unit\.jsonl'\)"
    else:
        change, says = BROKEN[case]
        change(files)
        data = _zip(files)

    with pytest.raises(ArchiveError, match=says):
        organization_import(io.BytesIO(data))
    assert set(_counts().values()) == {0}


@pytest.mark.django_db
def test_taken_usernames_are_named_and_refused_unless_reused() -> None:
    built = build_organization()
    data = _export(built["org"])
    Assessment.objects.all().delete()
    built["org"].delete()  # the accounts stay

    with pytest.raises(
        ArchiveError,
        match=r"5 of .* exist .* already: admin, coach, lee, maria, nominator\. .*--reuse-users",
    ):
        organization_import(io.BytesIO(data))
    assert not Organization.objects.exists()

    lee = get_user_model().objects.get(username="lee")
    lee.set_password("changed-since-the-export")
    lee.save()
    users = get_user_model().objects.count()
    summary = organization_import(io.BytesIO(data), reuse_users=True)

    assert sorted(summary.users_reused) == sorted(USERS)
    assert get_user_model().objects.count() == users
    lee.refresh_from_db()
    assert lee.check_password("changed-since-the-export")
    assert not lee.check_password(PASSWORD)
    assert Role.objects.get(user=lee).organization == summary.organization
    assert summary.organization.people.get(name="Lee").user == lee


@pytest.mark.django_db
def test_reusing_an_account_that_is_a_person_elsewhere_is_refused_and_writes_nothing() -> None:
    data = _export(build_organization()["org"])
    counts = _counts()
    with pytest.raises(
        ArchiveError,
        match=r"the accounts lee, maria are linked to a person in this installation already",
    ):
        organization_import(io.BytesIO(data), slug="acme-2", reuse_users=True)
    assert _counts() == counts


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Not a slug!", "x" * 51])
def test_a_bad_slug_is_refused(slug: str) -> None:
    data = _export(build_organization()["org"])
    with pytest.raises(ArchiveError, match="cannot be used"):
        organization_import(io.BytesIO(data), slug=slug)
