"""The scoring engine against MODEL.md "The scoring contract", rule by rule.

Every frame here is small and made by hand, so each expected number is worked out in the test
itself (the arithmetic is written out, e.g. ``(4 + 5 + 3) / 3``). Raters mostly give one answer
to every item, which makes every item, facet and axis figure of a label the same number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from leadwell.instrument import default_instrument
from leadwell.scoring import LABELS, QUADRANTS, TIDY_COLUMNS, CycleScores, score_frame
from leadwell.scoring.engine import facet_scores
from leadwell.scoring.psychometrics import rwg_j
from leadwell.simulate import SimulationSettings, simulate

NAN = np.nan
V1 = default_instrument()
ITEMS = V1.item_ids
TIGHT = 1e-12  # full precision: only the rounding of a few float operations is allowed


def approx(expected: Any) -> Any:
    return pytest.approx(expected, rel=TIGHT, abs=TIGHT)


# --- building frames --------------------------------------------------------------------------


def rater(
    group: str,
    fill: float = NAN,
    *,
    assessment: str = "A",
    facets: dict[str, list[float]] | None = None,
    items: dict[str, float] | None = None,
    **comments: str,
) -> dict[str, Any]:
    """One response: every item ``fill``, then whole facets and single items overridden.

    Self never answers the outcome items (the wide format forbids it), so they stay blank.
    """
    row: dict[str, Any] = {"assessment": assessment, "group": group}
    row.update({item: float(fill) for item in ITEMS})
    for facet, values in (facets or {}).items():
        for item, value in zip(V1.facet_by_id[facet].items, values, strict=True):
            row[item] = float(value)
    row.update({item: float(value) for item, value in (items or {}).items()})
    if group == "self":
        row.update({item: NAN for item in V1.outcome_ids})
    row.update(comments)
    return row


def crowd(group: str, values: list[float], **kwargs: Any) -> list[dict[str, Any]]:
    """One rater per value, each answering every item with it."""
    return [rater(group, value, **kwargs) for value in values]


def frame(*rows: dict[str, Any] | list[dict[str, Any]]) -> pd.DataFrame:
    flat: list[dict[str, Any]] = []
    for row in rows:
        flat.extend(row if isinstance(row, list) else [row])
    return pd.DataFrame(flat)


def block_of(kind: str, scores: CycleScores) -> Any:
    return {"items": scores.items, "facets": scores.facets, "axes": scores.axes}[kind]


def shown(scores: CycleScores, kind: str, figure: str, assessment: str = "A") -> dict[str, Any]:
    """The shown labels of one figure: label -> {"n", "mean", "sd", "min", "max"}."""
    result: dict[str, Any] = scores.assessment(scores.index(assessment))[kind].get(figure, {})
    return result


def counts(scores: CycleScores, kind: str, figure: str, assessment: str = "A") -> dict[str, int]:
    return {label: stats["n"] for label, stats in shown(scores, kind, figure, assessment).items()}


def assert_hidden_in_arrays(
    scores: CycleScores, kind: str, figure: str, label: str, assessment: str = "A"
) -> None:
    block = block_of(kind, scores)
    at = (LABELS.index(label), scores.index(assessment), block.names.index(figure))
    assert block.n[at] == 0
    assert np.isnan(block.mean[at])
    assert np.isnan(block.sd[at])


# --- rule 1: a respondent's facet score -------------------------------------------------------


def test_rule1_facet_score_is_the_mean_of_the_answered_items() -> None:
    scores = score_frame(frame(rater("self", 3, facets={"M1": [4, 5, 3, NAN]})))
    assert shown(scores, "facets", "M1")["self"]["mean"] == approx((4 + 5 + 3) / 3)
    assert shown(scores, "facets", "M2")["self"]["mean"] == 3.0


def test_rule1_one_of_four_items_answered_leaves_the_facet_score_missing() -> None:
    scores = score_frame(frame(rater("self", 3, facets={"M1": [4, NAN, NAN, NAN]})))
    assert "M1" not in scores.assessment(0)["facets"]  # nobody else rated: nothing at all
    assert_hidden_in_arrays(scores, "facets", "M1", "self")
    assert shown(scores, "items", "M1.1")["self"]["mean"] == 4.0  # the item itself still counts
    assert "M1" not in scores.assessment(0)["gaps"]


def test_rule1_two_of_four_items_answered_count() -> None:
    scores = score_frame(frame(rater("self", 3, facets={"M1": [2, NAN, 5, NAN]})))
    assert shown(scores, "facets", "M1")["self"] == {
        "n": 1, "mean": (2 + 5) / 2, "sd": None, "min": 3.5, "max": 3.5,
    }  # fmt: skip


def test_rule1_min_answered_setting_moves_the_threshold() -> None:
    data = frame(
        rater("self", 3, facets={"M1": [2, NAN, 5, NAN], "M2": [2, 4, 5, NAN]}),
    )
    scores = score_frame(data, min_answered=0.75)  # 3 of 4 items needed
    assert "M1" not in scores.assessment(0)["facets"]
    assert shown(scores, "facets", "M2")["self"]["mean"] == approx((2 + 4 + 5) / 3)


def test_rule1_facet_scores_function_on_answer_codes() -> None:
    m1 = V1.facet_columns["M1"]
    answers = np.full((3, len(ITEMS)), 3, dtype=np.uint8)
    answers[0, m1] = [4, 5, 3, 0]  # 0 = not observed
    answers[1, m1] = [4, 0, 0, 0]
    answers[2, m1] = [2, 0, 5, 0]
    scores = facet_scores(answers, V1, 0.5)
    m1_position = V1.facet_ids.index("M1")
    assert scores[0, m1_position] == approx((4 + 5 + 3) / 3)
    assert np.isnan(scores[1, m1_position])
    assert scores[2, m1_position] == approx((2 + 5) / 2)
    assert np.all(np.delete(scores, m1_position, axis=1) == 3.0)


def test_rule1_a_peer_without_a_facet_score_does_not_count_toward_k() -> None:
    # Three peers answer M1.1; the third answers nothing else of M1, so only two have an M1
    # score: fewer than k = 3 anonymous raters, so no anonymous M1 figure at all.
    data = frame(
        crowd("peer", [4, 5]),
        rater("peer", 3, facets={"M1": [3, NAN, NAN, NAN]}),
    )
    scores = score_frame(data)
    assert counts(scores, "items", "M1.1") == {"peer": 3, "all_others": 3}
    assert counts(scores, "facets", "M1") == {}
    assert counts(scores, "facets", "M2") == {"peer": 3, "all_others": 3}


# --- rule 2: a group's facet score ------------------------------------------------------------


def test_rule2_group_facet_score_is_the_mean_of_respondent_scores_not_of_pooled_items() -> None:
    data = frame(
        rater("peer", 3, facets={"M1": [5, 5, NAN, NAN]}),  # M1 score 5 from 2 items
        rater("peer", 3, facets={"M1": [1, 1, 1, 1]}),  # 1
        rater("peer", 3, facets={"M1": [3, 3, 3, 3]}),  # 3
        rater("peer", 3, facets={"M1": [4, NAN, NAN, NAN]}),  # no M1 score: left out
    )
    peer = shown(score_frame(data), "facets", "M1")["peer"]
    assert peer["n"] == 3
    assert peer["mean"] == approx((5 + 1 + 3) / 3)  # pooled items would give 26 / 10
    assert peer["sd"] == approx(np.sqrt(((5 - 3) ** 2 + (1 - 3) ** 2 + 0) / 2))
    assert (peer["min"], peer["max"]) == (1.0, 5.0)


# --- rule 3: anonymity ------------------------------------------------------------------------

# (k, peers, directs, other raters, expected shown labels with their n) for a figure every rater
# answers; there is always one self and one manager rating as well.
FOLDS = [
    # nobody anonymous: self and manager only
    (3, 0, 0, 0, {}),
    # fewer than k anonymous in total: nothing anonymous, although manager + 2 peers = 3
    (3, 2, 0, 0, {}),
    (3, 1, 1, 0, {}),
    # a group with k raters stands alone; all_others = manager + anonymous
    (3, 3, 0, 0, {"peer": 3, "all_others": 1 + 3}),
    (3, 3, 3, 0, {"peer": 3, "direct": 3, "all_others": 1 + 6}),
    (3, 3, 3, 3, {"peer": 3, "direct": 3, "other": 3, "all_others": 1 + 9}),
    # no group alone: the remainder of k is shown as others
    (3, 2, 1, 0, {"others": 2 + 1, "all_others": 1 + 3}),
    # remainder 2 < k: the only shown group (peer, 4) is folded in
    (3, 4, 2, 0, {"others": 4 + 2, "all_others": 1 + 6}),
    # remainder 1: the smaller shown group (peer 3 < direct 4) is folded
    (3, 3, 4, 1, {"direct": 4, "others": 3 + 1, "all_others": 1 + 8}),
    # remainder 2: smallest shown group is direct (3 < peer 5)
    (3, 5, 3, 2, {"peer": 5, "others": 3 + 2, "all_others": 1 + 10}),
    # ties: other before direct before peer
    (3, 3, 3, 1, {"peer": 3, "others": 3 + 1, "all_others": 1 + 7}),  # direct folded, not peer
    (3, 1, 3, 3, {"direct": 3, "others": 3 + 1, "all_others": 1 + 7}),  # other, not direct
    (3, 3, 1, 3, {"peer": 3, "others": 3 + 1, "all_others": 1 + 7}),  # other, not peer
    # k = 2
    (2, 2, 2, 0, {"peer": 2, "direct": 2, "all_others": 1 + 4}),
    (2, 2, 1, 0, {"others": 2 + 1, "all_others": 1 + 3}),
    (2, 1, 0, 0, {}),
    # k = 4
    (4, 3, 3, 0, {"others": 3 + 3, "all_others": 1 + 6}),
    (4, 4, 4, 1, {"peer": 4, "others": 4 + 1, "all_others": 1 + 9}),
    (4, 3, 0, 0, {}),
]


@pytest.mark.parametrize(("k", "peers", "directs", "outsiders", "expected"), FOLDS)
def test_rule3_shows_and_folds_groups_as_the_contract_says(
    k: int, peers: int, directs: int, outsiders: int, expected: dict[str, int]
) -> None:
    data = frame(
        rater("self", 4),
        rater("manager", 2),
        crowd("peer", [4, 5, 3, 4, 2][:peers]),
        crowd("direct", [2, 3, 4, 5][:directs]),
        crowd("other", [5, 1, 3][:outsiders]),
    )
    scores = score_frame(data, k=k)
    want = {"self": 1, "manager": 1, **expected}
    for kind, figure in (("items", "M1.1"), ("items", "O1"), ("facets", "L3"), ("axes", "leading")):
        want_here = {**want, "self": 0} if figure == "O1" else want
        assert counts(scores, kind, figure) == {g: n for g, n in want_here.items() if n}
        for label in set(LABELS) - set(expected) - {"self", "manager"}:
            assert_hidden_in_arrays(scores, kind, figure, label)
    assert (scores.assessment(0)["quadrant"] == "insufficient") == ("all_others" not in expected)


def test_rule3_self_and_manager_are_shown_alone_with_one_rating_each() -> None:
    scores = score_frame(frame(rater("self", 4), rater("manager", 2), rater("manager", 5)))
    m1 = shown(scores, "facets", "M1")
    assert m1["self"] == {"n": 1, "mean": 4.0, "sd": None, "min": 4.0, "max": 4.0}
    assert m1["manager"]["n"] == 2
    assert m1["manager"]["mean"] == approx((2 + 5) / 2)
    assert set(m1) == {"self", "manager"}


def test_rule3_folded_remainder_and_all_others_carry_the_right_numbers() -> None:
    # k = 3: peers 4, 5, 3, 4 stand alone, directs 2, 3 would be a remainder of 2, so the peers
    # are folded in: others = all six anonymous raters; all_others adds the manager (5).
    data = frame(
        rater("self", 1),
        rater("manager", 5),
        crowd("peer", [4, 5, 3, 4]),
        crowd("direct", [2, 3]),
    )
    item = shown(score_frame(data), "items", "M2.2")
    assert set(item) == {"self", "manager", "others", "all_others"}
    assert item["others"]["mean"] == approx((4 + 5 + 3 + 4 + 2 + 3) / 6)
    assert (item["others"]["min"], item["others"]["max"]) == (2, 5)
    assert item["all_others"]["n"] == 7
    assert item["all_others"]["mean"] == approx((4 + 5 + 3 + 4 + 2 + 3 + 5) / 7)
    values = np.array([4, 5, 3, 4, 2, 3, 5.0])
    assert item["all_others"]["sd"] == approx(values.std(ddof=1))


def test_rule3_not_observed_hides_a_group_item_figure_while_its_facet_stays_shown() -> None:
    # The third peer does not observe M1.1: M1.1 has 2 peers (a remainder of 2 < k), so the
    # smallest shown group (direct 3; peer is not shown) is folded in. M1 keeps 3 peer scores.
    data = frame(
        rater("manager", 5),
        crowd("peer", [4, 5]),
        rater("peer", 3, items={"M1.1": NAN}),
        crowd("direct", [2, 3, 4]),
    )
    scores = score_frame(data)
    assert counts(scores, "items", "M1.1") == {"manager": 1, "others": 2 + 3, "all_others": 6}
    assert shown(scores, "items", "M1.1")["others"]["mean"] == approx((4 + 5 + 2 + 3 + 4) / 5)
    assert_hidden_in_arrays(scores, "items", "M1.1", "peer")
    assert_hidden_in_arrays(scores, "items", "M1.1", "direct")
    everyone_alone = {"manager": 1, "peer": 3, "direct": 3, "all_others": 7}
    assert counts(scores, "items", "M1.2") == everyone_alone
    assert counts(scores, "facets", "M1") == everyone_alone
    assert shown(scores, "facets", "M1")["peer"]["mean"] == approx((4 + 5 + 3) / 3)


def test_rule3_not_observed_can_hide_every_anonymous_figure_of_an_item_only() -> None:
    data = frame(rater("manager", 5), crowd("peer", [4, 5]), rater("peer", 3, items={"M1.1": NAN}))
    scores = score_frame(data)
    assert counts(scores, "items", "M1.1") == {"manager": 1}  # 2 anonymous < k
    assert counts(scores, "facets", "M1") == {"manager": 1, "peer": 3, "all_others": 4}
    assert shown(scores, "facets", "M1")["all_others"]["mean"] == approx(
        (5 + 4 + 5 + (3 + 3 + 3) / 3) / 4
    )


# --- rule 4: axes -----------------------------------------------------------------------------


def test_rule4_axis_is_the_mean_of_shown_facet_means_and_spread_is_over_respondents() -> None:
    # Only M1 and M2 are answered. The fourth peer answers one M2 item: no M2 score.
    data = frame(
        rater("peer", facets={"M1": [4] * 4, "M2": [2] * 4}),  # axis score (4 + 2) / 2 = 3
        rater("peer", facets={"M1": [5] * 4, "M2": [3] * 4}),  # (5 + 3) / 2 = 4
        rater("peer", facets={"M1": [3] * 4, "M2": [5] * 4}),  # (3 + 5) / 2 = 4
        rater("peer", facets={"M1": [4] * 4, "M2": [5, NAN, NAN, NAN]}),  # M1 only: 4
    )
    scores = score_frame(data)
    m1, m2 = (4 + 5 + 3 + 4) / 4, (2 + 3 + 5) / 3
    managing = shown(scores, "axes", "managing")
    for label in ("peer", "all_others"):
        assert managing[label]["mean"] == approx((m1 + m2) / 2)  # not 3.75, the mean of 3,4,4,4
        assert managing[label]["n"] == 4
        assert managing[label]["sd"] == approx(np.std([3, 4, 4, 4], ddof=1))  # = 0.5
        assert (managing[label]["min"], managing[label]["max"]) == (3.0, 4.0)
    assert "leading" not in scores.assessment(0)["axes"]
    assert scores.assessment(0)["quadrant"] == "insufficient"


def test_rule4_each_label_averages_only_its_own_shown_facets() -> None:
    # M1: 3 peers and 3 directs, both shown. M2: the third direct has no score (1 of 4 items),
    # so 2 directs would be a remainder: peers are folded in and M2 shows only others/all_others.
    data = frame(
        rater("peer", facets={"M1": [4] * 4, "M2": [2] * 4}),
        rater("peer", facets={"M1": [5] * 4, "M2": [3] * 4}),
        rater("peer", facets={"M1": [3] * 4, "M2": [4] * 4}),
        rater("direct", facets={"M1": [2] * 4, "M2": [5] * 4}),
        rater("direct", facets={"M1": [3] * 4, "M2": [5] * 4}),
        rater("direct", facets={"M1": [4] * 4, "M2": [1, NAN, NAN, NAN]}),
    )
    scores = score_frame(data)
    assert counts(scores, "facets", "M1") == {"peer": 3, "direct": 3, "all_others": 6}
    assert counts(scores, "facets", "M2") == {"others": 5, "all_others": 5}
    axis = shown(scores, "axes", "managing")
    assert set(axis) == {"peer", "direct", "others", "all_others"}
    assert axis["peer"]["mean"] == approx((4 + 5 + 3) / 3)  # peer M1 only
    assert axis["direct"]["mean"] == approx((2 + 3 + 4) / 3)  # direct M1 only
    assert axis["others"]["mean"] == approx((2 + 3 + 4 + 5 + 5) / 5)  # others M2 only
    assert axis["others"]["n"] == 5
    all_m1, all_m2 = (4 + 5 + 3 + 2 + 3 + 4) / 6, (2 + 3 + 4 + 5 + 5) / 5
    assert axis["all_others"]["mean"] == approx((all_m1 + all_m2) / 2)
    # Respondents' axis scores for all_others: (4+2)/2, (5+3)/2, (3+4)/2, (2+5)/2, (3+5)/2, 4.
    respondent = [3.0, 4.0, 3.5, 3.5, 4.0, 4.0]
    assert axis["all_others"]["n"] == 6
    assert axis["all_others"]["sd"] == approx(np.sqrt(1 / 6))
    assert axis["all_others"]["sd"] == approx(np.std(respondent, ddof=1))
    assert (axis["all_others"]["min"], axis["all_others"]["max"]) == (3.0, 4.0)


# --- rule 5: quadrant -------------------------------------------------------------------------


def _two_axes(managing: list[float], leading: list[float]) -> pd.DataFrame:
    """One peer per pair of values; M items get the first, L items (and C1, O) the second."""
    rows = []
    for m, lead in zip(managing, leading, strict=True):
        row = rater("peer", lead)
        row.update({item: float(m) for item in ITEMS if item.startswith("M")})
        rows.append(row)
    return frame(rows)


@pytest.mark.parametrize(
    ("managing", "leading", "cut", "quadrant"),
    [
        ([4, 4, 4], [4, 4, 4], 3.5, "manager-leader"),
        ([4, 4, 4], [3, 3, 3], 3.5, "optimizer"),
        ([3, 3, 3], [4, 4, 4], 3.5, "catalyst"),
        ([3, 3, 3], [3, 3, 3], 3.5, "specialist"),
        # exactly at the cut counts as high: (3 + 4 + 3 + 4) / 4 = 3.5
        ([3, 4, 3, 4], [3, 4, 3, 4], 3.5, "manager-leader"),
        ([3, 4, 3, 4], [3, 3, 4, 3], 3.5, "optimizer"),  # leading (3+3+4+3)/4 = 3.25
        ([3, 3, 4, 3], [4, 3, 4, 3], 3.5, "catalyst"),
        # the cut is a setting
        ([4, 4, 4], [4, 3, 4], 4.0, "optimizer"),  # leading 11/3 < 4
        ([3, 3, 3], [3, 3, 3], 3.0, "manager-leader"),
        ([3, 4, 3, 4], [3, 4, 3, 4], 3.75, "specialist"),
    ],
)
def test_rule5_quadrant_from_all_others_axes(
    managing: list[float], leading: list[float], cut: float, quadrant: str
) -> None:
    scores = score_frame(_two_axes(managing, leading), cut=cut)
    assert scores.assessment(0)["quadrant"] == quadrant
    assert scores.quadrant[0] == QUADRANTS.index(quadrant)
    axes = scores.assessment(0)["axes"]
    assert axes["managing"]["all_others"]["mean"] == approx(np.mean(managing))
    assert axes["leading"]["all_others"]["mean"] == approx(np.mean(leading))


def test_rule5_insufficient_without_all_others_even_with_manager_and_self() -> None:
    data = frame(rater("self", 5), rater("manager", 5), crowd("peer", [5, 5]))
    scores = score_frame(data)
    assert scores.assessment(0)["quadrant"] == "insufficient"
    assert "all_others" not in shown(scores, "axes", "managing")
    assert score_frame(data, k=2).assessment(0)["quadrant"] == "manager-leader"


def test_rule5_axis_exactly_at_cut_in_exact_arithmetic_counts_as_high() -> None:
    # Three peers answer each M facet with one value: facet means (3+3+3)/3, (3+3+3)/3,
    # (3+3+3)/3, (3+4+4)/3, (4+4+4)/3, (4+4+5)/3; their mean is (9+9+9+11+12+13)/18 = 3.5.
    per_facet = {"M1": [3, 3, 3], "M2": [3, 3, 3], "M3": [3, 3, 3], "M4": [3, 4, 4],
                 "M5": [4, 4, 4], "M6": [4, 4, 5]}  # fmt: skip
    data = frame(
        [
            rater("peer", 4, facets={f: [values[r]] * 4 for f, values in per_facet.items()})
            for r in range(3)
        ]
    )
    scores = score_frame(data)
    assert scores.assessment(0)["axes"]["managing"]["all_others"]["mean"] == approx(3.5)
    assert scores.assessment(0)["quadrant"] == "manager-leader"


# --- rule 6: gaps -----------------------------------------------------------------------------


def _gap_frame() -> pd.DataFrame:
    # Four peers answer 3, 4, 3, 4 on everything: every all_others facet mean is 3.5.
    peers = [rater("peer", v, assessment=a) for a in ("A", "B") for v in (3, 4, 3, 4)]
    self_a = rater(
        "self",
        4,  # overridden below for every facet
        facets={
            "M1": [4, 4, 4, 4],  # 4 - 3.5 = +0.5 → blind spot
            "M2": [3, 3, 3, 3],  # 3 - 3.5 = -0.5 → hidden strength
            "M3": [4, 4, 4, 3],  # 3.75 - 3.5 = +0.25 → none
            "M4": [3, 3, 3, 4],  # 3.25 - 3.5 = -0.25 → none
            "M5": [3, 4, 3, 4],  # 0
            "M6": [3, 4, 3, 4],
            "L1": [4, NAN, NAN, NAN],  # no self score → no gap
            "L2": [3, 4, 3, 4], "L3": [3, 4, 3, 4], "L4": [3, 4, 3, 4],
            "L5": [3, 4, 3, 4], "L6": [3, 4, 3, 4], "L7": [3, 4, 3, 4],
            "C1": [3, 3, 3, 3],  # -0.5 on the caution scale → blind spot (swapped)
        },
    )  # fmt: skip
    self_b = rater("self", 4, assessment="B")  # C1: +0.5 on the caution scale → hidden strength
    return frame(self_a, self_b, peers)


def test_rule6_gap_flags_at_exactly_half_a_point() -> None:
    scores = score_frame(_gap_frame())
    gaps = scores.assessment(scores.index("A"))["gaps"]
    assert gaps["M1"] == {"gap": 4 - 3.5, "flag": "blind_spot"}
    assert gaps["M2"] == {"gap": 3 - 3.5, "flag": "hidden_strength"}
    assert gaps["M3"] == {"gap": 3.75 - 3.5, "flag": None}
    assert gaps["M4"] == {"gap": 3.25 - 3.5, "flag": None}
    assert gaps["M5"] == {"gap": 0.0, "flag": None}
    assert "L1" not in gaps
    assert set(gaps) == set(V1.facet_ids) - {"L1"}
    position = V1.facet_ids.index("M1")
    assert scores.gaps[scores.index("A"), position] == 0.5
    assert scores.gap_flags[scores.index("A"), position] == 1


def test_rule6_caution_flags_are_swapped() -> None:
    scores = score_frame(_gap_frame())
    assert scores.assessment(scores.index("A"))["gaps"]["C1"] == {
        "gap": 3 - 3.5, "flag": "blind_spot",  # others see more command & control than self
    }  # fmt: skip
    assert scores.assessment(scores.index("B"))["gaps"]["C1"] == {
        "gap": 4 - 3.5, "flag": "hidden_strength",
    }  # fmt: skip
    # while the same +0.5 on a behaviour facet of B is a blind spot
    assert scores.assessment(scores.index("B"))["gaps"]["L7"]["flag"] == "blind_spot"


def test_rule6_gap_setting_moves_the_flags() -> None:
    gaps = score_frame(_gap_frame(), gap=0.25).assessment(0)["gaps"]
    assert gaps["M3"]["flag"] == "blind_spot"
    assert gaps["M4"]["flag"] == "hidden_strength"
    assert gaps["M5"]["flag"] is None
    wide = score_frame(_gap_frame(), gap=0.75).assessment(0)["gaps"]
    assert wide["M1"]["flag"] is None
    assert wide["M2"]["flag"] is None


def test_rule6_no_gap_without_a_shown_all_others_figure() -> None:
    scores = score_frame(frame(rater("self", 5), rater("manager", 3), crowd("peer", [3, 3])))
    assert scores.assessment(0)["gaps"] == {}
    assert np.isnan(scores.gaps[0]).all()


def test_rule6_gap_of_exactly_half_in_exact_arithmetic_is_flagged() -> None:
    data = frame(
        rater("self", 3, facets={"M1": [3, 3, 2, NAN]}),  # (3 + 3 + 2) / 3 = 8/3
        rater("peer", 3, facets={"M1": [2, 2, 1, NAN]}),  # 5/3
        crowd("peer", [3, 2, 2]),  # others: (5/3 + 3 + 2 + 2) / 4 = 13/6
    )
    gap = score_frame(data).assessment(0)["gaps"]["M1"]
    assert gap["gap"] == approx(8 / 3 - 13 / 6)
    assert gap["flag"] == "blind_spot"


def test_caution_is_reported_with_high_at_the_cut_and_only_when_shown() -> None:
    scores = score_frame(_gap_frame())
    assert scores.assessment(0)["caution"] == {"C1": {"mean": 3.5, "high": True}}
    assert score_frame(_gap_frame(), cut=3.75).assessment(0)["caution"]["C1"]["high"] is False
    hidden = score_frame(frame(rater("self", 5), crowd("peer", [3, 3])))
    assert hidden.assessment(0)["caution"] == {}


def test_caution_exactly_at_cut_in_exact_arithmetic_is_high() -> None:
    data = frame(
        rater("peer", 3),  # C1 score 3
        [rater("peer", 3, facets={"C1": [4, 4, 3, NAN]}) for _ in range(3)],  # 11/3 each
    )
    caution = score_frame(data).assessment(0)["caution"]["C1"]
    assert caution["mean"] == approx((3 + 3 * 11 / 3) / 4)  # = 3.5
    assert caution["high"] is True


def test_caution_high_does_not_depend_on_row_order() -> None:
    low = rater("peer", 3)
    high = [rater("peer", 3, facets={"C1": [4, 4, 3, NAN]}) for _ in range(3)]
    first = score_frame(frame(low, high)).assessment(0)["caution"]["C1"]["high"]
    last = score_frame(frame(high, low)).assessment(0)["caution"]["C1"]["high"]
    assert first == last


# --- rule 7: top and bottom five items -------------------------------------------------------


def _ranked_frame() -> pd.DataFrame:
    per_item: dict[str, list[float]] = {
        "M2.3": [5, 5, 5],  # 5
        "L4.1": [5, 5, 4],  # 14/3
        "M1.1": [5, 4, 4],  # 13/3
        "M6.2": [4, 4, 4],  # 4 (tie, first in instrument order)
        "L7.3": [4, 4, 4],  # 4
        "L7.4": [4, 4, 4],  # 4 (tie, sixth: left out)
        "M3.1": [5, 5, NAN],  # 2 raters: hidden, so never ranked
        "C1.1": [5, 5, 5],  # caution item: not a behaviour
        "O1": [5, 5, 5],  # outcome item: not a behaviour
        "M4.4": [1, 1, 1],  # 1
        "L2.2": [1, 2, 2],  # 5/3
        "L1.1": [2, 2, 2],  # 2
        "M5.1": [1, 1, NAN],  # hidden
        "C1.2": [1, 1, 1],
        "O2": [1, 1, 1],
    }  # every other item: 3, 3, 3
    return frame([rater("peer", 3, items={i: v[r] for i, v in per_item.items()}) for r in range(3)])


def test_rule7_top_five_by_all_others_mean_ties_in_instrument_order() -> None:
    scores = score_frame(_ranked_frame())
    top = scores.assessment(0)["top_items"]
    assert [t["item"] for t in top] == ["M2.3", "L4.1", "M1.1", "M6.2", "L7.3"]
    assert [t["mean"] for t in top] == approx([5, 14 / 3, 13 / 3, 4, 4])


def test_rule7_bottom_five_by_all_others_mean_ties_in_instrument_order() -> None:
    bottom = score_frame(_ranked_frame()).assessment(0)["bottom_items"]
    # after 1, 5/3 and 2 come the first items at 3 in instrument order (M1.1 is 13/3)
    assert [b["item"] for b in bottom] == ["M4.4", "L2.2", "L1.1", "M1.2", "M1.3"]
    assert [b["mean"] for b in bottom] == approx([1, 5 / 3, 2, 3, 3])


def test_rule7_fewer_than_five_shown_items_give_shorter_lists() -> None:
    answered = {"M1.1": 4.0, "M1.2": 5.0, "L1.1": 2.0, "C1.1": 1.0, "O3": 5.0}
    scores = score_frame(frame([rater("peer", items=answered) for _ in range(3)]))
    result = scores.assessment(0)
    assert [t["item"] for t in result["top_items"]] == ["M1.2", "M1.1", "L1.1"]
    assert [b["item"] for b in result["bottom_items"]] == ["L1.1", "M1.1", "M1.2"]
    assert scores.top_items[0].tolist() == [
        ITEMS.index("M1.2"), ITEMS.index("M1.1"), ITEMS.index("L1.1"), -1, -1,
    ]  # fmt: skip


def test_rule7_no_ranked_items_without_all_others() -> None:
    result = score_frame(frame(rater("manager", 5), crowd("peer", [4, 4]))).assessment(0)
    assert result["top_items"] == []
    assert result["bottom_items"] == []


def test_rule7_ranked_items_match_a_sort_of_the_shown_all_others_means() -> None:
    data = simulate(SimulationSettings(leaders=30, seed=4, not_observed_rate=0.3)).responses
    scores = score_frame(data)
    behaviour = [item.id for item in V1.items if item.facet not in (None, "C1")]
    for result in scores.iter_assessments():
        means = [
            (result["items"][i]["all_others"]["mean"], ITEMS.index(i), i)
            for i in behaviour
            if "all_others" in result["items"].get(i, {})
        ]
        top = [i for _, _, i in sorted(means, key=lambda m: (-m[0], m[1]))[:5]]
        bottom = [i for _, _, i in sorted(means, key=lambda m: (m[0], m[1]))[:5]]
        assert [t["item"] for t in result["top_items"]] == top
        assert [b["item"] for b in result["bottom_items"]] == bottom


# --- rule 8: rwg ------------------------------------------------------------------------------


def _rwg_frame() -> pd.DataFrame:
    # Manager and three peers; every facet not listed is all 3s (s² = 0, rwg = 1).
    facets = [
        # M1: item variances 0, 4/3, 1/3, 4/3 → s² = 3/4
        {"M1": [4, 3, 4, 2]}, {"M1": [4, 5, 5, 4]}, {"M1": [4, 3, 4, 2]}, {"M1": [4, 5, 5, 4]},
        # M2: M2.4 has 2 anonymous answers → hidden; shown variances 0, 2/3, 2/3 → s² = 4/9
        {"M2": [3, 3, 3, 5]}, {"M2": [3, 4, 2, 5]}, {"M2": [3, 2, 4, 1]}, {"M2": [3, 3, 3, NAN]},
        # M3: every item 1, 5, 1, 5 → s² = 16/3 > 2
        {"M3": [1] * 4}, {"M3": [5] * 4}, {"M3": [1] * 4}, {"M3": [5] * 4},
        # M4: variances 4/3, 8/3, 4/3, 8/3 → s² = 2 exactly
        {"M4": [1, 1, 1, 1]}, {"M4": [1, 3, 1, 3]}, {"M4": [3, 3, 3, 3]}, {"M4": [3, 5, 3, 5]},
    ]  # fmt: skip
    groups = ["manager", "peer", "peer", "peer"]
    rows = []
    for r, group in enumerate(groups):
        spec: dict[str, list[float]] = {}
        for f in range(4):
            spec.update(facets[4 * f + r])
        rows.append(rater(group, 3, facets=spec))
    return frame(rows, rater("manager", 3, assessment="B"), crowd("peer", [3, 4], assessment="B"))


def _rwg_by_hand(j: int, s2: float) -> float:
    ratio = s2 / 2
    return 0.0 if s2 >= 2 else j * (1 - ratio) / (j * (1 - ratio) + ratio)


def test_rule8_rwg_by_hand() -> None:
    # rwg(J) of James, Demaree & Wolf (1984) with σ²E = (5² - 1) / 12 = 2 (REFERENCES.md).
    rwg = score_frame(_rwg_frame()).assessment(0)["rwg"]
    assert rwg["M1"] == approx(20 / 23)  # 4(1 - 3/8) / (4(1 - 3/8) + 3/8)
    assert rwg["M1"] == approx(_rwg_by_hand(4, (0 + 4 / 3 + 1 / 3 + 4 / 3) / 4))
    assert rwg["M2"] == approx(21 / 23)  # 3(1 - 2/9) / (3(1 - 2/9) + 2/9), M2.4 left out
    assert rwg["M3"] == 0.0  # the formula alone would give 5/3
    assert rwg["M4"] == 0.0
    assert rwg["L1"] == 1.0
    assert set(score_frame(_rwg_frame()).assessment(0)["items"]["M2.4"]) == {"manager"}


def test_rule8_rwg_equals_rwg_j_on_the_all_others_answers_of_shown_items() -> None:
    for data in (
        _rwg_frame(),
        simulate(SimulationSettings(leaders=30, seed=8, not_observed_rate=0.3)).responses,
    ):
        scores = score_frame(data)
        checked = 0
        for result in scores.iter_assessments():
            rows = data[(data["assessment"] == result["assessment"]) & (data["group"] != "self")]
            for facet in V1.facets:
                items = [i for i in facet.items if "all_others" in result["items"].get(i, {})]
                if "all_others" not in result["facets"].get(facet.id, {}):
                    assert facet.id not in result["rwg"]
                    continue
                expected = rwg_j(rows[items].to_numpy(float)) if items else NAN
                if np.isnan(expected):
                    assert facet.id not in result["rwg"]
                else:
                    assert result["rwg"][facet.id] == approx(expected)
                    checked += 1
        assert checked >= 14


def test_rule8_no_rwg_without_all_others() -> None:
    scores = score_frame(_rwg_frame())
    assert scores.assessment(scores.index("B"))["rwg"] == {}
    assert np.isnan(scores.rwg[scores.index("B")]).all()


# --- rule 9: comments -------------------------------------------------------------------------


def _comment_frame() -> pd.DataFrame:
    def say(group: str, keep: str, assessment: str = "A", stop: str = "") -> dict[str, Any]:
        return rater(group, 4, assessment=assessment, keep=keep, start="", stop=stop, intent="")

    return frame(
        say("self", "I plan carefully", stop="I micromanage"),
        say("manager", "Delivers on time"),
        say("peer", "Listens well"),
        say("peer", "Asks good questions"),
        say("peer", "   "),
        say("direct", "Clear goals", stop="Deciding alone"),
        say("other", ""),  # an anonymous respondent without a comment still counts
        say("self", "I listen", assessment="B"),
        say("manager", "Reliable", assessment="B"),
        say("peer", "Kind", assessment="B"),
        say("peer", "Bold", assessment="B"),
    )


def test_rule9_comments_pooled_sorted_without_self() -> None:
    scores = score_frame(_comment_frame())
    comments = scores.assessment(scores.index("A"))["comments"]
    assert comments == {
        "keep": ["Asks good questions", "Clear goals", "Delivers on time", "Listens well"],
        "start": [],
        "stop": ["Deciding alone"],
        "intent": [],
    }


def test_rule9_comments_hidden_with_fewer_than_k_anonymous_respondents() -> None:
    scores = score_frame(_comment_frame())
    assert scores.assessment(scores.index("B"))["comments"] is None  # 2 anonymous + manager
    with_k2 = score_frame(_comment_frame(), k=2)
    assert with_k2.assessment(with_k2.index("B"))["comments"]["keep"] == [
        "Bold", "Kind", "Reliable",
    ]  # fmt: skip
    assert score_frame(_comment_frame(), k=5).assessment(0)["comments"] is not None  # 5 anonymous
    assert score_frame(_comment_frame(), k=6).assessment(0)["comments"] is None


def test_rule9_comment_order_does_not_follow_row_order() -> None:
    data = _comment_frame()
    expected = [result["comments"] for result in score_frame(data).iter_assessments()]
    for seed in range(5):
        shuffled = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        assert [r["comments"] for r in score_frame(shuffled).iter_assessments()] == expected


# --- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 0, -3, 2.5, True])
def test_k_below_two_or_not_a_whole_number_is_rejected(k: Any) -> None:
    with pytest.raises(ValueError, match="k"):
        score_frame(frame(crowd("peer", [3, 4, 5])), k=k)


def test_settings_are_reported_in_the_dict() -> None:
    result = score_frame(frame(crowd("peer", [3, 4])), k=2, cut=3.0, gap=0.25).to_dict()
    assert result["settings"] == {"k": 2, "cut": 3.0, "gap": 0.25, "min_answered": 0.5}
    assert result["instrument"] == V1.version


def test_k_changes_what_is_shown() -> None:
    data = frame(rater("manager", 5), crowd("peer", [4, 5, 3]))
    peers_shown = {"manager": 1, "peer": 3, "all_others": 1 + 3}
    assert counts(score_frame(data, k=2), "facets", "M1") == peers_shown
    assert counts(score_frame(data, k=3), "facets", "M1") == peers_shown
    assert counts(score_frame(data, k=4), "facets", "M1") == {"manager": 1}


# --- row order and the tidy frame -------------------------------------------------------------


def _simulated() -> pd.DataFrame:
    return simulate(SimulationSettings(leaders=25, seed=3, not_observed_rate=0.3)).responses


def _assert_same_figures(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal dicts, floats compared to 1e-12 (sums may run in another order)."""
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        if isinstance(x, dict):
            _assert_same_figures(x, y)
        elif isinstance(x, float):
            assert x == approx(y), key
        else:
            assert x == y, key


def test_shuffling_rows_changes_no_figure() -> None:
    data = _simulated()
    before = score_frame(data).to_dict()
    for seed in range(3):
        shuffled = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        after = score_frame(shuffled).to_dict()
        assert [a["assessment"] for a in after["assessments"]] == [
            a["assessment"] for a in before["assessments"]
        ]
        for x, y in zip(before["assessments"], after["assessments"], strict=True):
            for key in ("groups", "quadrant", "comments"):
                assert x[key] == y[key]
            for key in ("axes", "facets", "items", "gaps", "rwg", "caution"):
                _assert_same_figures(x[key], y[key])
            for key in ("top_items", "bottom_items"):
                assert [t["item"] for t in x[key]] == [t["item"] for t in y[key]]


def _dict_rows(scores: CycleScores) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows = {}
    for result in scores.iter_assessments():
        for kind in ("axes", "facets", "items"):
            for figure, labels in result[kind].items():
                for label, stats in labels.items():
                    rows[(result["assessment"], figure, label)] = stats
    return rows


def test_tidy_has_exactly_the_contract_columns_and_one_row_per_shown_figure() -> None:
    scores = score_frame(_simulated())
    tidy = scores.tidy()
    assert list(tidy.columns) == ["assessment", "figure", "group", "n", "mean", "sd", "min", "max"]
    assert tuple(tidy.columns) == TIDY_COLUMNS
    assert tidy.to_csv(index=False).splitlines()[0] == "assessment,figure,group,n,mean,sd,min,max"
    expected = _dict_rows(scores)
    keys = list(
        zip(tidy["assessment"], tidy["figure"].astype(str), tidy["group"].astype(str), strict=True)
    )
    assert len(keys) == len(set(keys))
    assert set(keys) == set(expected)
    shown_count = sum(int((b.n > 0).sum()) for b in (scores.axes, scores.facets, scores.items))
    assert len(tidy) == shown_count
    for key, row in zip(keys, tidy.itertuples(index=False), strict=True):
        stats = expected[key]
        assert row.n == stats["n"] > 0
        assert row.mean == stats["mean"]
        assert (np.isnan(row.sd) and stats["sd"] is None) or row.sd == stats["sd"]
        assert (row.min, row.max) == (stats["min"], stats["max"])


def test_tidy_and_dict_leave_out_hidden_figures_of_a_small_frame() -> None:
    data = frame(rater("self", 4), rater("manager", 2), crowd("peer", [4, 5]))
    tidy = score_frame(data).tidy()
    assert set(tidy["group"].astype(str)) == {"self", "manager"}
    # self does not answer outcome items: 56 items + 14 facets + 2 axes for self, 59 + 14 + 2
    assert len(tidy) == (56 + 14 + 2) + (59 + 14 + 2)
