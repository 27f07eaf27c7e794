"""Change between two cycles and the Reliable Change Index (Jacobson & Truax 1991)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadwell.cli import app
from leadwell.instrument import default_instrument
from leadwell.scoring import LABELS, facet_scores, responses_from_frame, score_frame
from leadwell.scoring.change import compare, cycle_reliability
from leadwell.scoring.psychometrics import icc_nested
from leadwell.simulate import SimulationSettings, simulate, write_csv

INSTRUMENT = default_instrument()
FIGURES = (*INSTRUMENT.facet_ids, "managing", "leading")


def _cycle(levels: int | list[int], leaders: tuple[str, ...] = ("A", "B")) -> pd.DataFrame:
    """Each of the five non-self raters answers their level on every item (self the first).

    All-others scores are then the mean of the five levels, known exactly.
    """
    levels = [levels] * 5 if not isinstance(levels, list) else levels
    rows = []
    for leader in leaders:
        for i, group in enumerate(["self", "manager", "peer", "peer", "peer", "direct"]):
            row = {"assessment": leader, "group": group, "rater": f"{leader}{i}"}
            level = levels[max(i - 1, 0)]
            row.update({item: level for item in INSTRUMENT.item_ids})
            if group == "self":
                row.update({o: np.nan for o in INSTRUMENT.outcome_ids})
            rows.append(row)
    return pd.DataFrame(rows)


def test_worked_example_of_jacobson_and_truax_on_cycle_scores():
    # Scores 3.0 then 3.8 with SD 0.5 and reliability .80: SEM = 0.5 * sqrt(.2) = 0.2236068,
    # S_diff = sqrt(2) * SEM = 0.3162278, RCI = 0.8 / 0.3162278 = 2.5298221.
    before, after = score_frame(_cycle(3)), score_frame(_cycle([4, 4, 4, 4, 3]))
    sd = np.full(len(FIGURES), 0.5)
    reliability = np.full(len(FIGURES), 0.8)
    change = compare(before, after, sd=sd, reliability=reliability)
    assert list(change.assessment_ids) == ["A", "B"]
    assert change.delta == pytest.approx(np.full((2, len(FIGURES)), 0.8))
    assert change.rci == pytest.approx(np.full((2, len(FIGURES)), 0.8 / math.sqrt(2 * 0.2 * 0.25)))
    assert change.rci[0, 0] == pytest.approx(2.5298221, abs=1e-7)
    assert change.reliable.all()
    figures = change.assessment(0)["figures"]
    assert figures["managing"] == {
        "before": 3.0,
        "after": pytest.approx(3.8),
        "delta": pytest.approx(0.8),
        "rci": pytest.approx(2.5298221, abs=1e-7),
        "reliable": True,
    }


def test_a_small_change_is_not_called_real():
    before, after = score_frame(_cycle(3)), score_frame(_cycle([3, 3, 3, 4, 3]))
    # From 3.0 to 3.2: RCI = 0.2 / 0.3162278 = 0.63, below 1.96.
    change = compare(
        before, after, sd=np.full(len(FIGURES), 0.5), reliability=np.full(len(FIGURES), 0.8)
    )
    assert not change.reliable.any()


def test_only_leaders_in_both_cycles_are_compared():
    before = score_frame(_cycle(3, ("A", "B")))
    after = score_frame(_cycle(4, ("B", "C")))
    change = compare(before, after, sd=np.ones(len(FIGURES)), reliability=np.zeros(len(FIGURES)))
    assert list(change.assessment_ids) == ["B"]


def test_without_a_usable_reliability_no_change_is_real():
    # Two identical leaders: no spread across leaders, so SD is 0 and the RCI is undefined.
    before, after = score_frame(_cycle(2)), score_frame(_cycle(5))
    change = compare(before, after)
    assert np.isnan(change.rci).all()
    assert not change.reliable.any()
    assert change.assessment(0)["figures"]["M1"]["rci"] is None


@pytest.fixture(scope="module")
def simulated():
    frame = simulate(SimulationSettings(leaders=300, seed=5)).responses
    return frame, score_frame(frame)


def test_cycle_reliability_equals_icc_of_respondent_scores(simulated):
    frame, scores = simulated
    reliability = cycle_reliability(scores)
    responses = responses_from_frame(frame, INSTRUMENT)
    facet = facet_scores(responses.answers, INSTRUMENT, 0.5)
    others = responses.group != 0
    for f, facet_id in enumerate(INSTRUMENT.facet_ids):
        icc1, icc2 = icc_nested(facet[others, f], responses.assessment[others])
        assert reliability.icc1[f] == pytest.approx(icc1, abs=1e-10), facet_id
        assert reliability.icc2[f] == pytest.approx(icc2, abs=1e-10), facet_id
    all_others = scores.facets.mean[LABELS.index("all_others")]
    expected_sd = np.nanstd(all_others, axis=0, ddof=1)
    assert reliability.sd[: len(INSTRUMENT.facet_ids)] == pytest.approx(expected_sd)


def test_a_cycle_compared_with_itself_has_no_change(simulated):
    _, scores = simulated
    change = compare(scores, scores)
    shown = ~np.isnan(change.before)
    assert np.all(change.delta[shown] == 0)
    assert not change.reliable.any()
    assert (change.quadrant_before == change.quadrant_after).all()


def test_change_command_writes_every_leaders_change(tmp_path):
    first, second = tmp_path / "one.csv", tmp_path / "two.csv"
    write_csv(simulate(SimulationSettings(leaders=60, seed=1)).responses, first)
    write_csv(simulate(SimulationSettings(leaders=60, seed=2)).responses, second)
    out = tmp_path / "change.json"
    result = CliRunner().invoke(app, ["change", str(first), str(second), "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert len(data["assessments"]) == 60
    assert set(data["reliability"]) == set(FIGURES)
    one = data["assessments"][0]
    assert set(one["quadrant"]) == {"before", "after"}
    assert {"before", "after", "delta", "rci", "reliable"} <= set(one["figures"]["managing"])
    assert "reliably up" in result.output
