"""Writes and reads of four tools of a plan: the vision canvas (seed 000), the initiative
portfolio (seed 003), KPI alignment (seed 004) and the delegation list (seed 001).

The rules themselves (the optimize/transform test, balance, warnings) are pure and live in
:mod:`leadwell.practices.portfolio`; this module stores and fetches. A shared vision is found by
the sha256 of its link's token: the token itself is shown to the leader once and kept nowhere.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from leadwell.config.http import row_id
from leadwell.development.models import Delegation, Initiative, Kpi, Metric, Plan, Vision
from leadwell.development.services import PlanError, live, plan_text
from leadwell.orgs.models import Organization
from leadwell.practices import portfolio

__all__ = [
    "ANSWER_OF_INTENT",
    "PublicVision",
    "delegation_add",
    "delegation_overview",
    "delegation_update",
    "initiative_add",
    "initiative_update",
    "kpi_add",
    "kpi_delete",
    "kpi_list",
    "kpi_update",
    "metric_add",
    "metric_overview",
    "metric_update",
    "portfolio_overview",
    "token_hash",
    "vision_for_token",
    "vision_of",
    "vision_revoke",
    "vision_save",
    "vision_share",
]

_LONGEST_TEXT = 5000
_LONGEST_TOKEN = 100
#: The test's answer that declares each intent ("" is "not decided yet").
ANSWER_OF_INTENT = {intent: key for key, (_, intent) in portfolio.TEST_ANSWERS.items()} | {"": ""}
_VISION_FIELDS = ("together", "people", "customers", "statement")


def _text(value: str, what: str, *, longest: int = _LONGEST_TEXT, needed: bool = False) -> str:
    return plan_text(value, what, longest, needed=needed)


# The vision canvas ----------------------------------------------------------------------------


def vision_of(plan: Plan) -> Vision | None:
    return Vision.objects.filter(plan=plan).first()


def vision_save(
    *, plan: Plan, together: str, people: str, customers: str, statement: str
) -> Vision:
    """Save the four answers of the canvas; the plan's Vision row is made on first save."""
    values = {
        "together": _text(together, "answer on what you can do together"),
        "people": _text(people, "answer on the people of the team"),
        "customers": _text(customers, "answer on those you serve"),
        "statement": _text(statement, "vision statement"),
    }
    vision, _ = Vision.objects.update_or_create(plan=plan, defaults=values)
    return vision


def token_hash(token: str) -> str:
    """The sha256 hex digest under which a share token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def vision_share(*, plan: Plan) -> str:
    """A new share token for the plan's vision (an older link stops working).

    Only the token's sha256 is stored; the caller shows the token once and must not keep it.
    """
    vision = vision_of(plan)
    if vision is None or not any(getattr(vision, f).strip() for f in _VISION_FIELDS):
        raise PlanError("Write and save your vision before sharing it.")
    token = secrets.token_urlsafe(32)
    vision.share_hash = token_hash(token)
    vision.shared_at = timezone.now()
    vision.save(update_fields=["share_hash", "shared_at"])  # sharing is no change of content
    return token


def vision_revoke(*, plan: Plan) -> None:
    """Stop sharing: the link answers 404 from now on."""
    Vision.objects.filter(plan=plan).update(share_hash="", shared_at=None)


@dataclass(frozen=True)
class PublicVision:
    """What the public page may show: the answers and the leader's name, nothing else."""

    leader_name: str
    together: str
    people: str
    customers: str
    statement: str
    updated_at: datetime


def vision_for_token(*, token: str) -> PublicVision | None:
    """The shared vision behind ``token``, or None (unknown, revoked or malformed).

    The lookup is by the token's hash through an index, so no comparison of secrets happens in
    Python and the time taken does not depend on how much of a guess was right.
    """
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    found = (
        Vision.objects.filter(share_hash=token_hash(token))
        .exclude(share_hash="")
        .select_related("plan__leader")
        .first()
    )
    if found is None:
        return None
    answers = {f: getattr(found, f) for f in _VISION_FIELDS}
    return PublicVision(found.plan.leader.name, updated_at=found.updated_at, **answers)


# The initiative portfolio ---------------------------------------------------------------------


def _initiative_values(
    name: str, answer: str, pilot: bool, size: str, told_team: bool, note: str
) -> dict[str, Any]:
    if answer not in ANSWER_OF_INTENT.values():
        raise PlanError("Answer the question with one of the choices, or “Not decided yet”.")
    if size not in dict(Initiative.SIZES):
        raise PlanError("Choose a size: small, medium or large.")
    return {
        "name": _text(name, "name of the initiative", longest=200, needed=True),
        "intent": portfolio.intent_from_test(answer) if answer else "",
        "pilot": bool(pilot),
        "size": size,
        "told_team": bool(told_team),
        "note": _text(note, "note"),
    }


def initiative_add(
    *, plan: Plan, name: str, answer: str, pilot: bool, size: str, told_team: bool, note: str = ""
) -> Initiative:
    """Add an initiative whose intent follows from ``answer`` to the test (``"better"`` →
    optimize, ``"new"`` → transform, ``""`` → undeclared)."""
    values = _initiative_values(name, answer, pilot, size, told_team, note)
    return Initiative.objects.create(plan=plan, **values)


def initiative_update(
    *,
    initiative: Initiative,
    name: str,
    answer: str,
    pilot: bool,
    size: str,
    told_team: bool,
    note: str,
) -> Initiative:
    values = _initiative_values(name, answer, pilot, size, told_team, note)
    for field, value in values.items():
        setattr(initiative, field, value)
    initiative.save(update_fields=list(values))
    return initiative


def portfolio_overview(plan: Plan) -> dict[str, Any]:
    """The plan's initiatives with the portfolio's balance (and a plain summary) and warnings."""
    rows = list(live(Initiative.objects.filter(plan=plan)))
    items = [
        portfolio.Initiative(r.name, r.intent or None, r.pilot, r.size, r.told_team) for r in rows
    ]
    counts = portfolio.balance(items)
    pilots = f"{counts.pilots} pilot" + ("" if counts.pilots == 1 else "s")
    summary = (
        f"{counts.optimize} optimize · {counts.transform} transform · "
        f"{counts.undeclared} undeclared; {pilots}"
    )
    return {
        "initiatives": rows,
        "balance": counts,
        "balance_text": summary,
        "warnings": portfolio.warnings(items),
    }


# KPI alignment --------------------------------------------------------------------------------


def _kpi_name(organization: Organization, name: str, *, other_than: Kpi | None = None) -> str:
    text = _text(name, "KPI's name", longest=200, needed=True)
    same = Kpi.objects.filter(organization=organization, name__iexact=text)
    if other_than is not None:
        same = same.exclude(pk=other_than.pk)
    if same.exists():
        raise PlanError(f"The organization already has a KPI named “{text}”.")
    return text


def kpi_add(*, organization: Organization, name: str, description: str = "") -> Kpi:
    """Add a KPI to the organization's list (names are unique per organization)."""
    return Kpi.objects.create(
        organization=organization,
        name=_kpi_name(organization, name),
        description=_text(description, "description"),
    )


def kpi_update(*, kpi: Kpi, name: str, description: str, active: bool) -> Kpi:
    """Rename, describe, deactivate or reactivate a KPI (metrics keep their links)."""
    kpi.name = _kpi_name(kpi.organization, name, other_than=kpi)
    kpi.description = _text(description, "description")
    kpi.active = bool(active)
    kpi.save(update_fields=["name", "description", "active"])
    return kpi


def kpi_delete(*, kpi: Kpi) -> None:
    """Delete a KPI that no team metric uses; one in use can only be deactivated."""
    used = kpi.metrics.filter(deleted_at__isnull=True).count()
    if used:
        raise PlanError(
            f"“{kpi.name}” is linked to {used} team metric{'s' if used != 1 else ''}: "
            "deactivate it instead, so those links are kept."
        )
    kpi.delete()


def kpi_list(organization: Organization) -> list[Kpi]:
    """The organization's KPIs, each with ``in_use`` (how many team metrics link to it)."""
    found = Kpi.objects.filter(organization=organization).annotate(
        in_use=Count("metrics", filter=Q(metrics__deleted_at__isnull=True))
    )
    return list(found.order_by("-active", "name", "id"))


def _linked_kpis(plan: Plan, kpi_ids: Iterable[int | str], keep: Iterable[Kpi] = ()) -> list[Kpi]:
    chosen = {row_id(k) for k in kpi_ids}
    if None in chosen:
        raise PlanError("Choose KPIs from the organization's list.")
    # Active KPIs of the plan's organization, and links the metric already has to KPIs
    # deactivated since (kept until the leader unticks them).
    allowed = {k.pk: k for k in Kpi.objects.filter(organization=plan.organization_id, active=True)}
    allowed |= {k.pk: k for k in keep if k.organization_id == plan.organization_id}
    if not chosen <= allowed.keys():
        raise PlanError("One of the chosen KPIs is not on your organization's active list.")
    return [allowed[k] for k in sorted(chosen)]


def metric_add(*, plan: Plan, name: str, kpi_ids: Iterable[int | str] = ()) -> Metric:
    """Add a team metric linked to some of the organization's active KPIs (by id)."""
    text = _text(name, "metric's name", longest=200, needed=True)
    kpis = _linked_kpis(plan, kpi_ids)
    with transaction.atomic():
        metric = Metric.objects.create(plan=plan, name=text)
        metric.kpis.set(kpis)
    return metric


def metric_update(*, metric: Metric, name: str, kpi_ids: Iterable[int | str]) -> Metric:
    text = _text(name, "metric's name", longest=200, needed=True)
    kpis = _linked_kpis(metric.plan, kpi_ids, keep=metric.kpis.all())
    with transaction.atomic():
        metric.name = text
        metric.save(update_fields=["name"])
        metric.kpis.set(kpis)
    return metric


def metric_overview(plan: Plan) -> dict[str, Any]:
    """The team's metrics, the organization's active KPIs, the KPI tree and the silo metrics.

    A metric is a silo metric when it serves none of the organization's *active* KPIs.
    """
    metrics = list(live(Metric.objects.filter(plan=plan)).prefetch_related("kpis"))
    kpis = list(Kpi.objects.filter(organization=plan.organization_id, active=True))
    for metric in metrics:
        metric.linked = list(metric.kpis.all())
        metric.silo = not any(k.active for k in metric.linked)
        # What its edit form offers: the active KPIs, and links to KPIs deactivated since.
        metric.choices = kpis + [k for k in metric.linked if not k.active]
    tree = [(kpi, [m for m in metrics if kpi in m.linked]) for kpi in kpis]
    return {
        "metrics": metrics,
        "kpis": kpis,
        "tree": tree,
        "silo": [m for m in metrics if m.silo],
    }


# The delegation list --------------------------------------------------------------------------


def _delegation_values(work: str, candidate: str, stage: str, note: str) -> dict[str, str]:
    if stage not in dict(Delegation.STAGES):
        raise PlanError("Choose a stage from the list.")
    return {
        "work": _text(work, "work you still hold", longest=300, needed=True),
        "candidate": _text(candidate, "candidate's name", longest=200),
        "stage": stage,
        "note": _text(note, "note"),
    }


def delegation_add(
    *, plan: Plan, work: str, candidate: str = "", stage: str = Delegation.HOLDING, note: str = ""
) -> Delegation:
    """Add work the leader still holds, with who could own it and how far the handover is."""
    return Delegation.objects.create(plan=plan, **_delegation_values(work, candidate, stage, note))


def delegation_update(
    *, item: Delegation, work: str, candidate: str, stage: str, note: str
) -> Delegation:
    values = _delegation_values(work, candidate, stage, note)
    for field, value in values.items():
        setattr(item, field, value)
    item.save(update_fields=list(values))
    return item


def delegation_overview(plan: Plan) -> dict[str, Any]:
    """The rows of the list and how many are at each stage (every stage, in order)."""
    items = list(live(Delegation.objects.filter(plan=plan)))
    counts = [(key, label, sum(i.stage == key for i in items)) for key, label in Delegation.STAGES]
    return {"items": items, "stage_counts": counts, "stages": Delegation.STAGES}
