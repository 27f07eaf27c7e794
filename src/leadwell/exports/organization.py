"""The organization archive: which tables it holds, in which order, and how values are written.

An archive (format ``leadwell-org/1``) is a ZIP with ``manifest.json`` and one JSON-lines file
per table. The tables are found from Django's app registry, not listed by hand: every model of
a leadwell app that reaches :class:`~leadwell.orgs.models.Organization` through its foreign
keys, except the :data:`DERIVED` ones, plus the auth users the organization refers to. A new
model is therefore exported without anyone remembering to add it, and one the plan cannot
place (no path to an organization, a field type the format does not know) stops the plan with
a message, so that it is classified rather than silently left out.

:mod:`leadwell.exports.organization_export` writes archives and
:mod:`leadwell.exports.organization_import` reads them back.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from leadwell import __version__

__all__ = [
    "DERIVED",
    "FORMAT",
    "MANIFEST",
    "OMITTED",
    "USER_COLUMNS",
    "ArchiveError",
    "Table",
    "export_plan",
    "read_manifest",
]

FORMAT = "leadwell-org/1"
MANIFEST = "manifest.json"

# Tables that are not exported, each with the reason. Leadwell's own are recomputed or are
# short-lived; the others belong to the installation, not to one organization.
DERIVED: dict[str, str] = {
    "reports.reportchart": "chart drawings, drawn again the first time a report is opened",
    "reports.cyclereliability": "computed again from the cycle's answers when a report needs it",
    "reports.reportbatch": "PDF batch jobs and their ZIP files: start a new batch",
    "exports.export": "results exports (CSV, XLSX, JSON) and their files: ask for them again",
    "insights.cycleinsights": "computed again from the cycle's answers on the insights page",
    "privacy.privacylog": "the log of erasures and purges done by this installation, kept here",
    "api.apikey": "credentials: an admin makes new keys (a copied key would open two orgs)",
    "accounts.signinlink": "one-time sign-in links, valid for minutes: ask for a new one",
    "sessions.session": "sign-in sessions of this installation: everyone signs in again",
    "axes.accessattempt": "the installation's failed sign-in log (django-axes)",
    "axes.accesslog": "the installation's sign-in log (django-axes)",
    "axes.accessfailurelog": "the installation's failed sign-in log (django-axes)",
    "axes.accessattemptexpiration": "the installation's sign-in lockouts (django-axes)",
    "django_tasks_database.dbtaskresult": "background tasks (emails, batches) of this installation",
    "admin.logentry": "the Django admin's change log of this installation",
    "auth.group": "not used by leadwell: roles are per organization (orgs.role)",
    "auth.group_permissions": "not used by leadwell",
    "auth.user_groups": "not used by leadwell",
    "auth.user_user_permissions": "installation-wide powers do not travel with an organization",
    "auth.permission": "Django's permission rows, made by migrations",
    "contenttypes.contenttype": "Django's model registry, made by migrations",
}

# Columns left out of the archive: link secrets. A rater's link is looked up by the token's
# hash, and the token is HMAC(SECRET_KEY, invitation id, salt); with a new id (and often a new
# key) a reminder could not re-derive it anyway, so imported invitations get a fresh hash no
# link opens, and "Send reminders" mails working links. A vision's share link goes the same
# way: the leader shares it again. The value an imported row gets is made by the function.
OMITTED: dict[str, dict[str, Callable[[], Any]]] = {
    "cycles.invitation": {
        "token_hash": lambda: hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
        "token_salt": str,
    },
    "development.vision": {"share_hash": str, "shared_at": lambda: None},
}

# What is kept of a user: never is_staff or is_superuser, whoever the user is. Powers over the
# whole installation are the installation's business; in an organization a user can do what
# the archive's orgs.role rows say.
USER_COLUMNS = (
    "id", "username", "email", "first_name", "last_name", "password", "is_active",
    "date_joined", "last_login",
)  # fmt: skip

_PLAIN = {
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "SlugField", "EmailField",
    "TextField", "URLField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    "BooleanField", "FloatField", "DecimalField", "DateField", "DateTimeField", "TimeField",
    "UUIDField", "BinaryField", "JSONField", "GenericIPAddressField", "ForeignKey",
    "OneToOneField",
}  # fmt: skip


class ArchiveError(ValueError):
    """An archive that cannot be imported, or an import the database refuses; the message
    says which file, line and column."""


@dataclass(frozen=True)
class Table:
    """One table of the archive.

    ``references`` maps a column to the label of the table its value points into;
    ``deferred`` are the columns pointing into the table itself (set in a second pass);
    ``org_path`` is the lookup from the model to its organization (empty for users).
    """

    label: str
    model: type[models.Model]
    columns: tuple[str, ...]
    references: dict[str, str] = field(default_factory=dict)
    deferred: tuple[str, ...] = ()
    org_path: str = ""

    @property
    def file(self) -> str:
        return f"{self.label}.jsonl"

    @property
    def fields(self) -> tuple[Any, ...]:
        return tuple(self.model._meta.get_field(c) for c in self.columns)


def _user_table() -> Table:
    user = get_user_model()
    return Table(label=user._meta.label_lower, model=user, columns=USER_COLUMNS)


@cache
def export_plan() -> tuple[Table, ...]:
    """Every table of an organization archive, users first, each after those it points into.

    Raises
    ------
    RuntimeError
        A model the format cannot carry: a field type it does not know, a reference into a
        table that is not exported, a primary key it cannot make anew, or a loop of
        references. Classify the model (export it or add it to :data:`DERIVED`).
    """
    from leadwell.orgs.models import Organization

    paths = _paths_to(Organization)
    users = _user_table()
    tables = [users] + [_table(m, path, set(paths), users.model) for m, path in paths.items()]
    return tuple(_ordered(tables))


def _leadwell_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("leadwell.")
        and m._meta.label_lower not in DERIVED
        and not m._meta.proxy
    ]


def _paths_to(root: type[models.Model]) -> dict[type[models.Model], str]:
    """The lookup from each model to ``root``: through required references where they lead
    there (a nullable one would lose the rows where it is empty), then the fewest hops.

    Breadth first, so a model with a direct ``organization`` column is filtered on it, not
    through a longer chain.
    """
    paths: dict[type[models.Model], str] = {root: "pk"}
    pending = [m for m in _leadwell_models() if m is not root]
    for nullable in (False, True):
        while found := _next_round(pending, paths, root, nullable=nullable):
            paths.update(found)
            pending = [m for m in pending if m not in found]
    return paths


def _next_round(
    pending: list[type[models.Model]],
    reached: dict[type[models.Model], str],
    root: type[models.Model],
    *,
    nullable: bool,
) -> dict[type[models.Model], str]:
    found: dict[type[models.Model], str] = {}
    for model in pending:
        ways = sorted(
            f.name if f.related_model is root else f"{f.name}__{reached[f.related_model]}"
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model in reached
            and f.related_model is not model
            and (nullable or not f.null)
        )
        if ways:
            found[model] = min(ways, key=lambda way: way.count("__"))
    return found


def _table(
    model: type[models.Model], path: str, exported: set[type[models.Model]], user: Any
) -> Table:
    label = model._meta.label_lower
    omitted = OMITTED.get(label, {})
    columns, references, deferred = [], {}, []
    pk = model._meta.pk
    if pk is None or pk.is_relation or not (isinstance(pk, models.AutoField) or pk.has_default()):
        raise RuntimeError(f"{label}: its primary key cannot be made anew on import")
    for f in model._meta.concrete_fields:
        if f.name in omitted:
            continue
        if f.get_internal_type() not in _PLAIN:
            raise RuntimeError(f"{label}.{f.name}: the archive format has no {type(f).__name__}")
        if f.is_relation:
            target = f.related_model
            if target is not user and target not in exported:
                raise RuntimeError(
                    f"{label}.{f.name} points to {target._meta.label_lower}, which is not exported"
                )
            if not f.target_field.primary_key:
                raise RuntimeError(f"{label}.{f.name}: references must be to primary keys")
            references[f.name] = target._meta.label_lower
            if target is model:
                if not f.null:
                    raise RuntimeError(f"{label}.{f.name}: a reference to itself must be nullable")
                deferred.append(f.name)
        columns.append(f.name)
    return Table(label, model, tuple(columns), references, tuple(deferred), path)


def _ordered(tables: list[Table]) -> list[Table]:
    """Tables in dependency order (Kahn's algorithm, ties by label so the order is stable)."""
    waiting = {t.label: {r for c, r in t.references.items() if c not in t.deferred} for t in tables}
    by_label = {t.label: t for t in tables}
    ordered: list[Table] = []
    while waiting:
        ready = sorted(label for label, needs in waiting.items() if not needs)
        if not ready:
            raise RuntimeError(f"the tables {', '.join(sorted(waiting))} refer to each other")
        for label in ready:
            ordered.append(by_label[label])
            del waiting[label]
        for needs in waiting.values():
            needs.difference_update(ready)
    return ordered


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, checked against this installation: format, version, tables, columns."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveError(f"no {MANIFEST}: not a leadwell organization archive") from None
    except (ValueError, zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise ArchiveError(f"{MANIFEST} cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise ArchiveError(f"{MANIFEST}: the format is {found!r}; this leadwell reads {FORMAT!r}")
    made_by = manifest.get("leadwell_version")
    if _version(made_by) > _version(__version__):
        raise ArchiveError(
            f"the archive was made by leadwell {made_by}, newer than this installation's "
            f"{__version__}: upgrade leadwell here first"
        )
    tables, org = manifest.get("tables"), manifest.get("organization")
    if not (
        isinstance(org, dict)
        and isinstance(org.get("slug"), str)
        and isinstance(tables, list)
        and all(_listed(t) for t in tables)
    ):
        raise ArchiveError(f"{MANIFEST} lacks the organization or a table's label and rows")
    listed = {t["label"]: t for t in tables}
    _check_tables(archive, listed, made_by)
    return manifest


def _check_tables(archive: zipfile.ZipFile, listed: dict[str, Any], made_by: Any) -> None:
    files = set(archive.namelist())
    again = f"(the archive is from leadwell {made_by}: export it again with this version)"
    plan = {t.label: t for t in export_plan()}
    if missing := sorted(set(plan) - set(listed)):
        raise ArchiveError(f"the archive has no table {', '.join(missing)} {again}")
    if unknown := sorted(set(listed) - set(plan)):
        raise ArchiveError(f"this installation has no table {', '.join(unknown)} {again}")
    for label, table in plan.items():
        if list(listed[label].get("columns", ())) != list(table.columns):
            raise ArchiveError(
                f"the columns of {label} differ from this installation's {again}: "
                f"archive {listed[label].get('columns')}, here {list(table.columns)}"
            )
        if table.file not in files:
            raise ArchiveError(f"{table.file} is missing from the archive")


def _listed(table: Any) -> bool:
    return (
        isinstance(table, dict)
        and isinstance(table.get("label"), str)
        and isinstance(table.get("rows"), int)
        and table["rows"] >= 0
    )


def _version(text: Any) -> tuple[int, ...]:
    """(major, minor, patch) of a version such as 0.1.0 or 0.2.0rc1."""
    numbers = re.findall(r"\d+", str(text))
    if not numbers:
        raise ArchiveError(f"{MANIFEST}: unreadable leadwell version {text!r}")
    return tuple(int(n) for n in numbers[:3])
