"""People: list, read, create, change, and sync a whole list keyed by email.

Every write goes through ``orgs.services.people_import``, the service behind the CSV import,
with the request's people as the import's rows: the same checks, the same messages, all or
nothing. In the rows, a field left out keeps its value, ``""`` or null clears it (as an empty
cell of the file does); row numbers count the list's people from 1.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from leadwell.api import selectors
from leadwell.api.auth import actor, organization
from leadwell.api.pagination import Page
from leadwell.api.routers._common import answers, in_org
from leadwell.orgs.importing import MAX_ROWS, ImportRow
from leadwell.orgs.models import Person
from leadwell.orgs.services import people_import

__all__ = ["router"]

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    email: str
    unit: str | None = Field(description="The unit's name; null when none.")
    level: str
    manager_id: int | None
    manager_email: str | None
    active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_unit(obj: Person) -> str | None:
        return obj.unit.name if obj.unit_id and obj.unit else None

    @staticmethod
    def resolve_manager_email(obj: Person) -> str | None:
        return obj.manager.email if obj.manager_id and obj.manager else None

    @staticmethod
    def resolve_active(obj: Person) -> bool:
        return obj.is_active


_PERSON_EXAMPLE = {
    "name": "Gus Ortega",
    "email": "gus.ortega@acme.example",
    "unit": "Operations",
    "level": "staff",
    "manager_email": "lee@acme.example",
}


class PersonIn(Schema):
    """One person as a row of the import: left out = keep, "" or null = clear."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PERSON_EXAMPLE]})

    name: str
    email: str
    unit: str | None = None
    level: str | None = None
    manager_email: str | None = None


class PersonPatch(Schema):
    """The fields to change; the rest keep their values."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"level": "lead"}]})

    name: str | None = None
    unit: str | None = None
    level: str | None = None
    manager_email: str | None = None


class SyncIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"people": [_PERSON_EXAMPLE]}]}
    )

    people: list[PersonIn] = Field(min_length=1, max_length=MAX_ROWS)


class SyncOut(Schema):
    created: int
    updated: int
    unchanged: int
    units_created: int
    level_changes: int


def _optional(data: Schema, field: str, *, lower: bool = False) -> str | None:
    """None (keep) when the field was left out; its text, or "" for null (clear)."""
    if field not in data.model_fields_set:
        return None
    value = (getattr(data, field) or "").strip()
    return value.lower() if lower else value


def _row(position: int, data: PersonIn) -> ImportRow:
    return ImportRow(
        row=position,
        name=data.name.strip(),
        email=data.email.strip().lower(),
        unit=_optional(data, "unit"),
        level=_optional(data, "level"),
        manager_email=_optional(data, "manager_email", lower=True),
    )


def _person(request: HttpRequest, **lookup: Any) -> Person:
    return Person.objects.select_related("unit", "manager").get(
        organization=organization(request), **lookup
    )


@router.get("/people", response=answers({200: list[PersonOut]}, 422), summary="List people")
@paginate(Page)
def people_list(
    request: HttpRequest,
    email: str | None = Query(None, description="The whole address, in any case."),
    unit: str | None = Query(None, description="A unit's name, in any case."),
    level: str | None = Query(None, description="The level, exactly."),
    q: str | None = Query(None, description="Words, each in the name or the email."),
    active: bool | None = Query(None, description="true: active people; false: the others."),
) -> Any:
    """The organization's people by name; each filter narrows the list."""
    return selectors.people_filtered(
        organization(request), email=email, unit=unit, level=level, q=q, active=active
    )


@router.post("/people", response=answers({201: PersonOut}, 400, 409, 422), summary="Add a person")
def person_create(request: HttpRequest, data: PersonIn) -> Status[Person]:
    """Add one person. An email already in the organization is a 409: change that person with
    PATCH, or use /people/sync to create or update by email."""
    row = _row(1, data)
    known = Person.objects.filter(organization=organization(request), email__iexact=row.email)
    found = known.values_list("id", flat=True).first()
    if found is not None:
        raise HttpError(409, f"{row.email} is already in the organization (person {found}).")
    people_import(org=organization(request), rows=[row], actor=actor(request))
    return Status(201, _person(request, email__iexact=row.email))


@router.post(
    "/people/sync",
    response=answers({200: SyncOut}, 400, 409, 413, 422),
    summary="Create and update people by email",
)
def people_sync(request: HttpRequest, data: SyncIn) -> SyncOut:
    """Create and update people by email, exactly as importing a file of them would: every
    row is checked, and one bad row refuses them all (422, the bad rows in details.rows).
    Nobody missing from the list is changed."""
    rows = [_row(position, person) for position, person in enumerate(data.people, 1)]
    result = people_import(org=organization(request), rows=rows, actor=actor(request))
    return SyncOut(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        units_created=result.units_created,
        level_changes=result.level_changes,
    )


@router.get(
    "/people/{person_id}", response=answers({200: PersonOut}, 404, 422), summary="Read a person"
)
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return in_org(Person.objects.select_related("unit", "manager"), request, person_id)


@router.patch(
    "/people/{person_id}",
    response=answers({200: PersonOut}, 400, 404, 422),
    summary="Change a person",
)
def person_update(request: HttpRequest, person_id: int, data: PersonPatch) -> Person:
    """Change a person's name, unit, level or manager, with the import's checks. Like the
    import, this marks the person active."""
    person = in_org(Person, request, person_id)
    row = ImportRow(
        row=1,
        name=data.name.strip() if data.name is not None else person.name,
        email=person.email.lower(),
        unit=_optional(data, "unit"),
        level=_optional(data, "level"),
        manager_email=_optional(data, "manager_email", lower=True),
    )
    people_import(org=organization(request), rows=[row], actor=actor(request))
    return _person(request, pk=person.pk)
