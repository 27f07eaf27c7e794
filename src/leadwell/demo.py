"""The demo organization: 40 leaders, one released cycle with simulated answers, one open cycle.

`leadwell demo` builds it in a SQLite file (or reuses it when it is already there) and serves
it. The answers of the finished cycle come from the simulator, so the reports show realistic
spread, folding and comments; the open cycle is part-answered, so the progress dashboard and the
rater's survey can be tried.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from leadwell.cycles.models import (
    Assessment,
    Cycle,
    Invitation,
    Nomination,
    Response,
    ResponseComment,
)
from leadwell.cycles.services import hash_token, link_token, new_salt, new_token
from leadwell.instrument import default_instrument
from leadwell.orgs.models import CoachAssignment, LevelChange, Organization, Person, Role, Unit
from leadwell.simulate import SimulationSettings, simulate

__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "DEMO_USERS", "DemoInfo", "demo_build"]

DEMO_SLUG = "demo"
DEMO_PASSWORD = "leadwell-demo"
DEMO_USERS = ("admin", "lee", "coach")
UNITS = ("Operations", "Product", "Sales", "Finance")
LEVELS = ("senior manager", "manager", "manager", "team lead")
FIRST = (
    "Ada Ben Cleo Dev Eva Finn Gia Hugo Iris Jon Kai Lena Milo Nia Omar Pia Quinn Rosa Sam "
    "Tara Uma Vic Wen Xia Yara Zed "
).split()
LAST = (
    "Adams Baker Chen Diaz Evans Fischer Garcia Hughes Ito Jensen Kim Lopez Murphy Novak "
    "Okafor Patel Quinn Rossi Silva Tan "
).split()


@dataclass(frozen=True)
class DemoInfo:
    organization: Organization
    created: bool
    sample_links: tuple[str, ...]


def demo_build(*, leaders: int = 40, seed: int = 7, rebuild: bool = False) -> DemoInfo:
    """Build the demo organization, or reuse it when it exists (``rebuild`` starts afresh)."""
    existing = Organization.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None and not rebuild:
        return DemoInfo(existing, created=False, sample_links=())
    with transaction.atomic():
        if existing is not None:
            _delete(existing)
        org = Organization.objects.create(name="Demo Company", slug=DEMO_SLUG)
        rng = np.random.default_rng(seed)
        people = _people(org, leaders, rng)
        _accounts(org, people)
        # Two released cycles six months apart: the same leaders, half of whom grew in leading
        # since the first, so their reports show change with the Reliable Change Index.
        _released_cycle(org, people, seed, name="Autumn 2025", months_ago=6, grown=True)
        answers_by = _released_cycle(org, people, seed)
        links = _open_cycle(org, people, rng, answers_by)
        _promotions(org, people)
    _insights(org)
    return DemoInfo(org, created=True, sample_links=links)


def _promotions(org: Organization, people: _People) -> None:
    """Every fifth leader moved up a level about eight months ago: the people imports record
    it, and org insights watch the newly promoted who are low on both axes."""
    when = timezone.now() - timedelta(days=240)
    for leader in people.leaders[2::5]:
        change = LevelChange.objects.create(
            organization=org, person=leader, level_before="specialist", level_after=leader.level
        )
        LevelChange.objects.filter(pk=change.pk).update(changed_at=when)


def _insights(org: Organization) -> None:
    """Org insights of the two released cycles, oldest first (so the later shows the trend)."""
    from leadwell.insights.models import CycleInsights
    from leadwell.insights.services import insights_run

    for cycle in Cycle.objects.filter(organization=org, status=Cycle.RELEASED).order_by(
        "closed_at"
    ):
        made = CycleInsights.objects.create(organization=org, cycle=cycle)
        insights_run(made.pk)


def _delete(org: Organization) -> None:
    Response.objects.filter(organization=org).delete()
    Cycle.objects.filter(organization=org).delete()
    Person.objects.filter(organization=org).update(manager=None)
    org.delete()
    get_user_model().objects.filter(username__in=DEMO_USERS).delete()


@dataclass
class _People:
    directors: list[Person]
    leaders: list[Person]
    staff: dict[int, list[Person]]  # leader id -> direct reports
    everyone: list[Person]


def _people(org: Organization, count: int, rng: np.random.Generator) -> _People:
    # 520 names, then the same names numbered ("Ada Adams 2"), for demos of any size.
    names = (
        f"{f} {last}" + (f" {round_ + 1}" if round_ else "")
        for round_ in itertools.count()
        for last in LAST
        for f in FIRST
    )
    units = [Unit.objects.create(organization=org, name=name) for name in UNITS]

    def make(unit: Unit, level: str, manager: Person | None = None) -> Person:
        name = next(names)
        email = name.lower().replace(" ", ".") + "@demo.example"
        return Person.objects.create(
            organization=org, name=name, email=email, unit=unit, level=level, manager=manager
        )

    directors = [make(unit, "director") for unit in units]
    leaders, staff = [], {}
    for i in range(count):
        unit = units[i % len(units)]
        leader = make(unit, LEVELS[i % len(LEVELS)], directors[i % len(units)])
        leaders.append(leader)
        staff[leader.id] = [make(unit, "staff", leader) for _ in range(7)]
    everyone = [*directors, *leaders, *(p for team in staff.values() for p in team)]
    return _People(directors, leaders, staff, everyone)


def _accounts(org: Organization, people: _People) -> None:
    users = get_user_model().objects
    admin = users.create_user("admin", "admin@demo.example", DEMO_PASSWORD)
    Role.objects.create(organization=org, user=admin, role=Role.ADMIN)
    lee = users.create_user("lee", people.leaders[0].email, DEMO_PASSWORD)
    people.leaders[0].user = lee
    people.leaders[0].save(update_fields=["user"])
    Role.objects.create(organization=org, user=lee, role=Role.LEADER)
    # A coach of the first four leaders, Lee included: they read those reports once released.
    coach = users.create_user("coach", "coach@demo.example", DEMO_PASSWORD)
    Role.objects.create(organization=org, user=coach, role=Role.COACH)
    CoachAssignment.objects.bulk_create(
        CoachAssignment(organization=org, coach=coach, leader=leader)
        for leader in people.leaders[:4]
    )


def _raters(leader: Person, people: _People, group: str, count: int) -> list[Person]:
    if group == "self":
        return [leader]
    if group == "manager":
        return [leader.manager] if leader.manager else []
    if group == "direct":
        return people.staff[leader.id][:count]
    same_unit = [p for p in people.leaders if p.unit_id == leader.unit_id and p != leader]
    if group == "peer":
        return same_unit[:count]
    others = [p for p in people.leaders if p.unit_id != leader.unit_id]
    return others[leader.id % 5 : leader.id % 5 + count]


def _released_cycle(
    org: Organization,
    people: _People,
    seed: int,
    *,
    name: str = "Spring 2026",
    months_ago: int = 0,
    grown: bool = False,
) -> dict[tuple[int, str], list[bytes]]:
    """A finished cycle; returns each (leader id, group)'s simulated answer vectors.

    ``grown``: this is the earlier cycle of leaders who have grown since: every other leader
    (Lee first) is rated lower on the leading items here than in the later cycle.
    """
    instrument = default_instrument()
    now = timezone.now() - timedelta(days=30 * months_ago)
    cycle = Cycle.objects.create(
        organization=org, name=name, status=Cycle.RELEASED,
        opened_at=now, closed_at=now, released_at=now,
    )  # fmt: skip
    frame = simulate(SimulationSettings(leaders=len(people.leaders), seed=seed)).responses
    if grown:
        frame = _before_growth(frame, instrument, np.random.default_rng(seed + 1))
    labels = sorted(frame["assessment"].unique())
    assessments = {
        label: Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
        for label, leader in zip(labels, people.leaders, strict=True)
    }
    counts = frame.groupby(["assessment", "group"]).size()
    for (label, group), count in counts.items():
        assessment = assessments[label]
        for rater in _raters(assessment.leader, people, group, int(count)):
            nomination = Nomination.objects.create(
                organization=org, assessment=assessment, person=rater, name=rater.name,
                email=rater.email, group=group, status=Nomination.APPROVED,
            )  # fmt: skip
            Invitation.objects.create(
                organization=org, assessment=assessment, nomination=nomination, group=group,
                name=rater.name, email=rater.email, token_hash=new_token()[1],
                status=Invitation.SUBMITTED, sent_at=now,
            )  # fmt: skip
    answers = np.nan_to_num(frame[list(instrument.item_ids)].to_numpy(), nan=0).astype(np.uint8)
    # Responses are stored in a shuffled order: nothing about them follows the raters'.
    order = np.random.default_rng(seed).permutation(len(frame))
    responses, comments = [], []
    for row in order:
        record = frame.iloc[row]
        response = Response(
            organization=org, assessment=assessments[record["assessment"]],
            group=record["group"], answers=answers[row].tobytes(),
            seconds=round(float(record["seconds"]) / 60) * 60,
        )  # fmt: skip
        responses.append(response)
        for question in instrument.question_ids:
            text = record.get(question)
            if isinstance(text, str) and text.strip():
                comments.append(ResponseComment(response=response, question=question, text=text))
    Response.objects.bulk_create(responses)
    ResponseComment.objects.bulk_create(comments)
    answers_by: dict[tuple[int, str], list[bytes]] = {}
    for row, (label, group) in enumerate(zip(frame["assessment"], frame["group"], strict=True)):
        answers_by.setdefault((assessments[label].leader_id, group), []).append(
            answers[row].tobytes()
        )
    return answers_by


def _before_growth(frame: Any, instrument: Any, rng: np.random.Generator) -> Any:
    """The ratings of a cycle before half the leaders grew: their leading items a point lower
    in most answers, and every answer a little noisier."""
    frame = frame.copy()
    items = list(instrument.item_ids)
    leading = [i.id for i in instrument.items if i.facet and i.facet.startswith("L")]
    labels = sorted(frame["assessment"].unique())
    growers = frame["assessment"].isin(labels[::2]).to_numpy()
    values = frame[items].to_numpy(dtype=np.float64)
    noise = rng.choice([-1.0, 0.0, 1.0], size=values.shape, p=[0.1, 0.8, 0.1])
    values = values + noise
    columns = [items.index(i) for i in leading]
    lower = rng.random((len(frame), len(columns))) < 0.7
    values[:, columns] -= np.where(growers[:, None] & lower, 1.0, 0.0)
    frame[items] = np.where(np.isnan(values), np.nan, np.clip(values, 1, 5))
    return frame


def _open_cycle(
    org: Organization,
    people: _People,
    rng: np.random.Generator,
    answers_by: dict[tuple[int, str], list[bytes]],
) -> tuple[str, ...]:
    """A cycle under way: about half the raters have answered (with answers like last time)."""
    cycle = Cycle.objects.create(
        organization=org, name="Autumn 2026", status=Cycle.OPEN, opened_at=timezone.now()
    )
    links = []
    sizes = {"self": 1, "manager": 1, "peer": 3, "direct": 4, "other": 1}
    for leader in people.leaders:
        assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
        for group, count in sizes.items():
            for rater in _raters(leader, people, group, count):
                nomination = Nomination.objects.create(
                    organization=org, assessment=assessment, person=rater, name=rater.name,
                    email=rater.email, group=group, status=Nomination.APPROVED,
                )  # fmt: skip
                earlier = answers_by.get((leader.id, group))
                submitted = rng.random() < 0.45 and bool(earlier)
                invitation = Invitation.objects.create(
                    organization=org, assessment=assessment, nomination=nomination, group=group,
                    name=rater.name, email=rater.email, token_hash=new_token()[1],
                    status=Invitation.SUBMITTED if submitted else Invitation.SENT,
                    sent_at=timezone.now(),
                )  # fmt: skip
                # The link as the invitation email makes it, so a reminder resends the same one.
                salt = new_salt()
                token = link_token(invitation.pk, salt)
                Invitation.objects.filter(pk=invitation.pk).update(
                    token_hash=hash_token(token), token_salt=salt
                )
                if submitted:
                    Response.objects.create(
                        organization=org, assessment=assessment, group=group,
                        answers=earlier[int(rng.integers(len(earlier)))],
                    )  # fmt: skip
                elif len(links) < 3 and group in ("peer", "self"):
                    links.append(token)
    return tuple(links)
