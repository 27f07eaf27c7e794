"""Reads of the privacy app: the retention time, the cycles past it, and the log."""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from leadwell.cycles.models import Cycle, Draft, Invitation, Response, ResponseComment
from leadwell.privacy.models import PrivacyLog

__all__ = [
    "answers_deleted_at",
    "expired_cycles",
    "months_before",
    "purge_preview",
    "retention_months",
]


def retention_months() -> int | None:
    """``LEADWELL_RETENTION_MONTHS``: how long a closed cycle's answers are kept (None: for
    ever)."""
    months = getattr(settings, "LEADWELL_RETENTION_MONTHS", None)
    if months is None or months == "":
        return None
    try:
        value = int(months)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or str(value) != str(months).strip():
        raise ImproperlyConfigured(
            f"LEADWELL_RETENTION_MONTHS must be a whole number of months (1 or more), not "
            f"{months!r}; leave it unset to keep answers for ever."
        )
    return value


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when
    that month is shorter: 31 May minus 3 months is 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def expired_cycles(*, now: datetime | None = None) -> QuerySet[Cycle]:
    """The cycles, of every organization, closed before the retention time that still hold
    answers or drafts (none when answers are kept for ever)."""
    months = retention_months()
    if months is None:
        return Cycle.objects.none()
    cutoff = months_before(now or timezone.now(), months)
    answers = Response.objects.filter(assessment__cycle=OuterRef("pk"))
    drafts = Draft.objects.filter(invitation__assessment__cycle=OuterRef("pk"))
    return (
        Cycle.objects.filter(closed_at__lt=cutoff)
        .filter(Q(Exists(answers)) | Q(Exists(drafts)))
        .order_by("closed_at", "pk")
    )


def purge_preview(*, now: datetime | None = None) -> list[dict[str, Any]]:
    """What :func:`~leadwell.privacy.services.responses_purge_expired` would delete, per
    cycle: its organization, name, closing time and the rows of answers."""
    return [
        {
            "organization": cycle.organization.slug,
            "cycle": cycle.name,
            "closed_at": cycle.closed_at,
            "responses": Response.objects.filter(assessment__cycle=cycle).count(),
            "comments": ResponseComment.objects.filter(response__assessment__cycle=cycle).count(),
            "drafts": Draft.objects.filter(invitation__assessment__cycle=cycle).count(),
            "invitations kept": Invitation.objects.filter(assessment__cycle=cycle).count(),
        }
        for cycle in expired_cycles(now=now).select_related("organization")
    ]


def answers_deleted_at(cycle: Cycle) -> datetime | None:
    """When the retention purge deleted this cycle's answers (None: they were not), for the
    report to say why it has nothing to show."""
    log = (
        PrivacyLog.objects.filter(
            organization_id=cycle.organization_id, cycle=cycle, kind=PrivacyLog.RETENTION
        )
        .order_by("-at")
        .first()
    )
    return log.at if log else None
