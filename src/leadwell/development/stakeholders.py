"""Writes and reads of the stakeholder map (seed 000's Influence practice) and of the trust
ledger kept on each stakeholder (seed 001's trust bank account).

The rules (priority, grid, next touch, due lists, balance and trend) are pure and live in
:mod:`leadwell.practices.stakeholders`; this module stores the leader's rows, validates what
they type, and gathers what the pages and the calendar export show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone

from leadwell.development.models import Plan, Stakeholder, Touch, TrustEntry
from leadwell.development.services import PlanError, live, plan_text
from leadwell.practices import calendar
from leadwell.practices import stakeholders as rules

__all__ = [
    "AMOUNTS",
    "CADENCES",
    "TREND_DAYS",
    "DueLine",
    "GridCell",
    "LedgerLine",
    "Row",
    "calendar_text",
    "live_stakeholders",
    "local_today",
    "stakeholder_add",
    "stakeholder_map",
    "stakeholder_page",
    "stakeholder_update",
    "touch_log",
    "trust_record",
]

#: A ledger entry may weigh up to three steps either way (never 0: it would record nothing).
AMOUNTS = range(-3, 4)
#: The communication plan's rhythm: daily at most, yearly at least.
CADENCES = range(1, 366)
#: The trust ledger's trend looks at this many recent days.
TREND_DAYS = 90
#: A planned date further ahead than this is a typo, and calendar apps choke on year 9999.
_FURTHEST_YEARS = 5
_GRID = (  # reading order of the 2 × 2 grid: influence up, interest across
    ("keep satisfied", "High influence, lower interest"),
    ("manage closely", "High influence, high interest"),
    ("monitor", "Lower influence, lower interest"),
    ("keep informed", "Lower influence, high interest"),
)


def local_today() -> date:
    """Today in the site's time zone; tests replace this function to fix the day."""
    return timezone.localdate()


def _rating(value: Any, what: str, allowed: range, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise PlanError(f"Choose the {what} from {allowed[0]} to {allowed[-1]}{hint}.")
    return value


def _profile(name: str, influence: Any, interest: Any, now: Any, wanted: Any) -> dict[str, Any]:
    hint = " (−2 strongly against, 0 neutral, +2 champion)"
    return {
        "name": plan_text(name, "stakeholder's name", 200, needed=True),
        "influence": _rating(influence, "influence", rules.INFLUENCE),
        "interest": _rating(interest, "interest", rules.INTEREST),
        "support_now": _rating(now, "support they give now", rules.SUPPORT, hint),
        "support_wanted": _rating(wanted, "support you want from them", rules.SUPPORT, hint),
    }


def _past_day(day: Any, what: str, today: date | None) -> date:
    if not isinstance(day, date):
        raise PlanError(f"Give the day of the {what}.")
    if day > (today or local_today()):
        raise PlanError(f"Record the {what} once it has happened: pick today or an earlier day.")
    return day


def stakeholder_add(
    *,
    plan: Plan,
    name: str,
    influence: int,
    interest: int,
    support_now: int,
    support_wanted: int,
    is_group: bool = False,
    inside: bool = True,
) -> Stakeholder:
    """Add a person or group to the plan's stakeholder map.

    Raises PlanError (nothing saved) on an empty name, or a rating outside its scale: influence
    and interest 1..5, support −2..+2.
    """
    values = _profile(name, influence, interest, support_now, support_wanted)
    return Stakeholder.objects.create(
        plan=plan, is_group=bool(is_group), inside=bool(inside), **values
    )


def stakeholder_update(
    *,
    stakeholder: Stakeholder,
    name: str,
    is_group: bool,
    inside: bool,
    influence: int,
    interest: int,
    support_now: int,
    support_wanted: int,
    message: str,
    channel: str,
    cadence_days: int | None,
    next_touch: date | None,
    today: date | None = None,
) -> Stakeholder:
    """Change a stakeholder and their communication plan.

    ``next_touch`` is the date the leader planned; left empty, it is counted from the last
    logged touch and the cadence (and stays empty if there was no touch yet).
    """
    values = _profile(name, influence, interest, support_now, support_wanted)
    cadence = _rating(cadence_days, "cadence", CADENCES, " days")
    furthest = (today or local_today()) + timedelta(days=365 * _FURTHEST_YEARS)
    if next_touch is not None and next_touch > furthest:
        raise PlanError(f"Plan the next touch within the next {_FURTHEST_YEARS} years.")
    last = live(stakeholder.touches.all()).aggregate(last=Max("day"))["last"]
    values.update(
        is_group=bool(is_group),
        inside=bool(inside),
        message=plan_text(message, "message", 2000),
        channel=plan_text(channel, "channel", 100),
        cadence_days=cadence,
        next_touch=rules.next_touch(last, cadence, planned=next_touch),
    )
    for field, value in values.items():
        setattr(stakeholder, field, value)
    stakeholder.save(update_fields=list(values))
    return stakeholder


def touch_log(
    *, stakeholder: Stakeholder, day: date | None, note: str = "", today: date | None = None
) -> Touch:
    """Log a contact with ``stakeholder`` and move their next touch on.

    The next touch becomes the latest logged day + the cadence, unless the one already set is
    later (a date the leader planned by hand is kept).
    """
    day = _past_day(day, "touch", today)
    text = plan_text(note, "note", 2000)
    with transaction.atomic():
        touch = Touch.objects.create(
            plan_id=stakeholder.plan_id, stakeholder=stakeholder, day=day, note=text
        )
        last = live(stakeholder.touches.all()).aggregate(last=Max("day"))["last"]
        due = rules.next_touch(last, stakeholder.cadence_days)
        if due is not None and (stakeholder.next_touch is None or stakeholder.next_touch < due):
            stakeholder.next_touch = due
            stakeholder.save(update_fields=["next_touch"])
    return touch


def trust_record(
    *,
    stakeholder: Stakeholder,
    kind: str,
    day: date | None,
    amount: int | None = None,
    note: str = "",
    today: date | None = None,
) -> TrustEntry:
    """Record a deposit or a withdrawal in the trust account with ``stakeholder``.

    ``kind`` is a key of :data:`leadwell.practices.stakeholders.DEPOSITS`; ``amount`` overrides
    its usual weight, within −3..3, not 0, and with the kind's sign (a deposit adds trust).
    """
    if kind not in rules.DEPOSITS:
        raise PlanError("Choose what happened from the list.")
    label, usual = rules.DEPOSITS[kind]
    if amount is None:
        amount = usual
    elif isinstance(amount, bool) or not isinstance(amount, int) or amount not in AMOUNTS:
        raise PlanError("The weight must be a whole number from −3 to 3, or left empty.")
    elif amount == 0 or (amount > 0) != (usual > 0):
        sign = "a deposit: 1 to 3" if usual > 0 else "a withdrawal: −1 to −3"
        raise PlanError(f"“{label}” is {sign}, or leave the weight empty.")
    day = _past_day(day, "entry", today)
    return TrustEntry.objects.create(
        plan_id=stakeholder.plan_id,
        stakeholder=stakeholder,
        day=day,
        kind=kind,
        amount=amount,
        note=plan_text(note, "note", 300),
    )


@dataclass(frozen=True)
class Row:
    """A stakeholder with what the map shows about them."""

    stakeholder: Stakeholder
    priority: int
    band: str
    quadrant: str
    balance: int
    support_now: str
    support_wanted: str
    overdue: bool


@dataclass(frozen=True)
class GridCell:
    quadrant: str
    axes: str
    advice: str
    rows: list[Row]


@dataclass(frozen=True)
class DueLine:
    """A next touch in the "due" or "overdue" list, with how far off it is in words."""

    sid: int
    name: str
    when: date
    words: str


def _due_line(due: rules.Due) -> DueLine:
    days = due.days
    if days < 0:
        words = "yesterday" if days == -1 else f"{-days} days ago"
    else:
        words = {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    return DueLine(int(due.key), due.name, due.when, words)


@dataclass(frozen=True)
class LedgerLine:
    entry: TrustEntry
    label: str
    balance: int


def live_stakeholders(plan: Plan) -> QuerySet[Stakeholder]:
    """The plan's stakeholders that are not deleted."""
    return live(Stakeholder.objects.filter(plan=plan))


def _row(s: Stakeholder, entries: list[TrustEntry], today: date) -> Row:
    score = rules.priority(s.influence, s.support_now, s.support_wanted)
    return Row(
        stakeholder=s,
        priority=score,
        band=rules.priority_band(score),
        quadrant=rules.grid_quadrant(s.influence, s.interest),
        balance=sum(e.amount for e in entries),
        support_now=rules.SUPPORT_LABELS[s.support_now],
        support_wanted=rules.SUPPORT_LABELS[s.support_wanted],
        overdue=s.next_touch is not None and s.next_touch < today,
    )


def stakeholder_map(plan: Plan, *, today: date) -> dict[str, Any]:
    """The map: rows by priority (highest first, then name), the grid, due and overdue."""
    trust = Prefetch("trust", queryset=live(TrustEntry.objects.all()), to_attr="live_trust")
    found = list(live_stakeholders(plan).prefetch_related(trust))
    rows = sorted(
        (_row(s, s.live_trust, today) for s in found),
        key=lambda r: (-r.priority, r.stakeholder.name.casefold(), r.stakeholder.pk),
    )
    grid = [
        GridCell(q, axes, rules.GRID_ADVICE[q], [r for r in rows if r.quadrant == q])
        for q, axes in _GRID
    ]
    due, overdue = rules.due_and_overdue(((str(s.pk), s.name, s.next_touch) for s in found), today)
    return {
        "rows": rows,
        "grid": grid,
        "due": [_due_line(d) for d in due],
        "overdue": [_due_line(d) for d in overdue],
        "planned": sum(s.next_touch is not None for s in found),
    }


def stakeholder_page(stakeholder: Stakeholder, *, today: date) -> dict[str, Any]:
    """One stakeholder: their row, touches (newest first), ledger (newest first), trend."""
    touches = list(live(stakeholder.touches.all()))
    entries = list(live(stakeholder.trust.all()))  # by day, then id: the ledger's order
    # trust_balance sorts by day and keeps the order within a day, so it lines up with entries.
    balances = rules.trust_balance([rules.TrustEntry(e.day, e.amount) for e in entries])
    ledger = [
        LedgerLine(e, rules.DEPOSITS.get(e.kind, (e.kind, 0))[0], balance)
        for e, (_, balance) in zip(entries, balances, strict=True)
    ]
    trend = rules.trust_trend(
        [rules.TrustEntry(e.day, e.amount) for e in entries], today, window_days=TREND_DAYS
    )
    row = _row(stakeholder, entries, today)
    return {
        "row": row,
        "advice": rules.GRID_ADVICE[row.quadrant],
        "touches": touches,
        "ledger": ledger[::-1],
        "trend": trend,
    }


def _description(s: Stakeholder) -> str:
    parts = [f"Message: {s.message}", f"Channel: {s.channel}"]
    kept = [p for p, value in zip(parts, (s.message, s.channel), strict=True) if value]
    return "\n".join([*kept, f"Every {s.cadence_days} days."])


def calendar_text(plan: Plan, *, stamp: datetime | None = None) -> str | None:
    """The plan's next touches as an iCalendar file, or None when none is planned.

    One all-day event per live stakeholder with a next touch; the summary names them, the
    description carries their communication plan. ``stamp`` defaults to now.
    """
    found = live_stakeholders(plan).exclude(next_touch=None).order_by("next_touch", "name")
    touches = [
        calendar.Touch(
            uid=f"plan{plan.pk}-stakeholder{s.pk}",  # stable: a re-import moves the event
            day=s.next_touch,
            summary=f"Touch base: {s.name}",
            description=_description(s),
        )
        for s in found
    ]
    if not touches:
        return None
    name = f"leadwell: {plan.title}"
    return calendar.touches_ics(touches, calendar_name=name, stamp=stamp or timezone.now())
