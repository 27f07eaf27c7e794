"""Reads that feed the organization pages and the import, always within one organization."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from leadwell.orgs.importing import (
    COLUMNS,
    ExistingPerson,
    ImportPreview,
    ImportRow,
    preview_import,
)
from leadwell.orgs.models import Organization, Person

__all__ = [
    "PEOPLE_PER_PAGE",
    "people_import_preview",
    "people_list",
    "people_page",
    "people_snapshot",
]

PEOPLE_PER_PAGE = 50


def people_snapshot(*, org: Organization) -> dict[str, ExistingPerson]:
    """Everyone in the organization keyed by lower-case email, in one query."""
    rows = list(
        Person.objects.filter(organization=org).values_list(
            "id", "email", "name", "unit_id", "unit__name", "level", "manager_id", "is_active"
        )
    )
    email_of = {pk: email.lower() for pk, email, *_ in rows}
    return {
        email.lower(): ExistingPerson(
            id=pk,
            email=email,
            name=name,
            unit=unit_name or "",
            unit_id=unit_id,
            level=level,
            manager_email=email_of.get(manager_id, "") if manager_id else "",
            manager_id=manager_id,
            is_active=is_active,
        )
        for pk, email, name, unit_id, unit_name, level, manager_id, is_active in rows
    }


def people_import_preview(
    *, org: Organization, rows: Sequence[ImportRow], columns: Sequence[str] = COLUMNS
) -> ImportPreview:
    """What importing ``rows`` into ``org`` would change, checked against the database now."""
    return preview_import(rows, people_snapshot(org=org), columns=columns, org_name=org.name)


def people_list(*, org: Organization, search: str = "") -> QuerySet[Person]:
    """The organization's people by name, optionally those whose name contains ``search``."""
    people = Person.objects.filter(organization=org).select_related("unit", "manager")
    if search:
        people = people.filter(name__icontains=search)
    return people.order_by("name", "id")


def people_page(*, org: Organization, search: str = "", page: int | str | None = 1) -> Page:
    """One page of :func:`people_list`; a page number out of range gives the nearest page."""
    return Paginator(people_list(org=org, search=search), PEOPLE_PER_PAGE).get_page(page)
