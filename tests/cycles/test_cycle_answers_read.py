"""Reading a closed cycle's responses: the lean path (PostgreSQL: packed by the server;
SQLite: one plain query) gives the same arrays as the row-by-row path, and a corrupt answer
vector is reported, not misread. .ci/run runs these tests on both databases."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from leadwell.cycles.answers import _read_rows, cycle_instrument, cycle_responses, encode_answers
from leadwell.cycles.models import Assessment, Cycle, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(org, people):
    cycle = Cycle.objects.create(organization=org, name="Read me", status=Cycle.CLOSED)
    instrument = cycle_instrument(cycle)
    rng = np.random.default_rng(3)
    groups = ["self", "manager", "peer", "direct", "other", "direct"]
    for person in list(people.values())[:3]:
        assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=person)
        for i, group in enumerate(groups):
            values = {item: int(rng.integers(0, 6)) for item in instrument.item_ids}
            Response.objects.create(
                id=uuid.uuid4(),
                organization=org,
                assessment=assessment,
                group=group,
                answers=encode_answers(values, instrument),
                seconds=None if i == 2 else 60.0 * i,
            )
    return cycle


def test_the_responses_without_comments_equal_the_row_by_row_read(answered):
    fast = cycle_responses(answered, comments=False)
    _, assessment, group, answers, seconds = _read_rows(answered, cycle_instrument(answered), None)

    # The packed read keeps storage order (shuffled when a cycle closes): compare as sets.
    def canonical(assessment_ids, group, answers, seconds):
        rows = np.column_stack([assessment_ids, group, answers, np.nan_to_num(seconds, nan=-1)])
        return rows[np.lexsort(rows.T[::-1])]

    labels = np.unique(assessment)
    assert list(fast.assessment_ids) == list(labels)
    np.testing.assert_array_equal(
        canonical(labels[fast.assessment], fast.group, fast.answers, fast.seconds),
        canonical(assessment, group, answers, seconds),
    )
    assert np.isnan(fast.seconds).sum() == 3
    assert fast.comments == {}
    assert len(fast) == 18


def test_one_assessments_responses_only(answered):
    chosen = Assessment.objects.filter(cycle=answered).order_by("pk").first()
    fast = cycle_responses(answered, [chosen.pk], comments=False)
    assert list(fast.assessment_ids) == [chosen.pk]
    assert len(fast) == 6


def test_a_stored_vector_of_the_wrong_length_is_reported(answered):
    Response.objects.filter(assessment__cycle=answered).filter(group="peer").update(
        answers=b"\x01\x02\x03"
    )
    with pytest.raises(ValueError, match="do not all have"):
        cycle_responses(answered, comments=False)
