"""A cycle's results as tables of rows, read and scored a chunk of assessments at a time.

Every figure comes from :class:`leadwell.scoring.CycleScores` (the report object), so the
anonymity rule is the one scoring applied: hidden figures and groups are absent, min and max are
never exported, comments only where rule 9 shows them. Anonymity is decided per assessment, so
scoring :data:`CHUNK` assessments at a time gives the same figures as scoring the whole cycle
while memory stays bounded by the chunk, not the cycle.

A :class:`Table` has its columns and a ``rows()`` that starts a fresh pass each time it is
called; writers (:mod:`leadwell.exports.writers`) turn tables into CSV, XLSX or JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from leadwell.cycles.answers import cycle_instrument, cycle_responses
from leadwell.cycles.models import Assessment, Cycle, Response
from leadwell.exports import readme as about
from leadwell.exports.readme import Column
from leadwell.reports.selectors import ADMIN_PREVIEW, scoring_settings
from leadwell.scoring import GROUPS, LABELS, CycleScores, score_responses
from leadwell.scoring.anonymity import fold
from leadwell.scoring.settings import ANONYMOUS

__all__ = [
    "CHUNK",
    "DEFAULT_TABLES",
    "TABLE_NAMES",
    "Column",
    "ExportError",
    "Table",
    "check_request",
    "cycle_tables",
]

CHUNK = 2000  # assessments scored at a time: about 24,000 responses of 12 raters
FETCH = 2000  # raw responses per database round trip
_SLICE = 20_000  # figure rows turned into Python objects at a time
TABLE_NAMES = ("assessments", "figures", "gaps", "comments", "responses")
DEFAULT_TABLES = ("assessments", "figures", "gaps", "comments")
_SELF, _OTHERS, _ALL_OTHERS = (LABELS.index(g) for g in ("self", "others", "all_others"))
_GONE = ("", "", "", "")  # an assessment removed from the cycle while the export ran
_FLAGS = {1: "blind_spot", -1: "hidden_strength", 0: None}

Progress = Callable[[int, int], None]


class ExportError(ValueError):
    """An export that cannot be made as asked; the message says why, for the person asking."""


@dataclass(frozen=True)
class Table:
    name: str
    about: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple[Any, ...]]]

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def check_request(cycle: Cycle, tables: Sequence[str] | None, raw: bool) -> tuple[str, ...]:
    """The tables an export will hold, in order, or :class:`ExportError` saying why not."""
    if cycle.status not in ADMIN_PREVIEW:
        raise ExportError(
            "Results can be exported once the cycle is closed: while answers can still arrive, "
            "watching the figures change would reveal what one rater answered."
        )
    chosen = tuple(tables) if tables else DEFAULT_TABLES + (("responses",) if raw else ())
    unknown = sorted(set(chosen) - set(TABLE_NAMES))
    if unknown:
        raise ExportError(
            f"Unknown table(s): {', '.join(unknown)}. The tables are {', '.join(TABLE_NAMES)}."
        )
    if "responses" in chosen and not raw:
        raise ExportError("The raw responses table is exported only when raw is asked for.")
    return tuple(name for name in TABLE_NAMES if name in chosen)


def cycle_tables(
    cycle: Cycle,
    *,
    tables: Sequence[str] | None = None,
    raw: bool = False,
    exported_at: datetime,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> list[Table]:
    """The readme, then each chosen table of ``cycle`` (see :data:`TABLE_NAMES`).

    ``progress(done, total)`` is called after each chunk of assessments of each table.
    """
    names = check_request(cycle, tables, raw)
    source = _Source(cycle, chunk, len(names), progress)
    made = {
        "assessments": lambda: Table(
            "assessments", about.ASSESSMENTS, about.assessment_columns(), source.assessments
        ),
        "figures": lambda: Table("figures", about.FIGURES, about.figure_columns(), source.figures),
        "gaps": lambda: Table("gaps", about.GAPS, about.gap_columns(), source.gaps),
        "comments": lambda: Table(
            "comments", about.COMMENTS, about.comment_columns(), source.comments
        ),
        "responses": lambda: Table(
            "responses",
            about.RESPONSES,
            about.response_columns(source.instrument.item_ids),
            source.responses,
        ),
    }
    chosen = [made[name]() for name in names]
    readme = about.readme_rows(cycle, source.instrument, source.settings, exported_at, chosen)
    return [Table("readme", about.README, about.README_COLUMNS, lambda: iter(readme)), *chosen]


@dataclass
class _Scored:
    ids: list[int]
    leaders: dict[int, tuple[str, str, str, str]]
    scores: CycleScores
    position: dict[int, int]


class _Source:
    """Reads and scores a cycle one chunk of assessments at a time, for every table."""

    def __init__(self, cycle: Cycle, chunk: int, passes: int, progress: Progress | None) -> None:
        self.cycle = cycle
        self.instrument = cycle_instrument(cycle)
        self.settings = scoring_settings(cycle)
        self.chunk = chunk
        self.ids = list(
            Assessment.objects.filter(organization_id=cycle.organization_id, cycle=cycle)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.total = len(self.ids) * passes
        self.done = 0
        self.progress = progress

    def _advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def _chunks(self) -> Iterator[list[int]]:
        for start in range(0, len(self.ids), self.chunk):
            ids = self.ids[start : start + self.chunk]
            yield ids
            self._advance(len(ids))

    def _leaders(self, ids: list[int]) -> dict[int, tuple[str, str, str, str]]:
        rows = Assessment.objects.filter(cycle=self.cycle, pk__in=ids).values_list(
            "pk", "leader__name", "leader__email", "leader__unit__name", "leader__level"
        )
        return {pk: (name, email, unit or "", level) for pk, name, email, unit, level in rows}

    def _scored(self, *, comments: bool = False) -> Iterator[_Scored]:
        for ids in self._chunks():
            responses = cycle_responses(self.cycle, ids, comments=comments)
            scores = score_responses(responses, self.instrument, self.settings)
            position = {int(a): i for i, a in enumerate(scores.assessment_ids)}
            yield _Scored(ids, self._leaders(ids), scores, position)

    def assessments(self) -> Iterator[tuple[Any, ...]]:
        nobody = (None,) * (len(LABELS) + 2)
        for part in self._scored():
            scores = part.scores
            counts = _shown_counts(scores.group_counts, self.settings.k)
            axes = scores.axes.mean[_ALL_OTHERS]
            for pk in part.ids:
                leader = part.leaders.get(pk)
                if leader is None:  # removed from the cycle while the export ran
                    continue
                i = part.position.get(pk)
                if i is None:  # nobody answered
                    yield (pk, *leader, "insufficient", *nobody)
                    continue
                yield (pk, *leader, scores.quadrant_name(i), *_numbers(axes[i]), *counts[i])

    def figures(self) -> Iterator[tuple[Any, ...]]:
        for part in self._scored():
            tidy = part.scores.tidy()
            names = {pk: leader[0] for pk, leader in part.leaders.items()}
            for start in range(0, len(tidy), _SLICE):
                piece = tidy.iloc[start : start + _SLICE]
                assessment = piece["assessment"].tolist()
                yield from zip(
                    assessment,
                    [names.get(int(a), "") for a in assessment],
                    piece["figure"].astype(str).tolist(),
                    piece["group"].astype(str).tolist(),
                    piece["n"].tolist(),
                    _numbers(piece["mean"].to_numpy()),
                    _numbers(piece["sd"].to_numpy()),
                    strict=True,
                )

    def gaps(self) -> Iterator[tuple[Any, ...]]:
        facet_ids = self.instrument.facet_ids
        for part in self._scored():
            scores = part.scores
            a, f = np.nonzero(~np.isnan(scores.gaps))
            own = scores.facets.mean[_SELF, a, f].tolist()
            others = scores.facets.mean[_ALL_OTHERS, a, f].tolist()
            gaps = scores.gaps[a, f].tolist()
            flags = scores.gap_flags[a, f].tolist()
            for j, i in enumerate(a.tolist()):
                pk = int(scores.assessment_ids[i])
                leader = part.leaders.get(pk, _GONE)[0]
                yield (pk, leader, facet_ids[f[j]], own[j], others[j], gaps[j], _FLAGS[flags[j]])

    def comments(self) -> Iterator[tuple[Any, ...]]:
        for part in self._scored(comments=True):
            scores = part.scores
            for i in np.flatnonzero(scores.comments_shown).tolist():
                pk = int(scores.assessment_ids[i])
                leader = part.leaders.get(pk, _GONE)[0]
                # Rule 9 as scoring applies it: pooled non-self comments, sorted by text.
                pooled = scores.comments_of(i) or {}
                for question in self.instrument.question_ids:
                    for text in pooled.get(question, ()):
                        yield (pk, leader, question, text)

    def responses(self) -> Iterator[tuple[Any, ...]]:
        width = len(self.instrument.item_ids)
        number = 0
        for ids in self._chunks():
            leaders = self._leaders(ids)
            shown = self._shown_groups(ids)
            rows = (
                Response.objects.filter(
                    organization_id=self.cycle.organization_id, assessment_id__in=ids
                )
                .order_by("assessment_id", "id")  # random ids: no trace of submission order
                .values_list("assessment_id", "group", "answers")
                .iterator(chunk_size=FETCH)
            )
            for pk, group, blob in rows:
                label = shown.get((pk, group))
                if label is None:  # too few anonymous raters: the admin knows who submitted
                    continue
                answers = bytes(blob)
                if len(answers) != width:
                    raise ExportError(
                        f"A stored response of assessment {pk} has {len(answers)} answers; "
                        f"instrument version {self.instrument.version} has {width} items."
                    )
                number += 1
                yield (number, pk, leaders.get(pk, _GONE)[0], label, *[v or None for v in answers])

    def _shown_groups(self, ids: list[int]) -> dict[tuple[int, str], str]:
        """Each (assessment, declared group) whose raw rows may be exported, with its label.

        Self and manager always (they are not anonymous). Anonymous rows only where every
        anonymous group present has at least k raters: where one has 1 to k-1, no label
        keeps its few rows apart, because the report folds figures item by item (a rater's
        "not observed" changes which groups are shown for that item), so the figures would
        point at which rows belong to that small group, whose members the admin knows.
        """
        from django.db.models import Count

        org = self.cycle.organization_id
        found = (
            Response.objects.filter(organization_id=org, assessment_id__in=ids)
            .values_list("assessment_id", "group")
            .annotate(count=Count("id"))
            .order_by()
        )
        counts: dict[int, np.ndarray] = {}
        for pk, group, count in found:
            row = counts.setdefault(pk, np.zeros(len(GROUPS), dtype=np.int64))
            row[GROUPS.index(group)] = count
        k = self.settings.k
        labels: dict[tuple[int, str], str] = {}
        for pk, row in counts.items():
            anonymous = row[list(ANONYMOUS)]
            whole = bool(((anonymous == 0) | (anonymous >= k)).all()) and anonymous.sum() >= k
            for g, group in enumerate(GROUPS):
                if row[g] and (g not in ANONYMOUS or whole):
                    labels[(pk, group)] = group
        return labels


def _shown_counts(group_counts: np.ndarray, k: int) -> list[tuple[int | None, ...]]:
    """Respondents per label as the assessment shows them (None where a label is not shown):
    the five declared groups, the folded remainder ``others`` and ``all_others``."""
    visible = fold(group_counts, k)
    anonymous = group_counts[:, list(ANONYMOUS)]
    per_label = np.concatenate(
        [
            group_counts,
            (anonymous * visible.folded).sum(axis=1, keepdims=True),
            group_counts[:, 1:].sum(axis=1, keepdims=True),
        ],
        axis=1,
    )
    cells = np.where(visible.shown, per_label, -1).tolist()
    return [tuple(None if n < 0 else n for n in row) for row in cells]


def _numbers(values: np.ndarray) -> list[float | None]:
    """Floats as Python numbers, NaN (not shown, or an SD of one rater) as None."""
    return [None if v != v else v for v in np.asarray(values, dtype=np.float64).tolist()]
