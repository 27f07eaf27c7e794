"""Tests of the synthetic-data simulator: determinism, the wide format, and realism."""

from __future__ import annotations

import csv
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import semopy

from leadwell.instrument import default_instrument
from leadwell.instrument.model import Axis, Facet, Instrument, Item, OpenQuestion
from leadwell.simulate import DEFAULT_GROUP_SIZES, SimulationSettings, simulate, write_csv

GROUPS = ("self", "manager", "peer", "direct", "other")
FIXED_12 = {"self": (1, 1), "manager": (1, 1), "peer": (3, 3), "direct": (5, 5), "other": (2, 2)}
BANK = Path(__file__).parents[2] / "src" / "leadwell" / "simulate" / "comments.toml"


@pytest.fixture(scope="module")
def instrument() -> Instrument:
    return default_instrument()


@pytest.fixture(scope="module")
def sim(instrument: Instrument):
    return simulate(SimulationSettings(leaders=1000, seed=11), instrument)


def _facet_items(instrument: Instrument, prefix: str) -> list[str]:
    return [i for f in instrument.facets if f.id.startswith(prefix) for i in f.items]


def _others_leader_means(responses: pd.DataFrame, items: list[str]) -> pd.Series:
    """Per leader, the mean over others' answers of each item, averaged over the items."""
    others = responses[responses["group"] != "self"]
    return others.groupby("assessment")[items].mean().mean(axis=1)


def _slopes(y: pd.Series, managing: pd.Series, leading: pd.Series) -> np.ndarray:
    design = np.column_stack([np.ones(len(y)), managing, leading])
    return np.linalg.lstsq(design, y.to_numpy(), rcond=None)[0][1:]


# --- determinism -------------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_identical_csv_bytes(instrument, tmp_path):
    first = simulate(SimulationSettings(leaders=200, seed=3), instrument)
    second = simulate(SimulationSettings(leaders=200, seed=3), instrument)
    pd.testing.assert_frame_equal(first.responses, second.responses)
    pd.testing.assert_frame_equal(first.leaders, second.leaders)
    write_csv(first.responses, tmp_path / "a.csv")
    write_csv(second.responses, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_different_seeds_give_different_answers(instrument):
    first = simulate(SimulationSettings(leaders=200, seed=3), instrument)
    second = simulate(SimulationSettings(leaders=200, seed=4), instrument)
    assert not first.leaders["managing"].equals(second.leaders["managing"])
    assert not first.responses.equals(second.responses)


# --- the wide format ---------------------------------------------------------------------


def test_columns_follow_the_wide_format_exactly(sim, instrument):
    expected = ["assessment", "group", "rater", *instrument.item_ids, "seconds"]
    expected += ["keep", "start", "stop", "intent"]
    assert sim.responses.columns.tolist() == expected
    dtypes = sim.responses.dtypes
    assert all(dtypes[item] == np.float64 for item in instrument.item_ids)
    assert dtypes["seconds"] == np.float64


def test_answers_are_whole_numbers_from_one_to_five_or_not_observed(sim, instrument):
    answers = sim.responses[list(instrument.item_ids)].to_numpy()
    known = answers[~np.isnan(answers)]
    assert set(np.unique(known)) == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_self_never_answers_outcome_items_but_others_do(sim, instrument):
    outcomes = list(instrument.outcome_ids)
    is_self = sim.responses["group"] == "self"
    assert sim.responses.loc[is_self, outcomes].isna().all().all()
    assert sim.responses.loc[~is_self, outcomes].notna().mean().min() > 0.85


def test_rows_are_ordered_by_assessment_then_group(sim):
    frame = sim.responses
    assert frame["assessment"].is_monotonic_increasing
    rank = frame["group"].map({group: i for i, group in enumerate(GROUPS)})
    assert rank.notna().all()
    assert (rank.groupby(frame["assessment"]).diff().dropna() >= 0).all()
    assert frame["assessment"].iloc[0] == "A000001"


def test_rater_ids_are_unique_within_each_assessment(sim):
    frame = sim.responses
    assert not frame.duplicated(["assessment", "rater"]).any()
    assert frame["rater"].str.fullmatch(r"R\d{8}").all()


def test_csv_writes_answers_as_integers_and_reads_back_equal(sim, instrument, tmp_path):
    path = tmp_path / "responses.csv"
    write_csv(sim.responses, path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header == sim.responses.columns.tolist()
    positions = [header.index(item) for item in instrument.item_ids]
    cells = {row[p] for row in body for p in positions}
    assert cells == {"", "1", "2", "3", "4", "5"}  # never "4.0"
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, sim.responses)


def test_write_csv_bytes_equal_pandas_to_csv_with_nullable_integers(sim, tmp_path):
    frame = sim.responses.iloc[:3000].copy()
    frame["big"] = frame["M1.1"] * 10  # whole numbers beyond one digit
    frame.loc[7, "keep"] = 'Two lines,\nand "quotes"'  # forces quoting across a line break
    for case, data in (("plain", frame.drop(index=7)), ("multiline", frame)):
        reference = data.copy()
        for column in [*reference.columns[3:-6].tolist(), "big"]:
            reference[column] = reference[column].astype("Int64")
        reference.to_csv(tmp_path / f"{case}-pandas.csv", index=False, lineterminator="\n")
        write_csv(data, tmp_path / f"{case}.csv")
        expected = (tmp_path / f"{case}-pandas.csv").read_bytes()
        assert (tmp_path / f"{case}.csv").read_bytes() == expected, case


def test_write_csv_rejects_something_that_is_not_a_frame(tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        write_csv([[1, 2]], tmp_path / "x.csv")  # type: ignore[arg-type]


def test_leaders_frame_holds_latent_axes_planted_quadrant_and_facet_true_scores(sim, instrument):
    leaders = sim.leaders
    expected = ["assessment", "managing", "leading", "quadrant", *instrument.facet_ids]
    assert leaders.columns.tolist() == expected
    assert leaders["assessment"].tolist() == sorted(sim.responses["assessment"].unique())
    high_m, high_l = leaders["managing"] >= 3.5, leaders["leading"] >= 3.5
    recomputed = np.select(
        [high_m & high_l, high_m, high_l], ["manager-leader", "optimizer", "catalyst"], "specialist"
    )
    assert (leaders["quadrant"] == recomputed).all()


# --- realism -----------------------------------------------------------------------------


def test_planted_quadrant_shares_match_the_bivariate_normal_orthant_formula(instrument):
    # Sheppard's formula: P(X > 0, Y < 0) = 1/4 - arcsin(rho) / (2 pi) for a centred
    # bivariate normal; the latent axes are centred on the cut 3.5.
    leaders = simulate(SimulationSettings(leaders=4000, seed=5), instrument).leaders
    shares = leaders["quadrant"].value_counts(normalize=True)
    mixed = 0.25 - math.asin(0.4) / (2 * math.pi)  # 0.1845
    tolerance = 4 * math.sqrt(0.25 * 0.75 / 4000)  # four binomial standard errors
    for quadrant, expected in (("optimizer", mixed), ("catalyst", mixed)):
        assert shares[quadrant] == pytest.approx(expected, abs=tolerance)
    for quadrant in ("manager-leader", "specialist"):
        assert shares[quadrant] == pytest.approx(0.5 - mixed, abs=tolerance)
    assert shares.min() > 0.10


def test_planted_quadrant_is_mostly_what_the_others_report(sim, instrument):
    managing = _others_leader_means(sim.responses, _facet_items(instrument, "M"))
    leading = _others_leader_means(sim.responses, _facet_items(instrument, "L"))
    truth = sim.leaders.set_index("assessment")
    agree = ((managing >= 3.5) == (truth["managing"] >= 3.5)) & (
        (leading >= 3.5) == (truth["leading"] >= 3.5)
    )
    assert agree.mean() > 0.7


def test_self_ratings_exceed_others_by_about_the_self_bias(instrument):
    facet_items = [i for f in instrument.facets if not f.is_caution for i in f.items]
    gaps = {}
    for bias in (0.0, 0.35, 0.6):
        settings = SimulationSettings(leaders=800, seed=2, self_bias=bias)
        frame = simulate(settings, instrument).responses
        means = frame[facet_items].mean(axis=1)
        gaps[bias] = means[frame["group"] == "self"].mean() - means[frame["group"] != "self"].mean()
    assert gaps[0.0] == pytest.approx(0.0, abs=0.06)
    assert gaps[0.35] == pytest.approx(0.35, abs=0.1)
    # the ceiling at 5 shaves more off a large inflation, but it keeps growing
    assert 0.4 < gaps[0.6] < 0.6


def test_self_view_is_only_weakly_related_to_the_others_view(sim, instrument):
    # Conway & Huffcutt (1997) meta-analysis: self-other correlations about .14-.22.
    items = [i for f in instrument.facets if not f.is_caution for i in f.items]
    frame = sim.responses
    own = frame[frame["group"] == "self"].set_index("assessment")[items].mean(axis=1)
    others = _others_leader_means(frame, items)
    r = np.corrcoef(own.loc[others.index], others)[0, 1]
    assert 0.05 < r < 0.45


# Sampling SD of r over 1,000 leaders is about .03; each rater's leniency lifts both axes
# alike, which adds about +.05 to the observed correlation.
@pytest.mark.parametrize(("rho", "low", "high"), [(0.0, -0.07, 0.18), (0.7, 0.58, 0.78)])
def test_leaders_managing_and_leading_correlate_as_set(instrument, rho, low, high):
    frame = simulate(
        SimulationSettings(leaders=1000, seed=8, correlation=rho), instrument
    ).responses
    managing = _others_leader_means(frame, _facet_items(instrument, "M"))
    leading = _others_leader_means(frame, _facet_items(instrument, "L"))
    assert low < np.corrcoef(managing, leading)[0, 1] < high


def test_a_two_factor_cfa_recovers_managing_and_leading(sim, instrument):
    others = sim.responses[sim.responses["group"] != "self"].iloc[:3000]
    facets = [f for f in instrument.facets if not f.is_caution]
    scores = pd.DataFrame({f.id: others[list(f.items)].mean(axis=1) for f in facets}).dropna()
    m_ids = [f.id for f in facets if f.axis == "managing"]
    l_ids = [f.id for f in facets if f.axis == "leading"]
    two = semopy.Model(f"managing =~ {' + '.join(m_ids)}\nleading =~ {' + '.join(l_ids)}")
    two.fit(scores)
    one = semopy.Model(f"general =~ {' + '.join(m_ids + l_ids)}")
    one.fit(scores)
    # Hu & Bentler (1999): CFI >= .95 and RMSEA <= .06 indicate good fit.
    fit_two, fit_one = semopy.calc_stats(two).iloc[0], semopy.calc_stats(one).iloc[0]
    assert fit_two["CFI"] > 0.95
    assert fit_two["RMSEA"] < 0.06
    assert fit_one["CFI"] < 0.9
    loadings = two.inspect(std_est=True).query("op == '~'")
    assert (loadings["Est. Std"] > 0.5).all()
    assert set(loadings.loc[loadings["rval"] == "managing", "lval"]) == set(m_ids)


def test_command_and_control_falls_with_leading_and_rises_mildly_with_managing(sim, instrument):
    frame = sim.responses
    managing = _others_leader_means(frame, _facet_items(instrument, "M"))
    leading = _others_leader_means(frame, _facet_items(instrument, "L"))
    caution = _others_leader_means(frame, _facet_items(instrument, "C"))
    on_managing, on_leading = _slopes(caution, managing, leading)
    assert on_leading < -0.3
    assert 0.0 < on_managing < -on_leading


def test_followership_is_driven_mostly_by_leading_and_effectiveness_by_both(sim, instrument):
    frame = sim.responses
    managing = _others_leader_means(frame, _facet_items(instrument, "M"))
    leading = _others_leader_means(frame, _facet_items(instrument, "L"))
    o1 = _slopes(_others_leader_means(frame, ["O1"]), managing, leading)
    o2 = _slopes(_others_leader_means(frame, ["O2"]), managing, leading)
    assert o1[1] > 2 * o1[0]
    assert o2[0] > 0.2
    assert o2[1] > 0.2


def test_rater_groups_differ_in_leniency_and_noise(sim, instrument):
    items = [i for f in instrument.facets if not f.is_caution for i in f.items]
    frame = sim.responses
    means = frame[items].mean(axis=1).groupby(frame["group"]).mean()
    assert means["self"] > means["manager"] > means["peer"]
    assert means["direct"] > means["peer"]
    within = frame[items].std(axis=1).groupby(frame["group"]).mean()
    assert within["other"] == within.max()


@pytest.mark.parametrize("rate", [0.05, 0.15])
def test_not_observed_share_is_near_its_rate(instrument, rate):
    settings = SimulationSettings(leaders=600, seed=4, not_observed_rate=rate, straightliner_rate=0)
    frame = simulate(settings, instrument).responses
    blank = frame[list(instrument.item_ids)].isna().to_numpy()
    asked = np.ones_like(blank)
    outcomes = [instrument.item_index[o] for o in instrument.outcome_ids]
    asked[np.ix_((frame["group"] == "self").to_numpy(), outcomes)] = False  # self is not asked
    assert blank[asked].mean() == pytest.approx(rate, rel=0.1)


def test_not_observed_is_commoner_for_other_and_peer_and_for_some_facets(sim, instrument):
    frame = sim.responses
    facet_items = [i for f in instrument.facets for i in f.items]
    by_group = frame[facet_items].isna().mean(axis=1).groupby(frame["group"]).mean()
    assert by_group["other"] > by_group["peer"] > max(by_group["manager"], by_group["direct"])
    by_facet = {f.id: frame[list(f.items)].isna().to_numpy().mean() for f in instrument.facets}
    assert by_facet["L7"] > 1.5 * by_facet["M2"]


@pytest.mark.parametrize("rate", [0.015, 0.06])
def test_straight_liners_appear_at_about_their_rate(instrument, rate):
    frame = simulate(SimulationSettings(leaders=1000, seed=6, straightliner_rate=rate), instrument)
    answers = frame.responses[[i for f in instrument.facets for i in f.items]]
    flat = answers.notna().all(axis=1) & (answers.max(axis=1) == answers.min(axis=1))
    n = len(answers)
    assert flat.mean() == pytest.approx(rate, abs=4 * math.sqrt(rate * (1 - rate) / n))


def test_a_few_speeders_and_everyone_else_takes_minutes(sim):
    seconds = sim.responses["seconds"]
    speeders = seconds < 120
    assert 0.01 < speeders.mean() < 0.035
    minutes = seconds[~speeders] / 60
    assert 5 < minutes.median() < 10
    assert minutes.quantile(0.05) > 3.5
    assert minutes.quantile(0.95) < 14


def test_fixed_group_sizes_give_exactly_that_many_raters(instrument):
    frame = simulate(SimulationSettings(leaders=300, group_sizes=FIXED_12), instrument).responses
    counts = frame.groupby(["assessment", "group"]).size().unstack()
    assert len(frame) == 300 * 12
    for group, (size, _) in FIXED_12.items():
        assert (counts[group] == size).all()


def test_default_group_sizes_stay_in_range_and_some_fall_under_the_threshold(sim):
    counts = sim.responses.groupby(["assessment", "group"]).size().unstack(fill_value=0)
    for group, (low, high) in DEFAULT_GROUP_SIZES.items():
        assert counts[group].between(low, high).all()
        assert counts[group].min() == low
        assert counts[group].max() == high
    assert 11 < counts.sum(axis=1).mean() < 12  # uniform ranges average 11.5
    assert (counts["other"].between(1, 2)).mean() > 0.3


def test_group_sizes_not_given_keep_their_defaults(instrument):
    settings = SimulationSettings(leaders=200, group_sizes={"other": (0, 0)})
    frame = simulate(settings, instrument).responses
    assert "other" not in set(frame["group"])
    assert frame.groupby("assessment").size().max() <= 1 + 1 + 5 + 7


# --- comments ----------------------------------------------------------------------------


def _bank_texts() -> dict[str, tuple[set[str], set[str]]]:
    """Per question, (others' texts, self texts) rendered from comments.toml by hand."""
    bank = tomllib.loads(BANK.read_text(encoding="utf-8"))
    texts = {}
    for question in ("keep", "start", "stop"):
        phrases = [p for group in bank[question].values() for p in group]
        others = {p[0].upper() + p[1:] + "." for p in phrases}
        selves = {f"{pre} {p}." for pre in bank["self_prefixes"][question] for p in phrases}
        texts[question] = (others, selves)
    intent = bank["intent"]
    texts["intent"] = (
        {s for group in intent["others"].values() for s in group},
        {s for group in intent["self"].values() for s in group},
    )
    return texts


def test_comments_come_from_the_bank_and_self_writes_in_the_first_person(sim):
    frame = sim.responses
    is_self = frame["group"] == "self"
    for question, (others, selves) in _bank_texts().items():
        written = frame[question].notna()
        assert set(frame.loc[written & ~is_self, question]) <= others, question
        assert set(frame.loc[written & is_self, question]) <= selves, question
        self_texts = frame.loc[written & is_self, question]
        assert self_texts.str.contains(r"\b(?:I|my|My)\b").all(), question


def test_comment_share_follows_comment_rate(instrument):
    for rate in (0.0, 0.6):
        settings = SimulationSettings(leaders=300, seed=9, comment_rate=rate)
        frame = simulate(settings, instrument).responses
        careful = frame[frame["seconds"] >= 120]  # speeders write nothing
        shares = careful[["keep", "start", "stop", "intent"]].notna().mean()
        assert shares.to_numpy() == pytest.approx(rate, abs=0.03)


def test_keep_names_a_high_facet_and_start_a_low_one_of_the_raters_own_ratings(sim, instrument):
    bank = tomllib.loads(BANK.read_text(encoding="utf-8"))
    frame = sim.responses[sim.responses["group"] != "self"]
    scores = pd.DataFrame({f.id: frame[list(f.items)].mean(axis=1) for f in instrument.facets})
    for question, sign in (("keep", 1), ("start", -1)):
        facet_of = {
            p[0].upper() + p[1:] + ".": facet
            for facet, group in bank[question].items()
            if facet != "generic"
            for p in group
        }
        written = frame[question].dropna()
        chosen = written.map(facet_of)
        own = scores.loc[written.index]
        picked = np.array([own.at[row, facet] for row, facet in chosen.items()])
        caution = chosen.to_numpy() == "C1"
        picked = np.where(caution, 6 - picked, picked)  # a high C1 is a low point
        typical = own.drop(columns="C1").mean(axis=1).to_numpy()
        assert sign * np.nanmean(picked - typical) > 0.3, question


# --- settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"leaders": 0}, "leaders must be at least 1"),
        ({"leaders": -5}, "leaders must be at least 1"),
        ({"correlation": 1.0}, "correlation must be strictly between -1 and 1"),
        ({"correlation": -1.0}, "correlation must be strictly between -1 and 1"),
        ({"correlation": 1.5}, "correlation must be between"),
        ({"not_observed_rate": -0.1}, "not_observed_rate must be between 0.0 and 0.5"),
        ({"straightliner_rate": -0.01}, "straightliner_rate must be between 0.0 and 1.0"),
        ({"comment_rate": -0.5}, "comment_rate must be between 0.0 and 1.0"),
        ({"comment_rate": 1.5}, "comment_rate must be between 0.0 and 1.0"),
        ({"self_bias": float("nan")}, "self_bias must be between"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"group_sizes": {"boss": (1, 1)}}, "unknown groups"),
        ({"group_sizes": {"peer": (4, 2)}}, "min 4 above max 2"),
        ({"group_sizes": {"peer": (-1, 2)}}, "at least 0"),
        ({"group_sizes": {"peer": (3,)}}, r"\(min, max\) pair"),
        ({"group_sizes": {"self": (1, 2)}}, "at most one self rating"),
        ({"group_sizes": dict.fromkeys(GROUPS, (0, 0))}, "no respondents"),
    ],
)
def test_bad_settings_raise_value_error_with_a_clear_message(changes, message):
    with pytest.raises(ValueError, match=message):
        SimulationSettings(**{"leaders": 10, **changes})


@pytest.mark.parametrize("changes", [{"leaders": 2.5}, {"leaders": True}, {"correlation": "0.4"}])
def test_settings_of_the_wrong_type_raise_type_error(changes):
    with pytest.raises(TypeError):
        SimulationSettings(**{"leaders": 10, **changes})


def test_simulate_rejects_settings_that_are_not_simulation_settings():
    with pytest.raises(TypeError, match="SimulationSettings"):
        simulate({"leaders": 10})  # type: ignore[arg-type]


def test_a_custom_instrument_gets_its_own_columns_and_generic_comments():
    items = (
        Item("X1.1", "X1", "This person plans.", "I plan."),
        Item("X1.2", "X1", "This person tracks.", "I track."),
        Item("Y1.1", "Y1", "This person inspires.", "I inspire."),
        Item("Y1.2", "Y1", "This person listens.", "I listen."),
        Item("Q1", None, "I would follow this person.", None),
    )
    facets = (
        Facet("X1", "X", "managing", "", ("X1.1", "X1.2")),
        Facet("Y1", "Y", "leading", "", ("Y1.1", "Y1.2")),
    )
    axes = (Axis("managing", "M", "", ("X1",)), Axis("leading", "L", "", ("Y1",)))
    custom = Instrument(
        version="t",
        title="custom",
        scale=("1", "2", "3", "4", "5"),
        not_observed="Not observed",
        axes=axes,
        facets=facets,
        items=items,
        questions=(OpenQuestion("keep", "?", "?"), OpenQuestion("other", "?", "?")),
    )
    frame = simulate(SimulationSettings(leaders=50, seed=1), custom).responses
    expected = ["assessment", "group", "rater", "X1.1", "X1.2", "Y1.1", "Y1.2", "Q1"]
    assert frame.columns.tolist() == [*expected, "seconds", "keep", "other"]
    generic = tomllib.loads(BANK.read_text(encoding="utf-8"))["keep"]["generic"]
    others = frame.loc[frame["group"] != "self", "keep"].dropna()
    assert set(others) <= {p[0].upper() + p[1:] + "." for p in generic}
    assert frame["other"].isna().all()
    assert frame.loc[frame["group"] == "self", "Q1"].isna().all()
