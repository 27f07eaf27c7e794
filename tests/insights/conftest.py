"""A closed cycle of simulated leaders in three units and three levels, built in bulk.

``build_cycle(org, leaders=…, seed=…)`` stores the simulator's responses for each leader (a
person with a unit, a level and a manager) and returns the cycle; the data frame it came from
is kept on ``cycle.frame`` so tests can score it independently.
"""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone

from leadwell.cycles.answers import encode_answers
from leadwell.instrument import load_instrument
from leadwell.simulate import SimulationSettings, simulate

UNITS = ("Plant", "Field sales", "Lab")
LEVELS = ("Director", "Manager", "Team lead")


def _people(org, count: int):
    from leadwell.orgs.models import Person, Unit

    units = [Unit.objects.get_or_create(organization=org, name=name)[0] for name in UNITS]
    top = Person.objects.create(
        organization=org, name="Chief", email="chief@x.example", level="Board"
    )
    people = []
    for i in range(count):
        level = LEVELS[i % 3]
        people.append(
            Person.objects.create(
                organization=org,
                name=f"Leader {i:03d}",
                email=f"leader{i:03d}@x.example",
                unit=units[i % len(units)],
                level=level,
                manager=top if level == "Director" else None,
            )
        )
    # Each manager under the director before them, each team lead under that manager: the
    # org chart orders the levels.
    for i, person in enumerate(people):
        if person.level in ("Manager", "Team lead"):
            person.manager = people[i - 1]
            person.save(update_fields=["manager"])
    return people


def build_cycle(
    org,
    *,
    leaders: int = 30,
    seed: int = 1,
    name: str = "Autumn",
    people=None,
    status: str = "closed",
    days_ago: int = 0,
):
    from leadwell.cycles.models import Assessment, Cycle, Response

    instrument = load_instrument("1")
    people = people or _people(org, leaders)
    closed = timezone.now() - timezone.timedelta(days=days_ago)
    cycle = Cycle.objects.create(
        organization=org,
        name=name,
        status=status,
        closed_at=closed if status in ("closed", "released") else None,
    )
    frame = simulate(SimulationSettings(leaders=len(people), seed=seed)).responses
    labels = sorted(frame["assessment"].unique())
    assessments = {
        label: Assessment.objects.create(organization=org, cycle=cycle, leader=person)
        for label, person in zip(labels, people, strict=True)
    }
    items = list(instrument.item_ids)
    rows = []
    for record in frame.to_dict("records"):
        values = {i: int(record[i]) for i in items if i in record and not np.isnan(record[i])}
        rows.append(
            Response(
                organization=org,
                assessment=assessments[record["assessment"]],
                group=record["group"],
                answers=encode_answers(values, instrument),
            )
        )
    Response.objects.bulk_create(rows)
    frame = frame.assign(
        assessment=frame["assessment"].map({k: v.pk for k, v in assessments.items()})
    )
    cycle.frame = frame
    cycle.people = people
    return cycle


@pytest.fixture
def cycle_builder():
    return build_cycle


@pytest.fixture
def closed_cycle(org):
    return build_cycle(org)
