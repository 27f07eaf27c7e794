"""The page plan: facet-neutral pages of about ten items, outcomes last, questions at the end."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter

import pytest

from leadwell.instrument import Facet, load_instrument
from leadwell.survey.layout import PAGE_SIZE, item_order, page_plan, wording


def _facet_of(instrument):
    return {item.id: item.facet for item in instrument.items}


@pytest.mark.parametrize("is_self", [False, True])
def test_every_item_appears_exactly_once(instrument, is_self):
    plan = page_plan(instrument, is_self=is_self)
    shown = plan.item_ids
    expected = [i.id for i in instrument.items if not (is_self and i.facet is None)]
    assert len(shown) == len(set(shown))
    assert sorted(shown) == sorted(expected)
    assert len(shown) == (56 if is_self else 59)


@pytest.mark.parametrize("is_self", [False, True])
def test_no_page_holds_more_than_ten_items_and_questions_come_last(instrument, is_self):
    plan = page_plan(instrument, is_self=is_self)
    *rating, last = plan.pages
    assert all(0 < len(page.item_ids) <= PAGE_SIZE for page in rating)
    assert max(len(p.item_ids) for p in rating) - min(len(p.item_ids) for p in rating) <= 1
    assert last.is_questions
    assert last.question_ids == instrument.question_ids
    assert [page.number for page in plan.pages] == list(range(1, len(plan) + 1))
    assert len(plan) == 7  # 6 rating pages (59 or 56 items) + the open questions


@pytest.mark.parametrize("is_self", [False, True])
def test_facets_are_interleaved(instrument, is_self):
    plan = page_plan(instrument, is_self=is_self)
    facet = _facet_of(instrument)
    for page in plan.pages:
        counts = Counter(facet[i] for i in page.item_ids if facet[i] is not None)
        assert max(counts.values(), default=0) <= 2, (page.number, counts)
    sequence = [facet[i] for i in plan.item_ids if facet[i] is not None]
    assert all(a != b for a, b in itertools.pairwise(sequence))
    # The canonical order (facet by facet) is not what raters see.
    assert list(plan.item_ids[:4]) != list(instrument.facets[0].items)


def test_outcome_items_close_the_last_rating_page_for_others_only(instrument):
    others = page_plan(instrument, is_self=False)
    last_rating = others.pages[-2]
    assert set(instrument.outcome_ids) <= set(last_rating.item_ids)
    assert last_rating.item_ids[-3:] == instrument.outcome_ids
    assert not set(instrument.outcome_ids) & set(page_plan(instrument, is_self=True).item_ids)


def test_the_order_is_fixed_for_an_instrument_version(instrument):
    reloaded = load_instrument("1")
    assert item_order(reloaded) == item_order(instrument)
    assert page_plan(reloaded, is_self=False) == page_plan(instrument, is_self=False)
    renamed = dataclasses.replace(instrument, version="1-test")
    assert item_order(renamed) != item_order(instrument)


def test_unequal_facets_are_spread_without_neighbours_where_possible(instrument):
    facets = (
        Facet("A", "A", "managing", "", tuple(f"A.{n}" for n in range(1, 9))),
        Facet("B", "B", "managing", "", ("B.1", "B.2", "B.3", "B.4")),
        Facet("C", "C", "leading", "", ("C.1", "C.2", "C.3", "C.4")),
    )
    order = item_order(dataclasses.replace(instrument, facets=facets, version="x"))
    assert sorted(order) == sorted(i for f in facets for i in f.items)
    letters = [item[0] for item in order]
    assert all(a != b for a, b in itertools.pairwise(letters)), letters


def test_self_assessment_uses_the_self_wordings(instrument):
    item = instrument.items[instrument.item_index["M1.1"]]
    assert wording(item, is_self=True) == item.self
    assert wording(item, is_self=True).startswith("I ")
    assert wording(item, is_self=False).startswith("This person")
    outcome = instrument.items[instrument.item_index["O1"]]
    with pytest.raises(ValueError, match="others only"):
        wording(outcome, is_self=True)
