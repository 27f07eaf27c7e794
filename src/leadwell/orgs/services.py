"""Writes to the organization: importing people.

Every function here is keyword-only, runs in one transaction and checks before it writes;
a problem raises :class:`PeopleImportError` with a message an admin can act on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from leadwell.orgs import selectors
from leadwell.orgs.importing import ExistingPerson, ImportPreview, ImportRow, preview_import
from leadwell.orgs.models import LevelChange, Organization, Person, Role, Unit

__all__ = ["ImportResult", "PeopleImportError", "people_import"]

logger = logging.getLogger(__name__)
_BATCH = 1000
_FIELDS = ("name", "email", "unit_id", "level", "manager_id", "is_active")
_SHARED = 200  # a value shared by this many people gets its own UPDATE ... WHERE id IN (...)
_IDS_PER_QUERY = 900  # SQLite allows 999 parameters per statement
_CASES_PER_QUERY = 300  # three parameters per person


class PeopleImportError(ValueError):
    """The import was refused and nothing was written; ``preview`` has the bad rows if any."""

    def __init__(self, message: str, preview: ImportPreview | None = None) -> None:
        super().__init__(message)
        self.preview = preview


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    units_created: int
    level_changes: int


def people_import(
    *, org: Organization, rows: Sequence[ImportRow], actor: Any | None
) -> ImportResult:
    """Write the people of a checked file: all of them, or nothing.

    People are keyed on email (lower case): a known email updates that person, a new one creates
    them; nobody is duplicated and nobody missing from the file is touched. Units are created by
    name (matched without regard to case). A changed level is recorded as a LevelChange.
    The rows are checked again against the database as it is now; any bad row refuses the
    whole import. ``actor`` is the user importing (an org admin or a superuser), or None for
    the command line.
    """
    _check_actor(org, actor)
    if not rows:
        raise PeopleImportError("There is nobody in the file to import.")
    try:
        with transaction.atomic():
            # One import at a time per organization (PostgreSQL locks the row; SQLite's single
            # writer does the same). Then check against what the database holds now.
            list(Organization.objects.select_for_update().filter(pk=org.pk).values("pk"))
            existing = selectors.people_snapshot(org=org)
            preview = preview_import(rows, existing, org_name=org.name)
            if preview.bad:
                raise PeopleImportError(
                    f"{len(preview.bad)} row(s) cannot be imported; nothing was imported. "
                    "Correct them and upload the file again.",
                    preview,
                )
            result = _write(org, preview, existing)
    except (IntegrityError, DataError) as error:
        logger.warning("people import into %s rolled back: %s", org.slug, error)
        raise PeopleImportError(
            "The people changed while this import was being written (someone else may be "
            "importing or editing them), so nothing was imported. Try again."
        ) from error
    logger.info("people import into %s by %s: %s", org.slug, actor, result)
    return result


def _check_actor(org: Organization, actor: Any | None) -> None:
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not Role.objects.filter(organization=org, user=actor, role=Role.ADMIN).exists():
        raise PeopleImportError(f"Only an admin of {org.name} can import people.")


def _write(
    org: Organization, preview: ImportPreview, existing: dict[str, ExistingPerson]
) -> ImportResult:
    unit_ids, units_created = _units(org, [*preview.new, *(u.row for u in preview.updated)])

    def unit_id(name: str | None) -> int | None:
        return unit_ids[name.casefold()] if name else None

    created = [
        Person(
            organization=org,
            name=row.name,
            email=row.email,
            unit_id=unit_id(row.unit),
            level=row.level or "",
        )
        for row in preview.new
    ]
    Person.objects.bulk_create(created, batch_size=_BATCH)
    ids = {email: person.id for email, person in existing.items()}
    ids.update(_new_ids(org, created))

    # Managers of new people are set once everyone exists; then each changed field of the
    # updated people, field by field (see _set_values).
    values: dict[str, dict[int, Any]] = {f: {} for f in _FIELDS}
    for row in preview.new:
        if row.manager_email:
            values["manager_id"][ids[row.email]] = ids[row.manager_email]
    level_changes = []
    for change in preview.updated:
        row, old = change.row, existing[change.row.email]
        unit = old.unit_id if row.unit is None else unit_id(row.unit)
        for name, value in _changed_fields(row, old, unit, _manager_id(row, old, ids)).items():
            values[name][old.id] = value
        if row.level is not None and row.level != old.level:
            level_changes.append(
                LevelChange(
                    organization=org,
                    person_id=old.id,
                    level_before=old.level,
                    level_after=row.level,
                )
            )
    for name, by_id in values.items():
        _set_values(name, by_id)
    _set_values(
        "updated_at",
        dict.fromkeys((existing[u.row.email].id for u in preview.updated), timezone.now()),
    )
    LevelChange.objects.bulk_create(level_changes, batch_size=_BATCH)
    return ImportResult(
        created=len(created),
        updated=len(preview.updated),
        unchanged=len(preview.unchanged),
        units_created=units_created,
        level_changes=len(level_changes),
    )


def _set_values(column: str, values: dict[int, Any]) -> None:
    """``UPDATE person SET column = value`` for many people, in few queries.

    People who get the same value are updated together (``WHERE id IN``: a level, a manager,
    a unit is usually shared); the rest by one ``CASE id WHEN … THEN …`` statement per few
    hundred people. Django's ``bulk_update`` does the latter too, but builds an expression per
    person and takes seconds for thousands of them.
    """
    by_value: dict[Any, list[int]] = defaultdict(list)
    for pk, value in values.items():
        by_value[value].append(pk)
    singles: list[tuple[int, Any]] = []
    for value, pks in by_value.items():
        if len(pks) < _SHARED:
            singles.extend((pk, value) for pk in pks)
            continue
        for start in range(0, len(pks), _IDS_PER_QUERY):
            Person.objects.filter(pk__in=pks[start : start + _IDS_PER_QUERY]).update(
                **{column: value}
            )
    if not singles:
        return
    field = Person._meta.get_field(column)
    quote = connection.ops.quote_name
    placeholder = "%s"
    if connection.vendor == "postgresql":  # a NULL alone needs a type there
        placeholder = f"CAST(%s AS {field.db_type(connection)})"
    table, target, key = quote(Person._meta.db_table), quote(field.column), quote("id")
    with connection.cursor() as cursor:
        for start in range(0, len(singles), _CASES_PER_QUERY):
            chunk = singles[start : start + _CASES_PER_QUERY]
            whens = " ".join([f"WHEN %s THEN {placeholder}"] * len(chunk))
            keys = ", ".join(["%s"] * len(chunk))
            params = [
                p for pk, value in chunk for p in (pk, field.get_db_prep_save(value, connection))
            ]
            cursor.execute(
                f"UPDATE {table} SET {target} = CASE {key} {whens} END WHERE {key} IN ({keys})",
                [*params, *(pk for pk, _ in chunk)],
            )


def _changed_fields(
    row: ImportRow, old: ExistingPerson, unit_id: int | None, manager_id: int | None
) -> dict[str, Any]:
    """The columns whose stored value differs from the row's (a column absent from the file
    keeps its value; a stored upper-case address becomes lower case)."""
    target = {
        "name": row.name,
        "email": row.email,
        "unit_id": unit_id,
        "level": old.level if row.level is None else row.level,
        "manager_id": manager_id,
        "is_active": True,
    }
    before = {
        "name": old.name,
        "email": old.email,
        "unit_id": old.unit_id,
        "level": old.level,
        "manager_id": old.manager_id,
        "is_active": old.is_active,
    }
    return {name: value for name, value in target.items() if before[name] != value}


def _manager_id(row: ImportRow, old: ExistingPerson, ids: dict[str, int]) -> int | None:
    if row.manager_email is None:
        return old.manager_id
    return ids[row.manager_email] if row.manager_email else None


def _units(org: Organization, rows: Iterable[ImportRow]) -> tuple[dict[str, int], int]:
    """Unit ids keyed by case-folded name, creating the units the rows name that are missing."""
    wanted: dict[str, str] = {}
    for row in rows:
        if row.unit:
            wanted.setdefault(row.unit.casefold(), row.unit)

    def known() -> dict[str, int]:
        units = Unit.objects.filter(organization=org).order_by("-id").values_list("name", "id")
        return {name.casefold(): pk for name, pk in units}

    ids = known()
    missing = [Unit(organization=org, name=name) for key, name in wanted.items() if key not in ids]
    if missing:
        Unit.objects.bulk_create(missing, batch_size=_BATCH)
        ids = known()
    return ids, len(missing)


def _new_ids(org: Organization, created: list[Person]) -> dict[str, int]:
    """Email → id of people just created (the database returns ids on PostgreSQL and SQLite
    3.35+; otherwise read them back)."""
    if all(person.pk for person in created):
        return {person.email: person.pk for person in created}
    emails = {person.email for person in created}
    people = Person.objects.filter(organization=org).values_list("email", "id")
    return {email: pk for email, pk in people if email in emails}
