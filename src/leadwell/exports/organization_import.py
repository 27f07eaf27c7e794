"""Read an organization archive back (``leadwell org-import``): all of it or nothing.

Every row gets a new primary key; every reference is carried over through a map from the
archive's keys to the new ones, table by table in dependency order (references of a table to
itself, such as a person's manager, in a second pass). The checks that need no database run
first; the rest happens in one transaction that a single bad row rolls back.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connections, router, transaction

from leadwell.exports.organization import OMITTED, ArchiveError, Table, export_plan, read_manifest
from leadwell.orgs.models import Organization

__all__ = ["ArchiveError", "ImportSummary", "organization_import"]

Progress = Callable[[int, int], None]  # (rows read, rows in all)

_BATCH = 1_000


@dataclass(frozen=True)
class ImportSummary:
    organization: Organization
    tables: dict[str, int]  # label -> rows created (users: created and reused)
    users_reused: tuple[str, ...]  # usernames mapped onto accounts that already existed


def organization_import(
    src: BinaryIO,
    *,
    slug: str | None = None,
    reuse_users: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Create the organization of the archive ``src`` with new primary keys.

    ``slug`` imports it under another slug (the archive's own is refused if taken). A username
    that exists already is refused, unless ``reuse_users``: then the archive's user of that
    name becomes the existing account (whose password, email and flags stay as they are).

    Raises
    ------
    ArchiveError
        The archive is damaged, incomplete or from an incompatible version, a row points to a
        row that is not in it, the slug or a username is taken, or the database refuses a row.
        Nothing has been written.
    """
    try:
        archive = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(f"not a readable ZIP archive, damaged or truncated ({error})") from None
    with archive:
        manifest = read_manifest(archive)
        try:
            with transaction.atomic():
                return _Import(archive, manifest, slug, reuse_users, progress).run()
        except (zipfile.BadZipFile, EOFError, zlib.error, UnicodeDecodeError) as error:
            raise ArchiveError(f"the archive is damaged or truncated ({error})") from None


class _Import:
    def __init__(
        self,
        archive: zipfile.ZipFile,
        manifest: dict[str, Any],
        slug: str | None,
        reuse_users: bool,
        progress: Progress | None,
    ) -> None:
        self.archive, self.reuse_users, self.progress = archive, reuse_users, progress
        self.rows = {t["label"]: t["rows"] for t in manifest["tables"]}
        self.total, self.done = sum(self.rows.values()), 0
        self.slug = _free_slug(slug or manifest["organization"]["slug"], given=slug is not None)
        self.maps: dict[str, dict[Any, Any]] = {}
        self.reused: list[str] = []

    def run(self) -> ImportSummary:
        users, *tables = export_plan()
        for table in (users, *tables):
            try:
                self._users(table) if table is users else self._table(table)
            except (IntegrityError, DataError) as error:
                raise ArchiveError(
                    f"the database refuses the rows of {table.label}: {error}".strip()
                ) from None
        (org_pk,) = self.maps[Organization._meta.label_lower].values()
        return ImportSummary(
            organization=Organization.objects.get(pk=org_pk),
            tables={label: len(keys) for label, keys in self.maps.items()},
            users_reused=tuple(self.reused),
        )

    def _lines(self, table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
        """The archived rows of ``table`` as {column: value}, with their line numbers."""
        count = 0
        with self.archive.open(table.file) as raw:
            for count, line in enumerate(io.TextIOWrapper(raw, "utf-8", newline="\n"), 1):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ArchiveError(
                        f"{table.file} line {count}: not JSON ({error.msg})"
                    ) from None
                if not isinstance(row, list) or len(row) != len(table.columns):
                    raise ArchiveError(
                        f"{table.file} line {count}: not a list of {len(table.columns)} values"
                    )
                yield count, dict(zip(table.columns, row, strict=True))
                self.done += 1
                if self.progress and self.done % _BATCH == 0:
                    self.progress(self.done, self.total)
        if count != self.rows[table.label]:
            raise ArchiveError(
                f"{table.file} holds {count} rows where the manifest says "
                f"{self.rows[table.label]}: the archive is incomplete"
            )
        if self.progress:
            self.progress(self.done, self.total)

    def _users(self, table: Table) -> None:
        """Users are matched by username: a new account, or (``reuse_users``) the existing one."""
        # One organization's accounts: few enough to hold, and all needed to name the clashes.
        model, rows = table.model, list(self._lines(table))
        names = [row["username"] for _, row in rows]
        existing: dict[str, Any] = {}
        for start in range(0, len(names), _BATCH):
            found = model._default_manager.filter(username__in=names[start : start + _BATCH])
            existing.update(found.values_list("username", "pk"))
        if existing and not self.reuse_users:
            shown = ", ".join(sorted(existing)[:10]) + (" …" if len(existing) > 10 else "")
            raise ArchiveError(
                f"{len(existing)} of the archive's usernames exist in this installation "
                f"already: {shown}. Import with --reuse-users to give their rows to those "
                "accounts, or remove the accounts first"
            )
        _check_linked_once(table.label, existing)
        mapping = self.maps[table.label] = {}
        created = []
        for line, row in rows:
            old = row.pop(model._meta.pk.name)
            if row["username"] in existing:
                mapping[old] = existing[row["username"]]
                self.reused.append(row["username"])
            else:
                created.append((old, model(**self._values(table, line, row))))
        self._create(table, created, mapping)

    def _table(self, table: Table) -> None:
        pk = table.model._meta.pk.name
        mapping = self.maps[table.label] = {}
        omitted = OMITTED.get(table.label, {})
        batch: list[tuple[Any, Any]] = []
        later: list[tuple[int, Any, str, Any]] = []  # (line, old pk, column, old target)
        for line, row in self._lines(table):
            old = row.pop(pk)
            for column in table.deferred:
                if (target := row.pop(column)) is not None:
                    later.append((line, old, column, target))
            values = self._values(table, line, row)
            values.update({name: make() for name, make in omitted.items()})
            if table.model is Organization:
                values["slug"] = self.slug
            batch.append((old, table.model(**values)))
            if len(batch) == _BATCH:
                self._create(table, batch, mapping)
                batch = []
        self._create(table, batch, mapping)
        if table.model is Organization and len(mapping) != 1:
            raise ArchiveError(f"{table.file} must hold one organization, not {len(mapping)}")
        self._second_pass(table, later)

    def _values(self, table: Table, line: int, row: dict[str, Any]) -> dict[str, Any]:
        values = {}
        for column, value in row.items():
            model_field = table.model._meta.get_field(column)
            if column in table.references:
                values[model_field.attname] = self._new_key(table, line, column, value)
                continue
            try:
                values[model_field.attname] = _decode(model_field, value)
            except (ValidationError, ValueError, TypeError) as error:
                reason = "; ".join(error.messages) if isinstance(error, ValidationError) else error
                raise ArchiveError(f"{table.file} line {line}, {column}: {reason}") from None
        return values

    def _new_key(self, table: Table, line: int, column: str, old: Any) -> Any:
        if old is None:
            return None
        target = table.references[column]
        new = self.maps[target].get(old) if isinstance(old, int | str) else None
        if new is None:
            raise ArchiveError(
                f"{table.file} line {line}: {column} {old!r} points to a row of {target} "
                "that is not in the archive"
            )
        return new

    def _create(self, table: Table, batch: list[tuple[Any, Any]], mapping: dict[Any, Any]) -> None:
        if not batch:
            return
        model = table.model
        # bulk_create stamps auto_now/auto_now_add fields with the current time; the archived
        # times are written back over them.
        stamped = [
            f
            for f in table.fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        times = [[getattr(obj, f.attname) for f in stamped] for _, obj in batch]
        objects = model._default_manager.bulk_create([obj for _, obj in batch])
        for (old, _), obj in zip(batch, objects, strict=True):
            if old is None or old in mapping:
                raise ArchiveError(f"{table.file}: the key {old!r} is missing or appears twice")
            if obj.pk is None:  # a database that does not return keys from bulk inserts
                raise RuntimeError(f"{model._meta.label} rows got no primary key back")
            mapping[old] = obj.pk
        if stamped:
            _update(model, stamped, [(o.pk, t) for o, t in zip(objects, times, strict=True)])

    def _second_pass(self, table: Table, later: list[tuple[int, Any, str, Any]]) -> None:
        """References of a table to itself, now that every row of it has its new key."""
        mapping = self.maps[table.label]
        for column in table.deferred:
            _update(
                table.model,
                [table.model._meta.get_field(column)],
                [
                    (mapping[old], [self._new_key(table, line, column, target)])
                    for line, old, name, target in later
                    if name == column
                ],
            )


def _update(model: Any, fields: list[Any], rows: list[tuple[Any, list[Any]]]) -> None:
    """Set ``fields`` of the rows with the given primary keys: one prepared UPDATE run for
    every row (bulk_update's CASE expressions grow slow past a few hundred rows)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    name, pk = connection.ops.quote_name, model._meta.pk
    assignments = ", ".join(f"{name(f.column)} = %s" for f in fields)
    sql = f"UPDATE {name(model._meta.db_table)} SET {assignments} WHERE {name(pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
                + [pk.get_db_prep_save(key, connection)]
                for key, values in rows
            ],
        )


def _check_linked_once(label: str, existing: dict[str, Any]) -> None:
    """An account that a one-to-one reference (a person's account) already points to cannot
    get the archive's row too: say so before the database refuses it."""
    names = {pk: name for name, pk in existing.items()}
    for table in export_plan():
        for column, target in table.references.items():
            if target != label or not table.model._meta.get_field(column).unique:
                continue
            linked = table.model._default_manager.filter(**{f"{column}__in": list(names)})
            if taken := sorted(names[pk] for pk in linked.values_list(column, flat=True)):
                raise ArchiveError(
                    f"--reuse-users: the accounts {', '.join(taken[:10])} are linked to a "
                    f"{table.model._meta.verbose_name} in this installation already and can be "
                    "only once; import where these accounts have no such link"
                )


def _free_slug(slug: str, *, given: bool) -> str:
    try:
        slug = Organization._meta.get_field("slug").clean(slug, None)
    except ValidationError as error:
        raise ArchiveError(
            f"the slug {slug!r} cannot be used: {' '.join(error.messages)}"
        ) from None
    if Organization.objects.filter(slug=slug).exists():
        hint = "choose another" if given else "import under a new one with --slug NEW"
        raise ArchiveError(f"an organization with the slug {slug!r} exists already: {hint}")
    return slug


def _decode(model_field: Any, value: Any) -> Any:
    """The Python value of an archived one (the inverse of the export's encoding).

    Raises ``django.core.exceptions.ValidationError`` or ``ValueError`` on a malformed value.
    """
    if value is None or model_field.get_internal_type() == "JSONField":
        return value
    if model_field.get_internal_type() == "BinaryField":
        if not isinstance(value, str):
            raise ValueError("binary values are base64 text")
        return base64.b64decode(value, validate=True)
    return model_field.to_python(value)
