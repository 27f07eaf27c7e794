"""The answer encoding (one byte per item, 0 = not observed) and a cycle's responses as arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from leadwell.cycles.answers import cycle_responses, decode_answers, encode_answers
from leadwell.scoring import GROUPS, score_responses


def _random_answers(instrument, rng, *, skip: float = 0.2, outcomes: bool = True):
    out = {}
    for item in instrument.items:
        if item.facet is None and not outcomes:
            continue
        out[item.id] = None if rng.random() < skip else int(rng.integers(1, 6))
    return out


def test_encode_writes_one_byte_per_item_in_instrument_order(instrument):
    answers = {"M1.1": 5, "O3": 2, "C1.4": None, "L1.2": 0}
    data = encode_answers(answers, instrument)
    assert len(data) == len(instrument.item_ids) == 59
    assert data[instrument.item_ids.index("M1.1")] == 5
    assert data[instrument.item_ids.index("O3")] == 2
    assert sum(1 for byte in data if byte) == 2  # None, 0 and absent items are all 0


def test_encode_decode_round_trip(instrument):
    rng = np.random.default_rng(7)
    for _ in range(50):
        answers = _random_answers(instrument, rng)
        data = encode_answers(answers, instrument)
        assert decode_answers(data, instrument) == answers
        assert encode_answers(decode_answers(data, instrument), instrument) == data
    raw = rng.integers(0, 6, size=len(instrument.item_ids), dtype=np.uint8).tobytes()
    assert encode_answers(decode_answers(raw, instrument), instrument) == raw


def test_decode_accepts_memoryview_and_empty_draft(instrument):
    data = encode_answers({"M2.1": 3}, instrument)
    assert decode_answers(memoryview(data), instrument)["M2.1"] == 3
    assert set(decode_answers(b"", instrument).values()) == {None}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"X9.9": 3}, "unknown item"),
        ({"M1.1": 7}, "must be 1-5"),
        ({"M1.1": -1}, "must be 1-5"),
        ({"M1.1": True}, "must be 1-5"),
        ({"M1.1": "4"}, "must be 1-5"),
    ],
)
def test_encode_rejects_what_is_not_an_answer(instrument, answers, message):
    with pytest.raises(ValueError, match=message):
        encode_answers(answers, instrument)


def test_decode_rejects_wrong_length_and_bytes_above_the_scale(instrument):
    with pytest.raises(ValueError, match="59 items"):
        decode_answers(b"\x01\x02", instrument)
    with pytest.raises(ValueError, match="above 5"):
        decode_answers(b"\x06" * 59, instrument)


def _submit_cycle(invite, assessment, other_assessment, instrument):
    """Submit through the service: 2 assessments, every group; returns what was sent."""
    from leadwell.survey.services import response_submit

    rng = np.random.default_rng(11)
    sent = []
    plan = [("self", 1), ("manager", 1), ("peer", 3), ("direct", 3), ("other", 1)]
    for target in (assessment, other_assessment):
        for group, count in plan:
            for n in range(count):
                rater = invite(f"{group}{n}{target.pk}", group, target)
                answers = _random_answers(instrument, rng, outcomes=group != "self")
                comments = {"keep": f"keep {group} {n} {target.pk}"} if n == 0 else {}
                assert response_submit(
                    rater.invitation, answers=answers, comments=comments, seconds=61.0 * (n + 3)
                )
                sent.append((target.pk, group, answers, comments, 61.0 * (n + 3)))
    return sent


@pytest.fixture
def other_assessment(cycle, people):
    from leadwell.cycles.models import Assessment

    return Assessment.objects.create(
        organization=cycle.organization, cycle=cycle, leader=people["Ana"]
    )


def test_cycle_responses_equal_what_was_submitted(
    invite, cycle, assessment, other_assessment, instrument, django_assert_num_queries
):
    sent = _submit_cycle(invite, assessment, other_assessment, instrument)
    with django_assert_num_queries(2):
        responses = cycle_responses(cycle)
    assert len(responses) == len(sent) == 18
    got = sorted(
        (
            int(responses.assessment_ids[responses.assessment[i]]),
            GROUPS[responses.group[i]],
            responses.answers[i].tobytes(),
            responses.comments["keep"][i],
            responses.seconds[i],
        )
        for i in range(len(responses))
    )
    expected = sorted(
        (
            pk,
            group,
            encode_answers(answers, instrument),
            comments.get("keep"),
            60.0 * math.floor(seconds / 60 + 0.5),
        )
        for pk, group, answers, comments, seconds in sent
    )
    assert got == expected
    assert set(responses.comments) == set(instrument.question_ids)


def test_cycle_responses_score_and_match_a_hand_computed_mean(
    invite, cycle, assessment, other_assessment, instrument
):
    sent = _submit_cycle(invite, assessment, other_assessment, instrument)
    scores = score_responses(cycle_responses(cycle), instrument)
    assert len(scores) == 2
    tidy = scores.tidy()
    # Independent check: the all-others mean of one item, computed from the submitted dicts.
    values = [
        answers["M1.1"]
        for pk, group, answers, _, _ in sent
        if pk == assessment.pk and group != "self" and answers["M1.1"]
    ]
    row = tidy[
        (tidy["assessment"].astype(str) == str(assessment.pk))
        & (tidy["figure"].astype(str).str.endswith("M1.1"))
        & (tidy["group"] == "all_others")
    ]
    assert len(row) == 1
    assert row["mean"].iloc[0] == pytest.approx(sum(values) / len(values), abs=1e-12)
    assert int(row["n"].iloc[0]) == len(values)


def test_cycle_responses_of_an_empty_cycle_are_empty(cycle, instrument):
    responses = cycle_responses(cycle)
    assert len(responses) == 0
    assert responses.answers.shape == (0, len(instrument.item_ids))


def test_cycle_responses_stay_within_the_cycle(invite, cycle, assessment, org, people, instrument):
    from leadwell.cycles.models import Assessment, Cycle
    from leadwell.survey.services import response_submit

    later = Cycle.objects.create(organization=org, name="Autumn", status=Cycle.OPEN)
    elsewhere = Assessment.objects.create(organization=org, cycle=later, leader=people["Lee"])
    response_submit(
        invite("Ben", "peer", elsewhere).invitation, answers={"M1.1": 4}, comments={}, seconds=None
    )
    response_submit(invite("Cy", "peer").invitation, answers={"M1.1": 2}, comments={}, seconds=None)
    responses = cycle_responses(cycle)
    assert len(responses) == 1
    assert responses.answers[0, instrument.item_index["M1.1"]] == 2
    assert np.isnan(responses.seconds[0])
