"""Scoring a chunk of assessments at a time gives the figures of scoring the whole cycle at
once (anonymity is decided per assessment), so the export's memory is bounded by the chunk."""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.utils import timezone

from leadwell.cycles.answers import cycle_instrument, cycle_responses
from leadwell.exports.tables import cycle_tables
from leadwell.reports.selectors import scoring_settings
from leadwell.scoring import score_responses

GROUPS = ("self", "manager", "peer", "direct", "other")


@pytest.fixture
def varied(org, respond):
    """A closed cycle of 11 leaders with random rater layouts (0 to 5 per group), random
    answers with some "not observed", and a comment from every rater."""
    from leadwell.cycles.models import Assessment, Cycle
    from leadwell.orgs.models import Person

    rng = random.Random(20261123)
    cycle = Cycle.objects.create(
        organization=org, name="Varied", status=Cycle.RELEASED, released_at=timezone.now()
    )
    for n in range(11):
        leader = Person.objects.create(organization=org, name=f"L{n}", email=f"l{n}@acme.example")
        assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
        for group in GROUPS:
            for _ in range(rng.randint(0, 1 if group in ("self", "manager") else 5)):
                answers = [rng.choice([0, 1, 2, 3, 4, 5, 5, 4]) for _ in range(59)]
                text = f"note {rng.random():.6f}"
                respond(assessment, group, lambda i, a=answers: a[i], {"keep": text})
    return cycle


def _all_rows(cycle, chunk: int) -> dict[str, list[tuple]]:
    tables = cycle_tables(cycle, raw=True, exported_at=timezone.now(), chunk=chunk)
    return {t.name: list(t.rows()) for t in tables if t.name != "readme"}


def test_chunks_of_two_assessments_give_the_tables_of_one_chunk(varied):
    small, whole = _all_rows(varied, chunk=2), _all_rows(varied, chunk=10_000)
    assert set(small) == {"assessments", "figures", "gaps", "comments", "responses"}
    assert len(small["assessments"]) == 11
    assert len(small["figures"]) > 1000
    for name in small:
        assert len(small[name]) == len(whole[name]), name
        for mine, theirs in zip(small[name], whole[name], strict=True):
            assert _same(mine, theirs), (name, mine, theirs)


def _same(a: tuple, b: tuple) -> bool:
    """Equal rows: text, counts and blanks exactly, numbers to 1e-12 (see the next test)."""
    return len(a) == len(b) and all(
        x == pytest.approx(y, rel=1e-12) if isinstance(x, float) else x == y
        for x, y in zip(a, b, strict=True)
    )


def test_chunked_figures_equal_scoring_the_whole_cycle_at_once(varied):
    """The independent path: the engine on every response of the cycle in one call. The same
    rows, groups and n exactly; means and SDs to 1e-12 (numpy may add a pooled group's values
    in another order when other assessments share the arrays: on PostgreSQL one axis SD of
    this cycle differs in its last bit)."""
    scores = score_responses(
        cycle_responses(varied), cycle_instrument(varied), scoring_settings(varied)
    )
    tidy = scores.tidy()
    expected = list(
        zip(
            tidy["assessment"].astype(int),
            tidy["figure"].astype(str),
            tidy["group"].astype(str),
            tidy["n"].astype(int),
            tidy["mean"],
            tidy["sd"],
            strict=True,
        )
    )
    got = [
        (a, figure, group, n, mean, np.nan if sd is None else sd)
        for a, _, figure, group, n, mean, sd in _all_rows(varied, chunk=3)["figures"]
    ]
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine[:4] == theirs[:4]
        assert mine[4] == pytest.approx(theirs[4], rel=1e-12)
        assert mine[5] == pytest.approx(theirs[5], rel=1e-12, nan_ok=True), (mine, theirs)


def test_progress_counts_every_assessment_of_every_table_once(varied):
    seen: list[tuple[int, int]] = []
    tables = cycle_tables(
        varied,
        tables=["figures", "gaps"],
        exported_at=timezone.now(),
        chunk=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    for table in tables:
        list(table.rows())
    # 11 assessments in chunks of 4, 4, 3, for two tables.
    assert seen == [(4, 22), (8, 22), (11, 22), (15, 22), (19, 22), (22, 22)]
