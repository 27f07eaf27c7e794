"""The page plan of an instrument: which items a rater sees on which page, in which order.

Items are shown in an order that does not reveal the facets: a fixed pseudo-random order seeded
by the instrument version (the same for every rater and every request, so a rater who comes back
finds their page as they left it), built greedily so that no two items of one facet are adjacent
where the counts allow it. With facets of equal size this is a round-robin over the facets in a
new shuffled order each round, so a page of at most 10 items with 14 facets holds at most two
items of any facet.

Pages hold about :data:`PAGE_SIZE` items, balanced (59 items give 10, 10, 10, 10, 10, 9).
Outcome items (others only) close the last rating page; the open questions get a page of their
own at the end. A self-assessment uses the self wordings and has no outcome items.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from functools import cache

from leadwell.instrument import Instrument, Item, OpenQuestion

__all__ = ["PAGE_SIZE", "Page", "PagePlan", "item_order", "page_plan", "wording"]

PAGE_SIZE = 10


@dataclass(frozen=True)
class Page:
    """One page: rating items, or (the last page) the open questions."""

    number: int  # 1-based
    item_ids: tuple[str, ...] = ()
    question_ids: tuple[str, ...] = ()

    @property
    def is_questions(self) -> bool:
        return bool(self.question_ids) and not self.item_ids


@dataclass(frozen=True)
class PagePlan:
    version: str
    is_self: bool
    pages: tuple[Page, ...]

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Every item the rater answers, in the order shown."""
        return tuple(item for page in self.pages for item in page.item_ids)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q for page in self.pages for q in page.question_ids)

    def page(self, number: int) -> Page:
        if not 1 <= number <= len(self.pages):
            raise ValueError(f"page {number} does not exist (pages 1 to {len(self.pages)})")
        return self.pages[number - 1]

    def page_of(self, item_id: str) -> int:
        for page in self.pages:
            if item_id in page.item_ids:
                return page.number
        raise ValueError(f"item {item_id} is not in this survey")


def wording(entry: Item | OpenQuestion, *, is_self: bool) -> str:
    """The text a rater reads: the self wording in a self-assessment, else the rater wording."""
    text = entry.self if is_self else entry.rater
    if text is None:
        raise ValueError(f"{entry.id} has no self wording: outcome items are for others only")
    return text


def page_plan(instrument: Instrument, *, is_self: bool) -> PagePlan:
    """The pages of ``instrument`` for a rater (``is_self`` False) or a self-assessment."""
    return _plan(instrument, is_self)


@cache
def _plan(instrument: Instrument, is_self: bool) -> PagePlan:
    facet_items = item_order(instrument)
    outcomes = () if is_self else instrument.outcome_ids
    chunks = _split(facet_items, outcomes)
    pages = [Page(number=i + 1, item_ids=chunk) for i, chunk in enumerate(chunks)]
    if instrument.question_ids:
        pages.append(Page(number=len(pages) + 1, question_ids=instrument.question_ids))
    return PagePlan(version=instrument.version, is_self=is_self, pages=tuple(pages))


def item_order(instrument: Instrument) -> tuple[str, ...]:
    """The facet items in display order, fixed for an instrument version.

    Each step takes an item of a facet with the most items left, never the facet of the item
    just placed when another is available; ties go to a seeded random draw.
    """
    seed = hashlib.sha256(f"leadwell-layout/{instrument.version}".encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8], "big"))
    queues = {facet.id: rng.sample(facet.items, len(facet.items)) for facet in instrument.facets}
    order: list[str] = []
    previous = None
    while any(queues.values()):
        candidates = [f for f, items in queues.items() if items and f != previous]
        if not candidates:  # only the previous facet has items left: adjacency is unavoidable
            candidates = [f for f, items in queues.items() if items]
        most = max(len(queues[f]) for f in candidates)
        previous = rng.choice([f for f in candidates if len(queues[f]) == most])
        order.append(queues[previous].pop())
    return tuple(order)


def _split(items: tuple[str, ...], outcomes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Balanced pages of at most PAGE_SIZE, with every outcome item on the last page."""
    sequence = items + outcomes
    count = max(1, math.ceil(len(sequence) / PAGE_SIZE))
    sizes = _balanced(len(sequence), count)
    if outcomes and sizes[-1] < len(outcomes):  # more outcome items than a page: own page
        sizes = [*_balanced(len(items), max(1, math.ceil(len(items) / PAGE_SIZE))), len(outcomes)]
    chunks, start = [], 0
    for size in sizes:
        chunks.append(sequence[start : start + size])
        start += size
    return [chunk for chunk in chunks if chunk]


def _balanced(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + 1] * extra + [base] * (parts - extra)
