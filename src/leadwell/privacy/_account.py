"""A person's account and the places outside the cycles that name them.

Private to :mod:`leadwell.privacy.services`; runs inside the erasure's transaction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from leadwell.development.models import Comment
from leadwell.orgs.models import CoachAssignment, Person, Role
from leadwell.privacy._derived import add_deleted
from leadwell.privacy.models import PrivacyLog
from leadwell.reports.models import ReportView

__all__ = ["account_remove"]

_AXES = ("axes.accessattempt", "axes.accesslog", "axes.accessfailurelog")


def account_remove(person: Person, placeholder: str, counts: Counter[str]) -> None:
    """Take away the person's roles, coach assignments and account in their organization, and
    put ``placeholder`` where logs of the organization wrote their name as text.

    The account itself is deleted only when nothing of another organization uses it (a user
    is one organization's business; another's account is not touched by this one's admin).
    """
    org_id = person.organization_id
    coached = CoachAssignment.objects.filter(organization_id=org_id, leader=person)
    add_deleted(counts, coached.delete())
    _rename_admin_log(person, placeholder)
    user = person.user
    if user is None:
        return
    add_deleted(counts, Role.objects.filter(organization_id=org_id, user=user).delete())
    add_deleted(counts, CoachAssignment.objects.filter(organization_id=org_id, coach=user).delete())
    renamed = (
        ReportView.objects.filter(organization_id=org_id, viewer=user).update(
            viewer=None, viewer_name=placeholder
        )
        + Comment.objects.filter(plan__organization_id=org_id, author=user).update(
            author=None, author_name=placeholder
        )
        + PrivacyLog.objects.filter(organization_id=org_id, actor=user).update(
            actor=None, actor_name=placeholder
        )
    )
    if renamed:
        counts["log lines renamed"] += renamed
    Person.objects.filter(pk=person.pk).update(user=None)
    person.user = None
    elsewhere = Role.objects.filter(user=user).exists() or Person.objects.filter(user=user).exists()
    if elsewhere:
        counts["accounts kept for another organization"] += 1
        return
    _rename_admin_log(user, placeholder)
    for label in _AXES:
        model = _model(label)
        if model is not None:
            names = {user.get_username(), user.email} - {""}
            add_deleted(counts, model.objects.filter(username__in=names).delete())
    add_deleted(counts, type(user).objects.filter(pk=user.pk).delete())


def _rename_admin_log(obj: Any, placeholder: str) -> None:
    """The Django admin's change log names the objects it changed (a person as "Name
    <email>"): rename those lines, keep what they record."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).update(object_repr=placeholder)


def _model(label: str) -> Any:
    try:
        return apps.get_model(label)
    except LookupError:  # django-axes not installed here
        return None
