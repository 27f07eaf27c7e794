"""What each exported table and column means: the columns of :mod:`leadwell.exports.tables`
and the rows of the "readme" table that travels with every export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from leadwell.instrument import Instrument
from leadwell.scoring import GROUPS, LABELS, ScoringSettings

if TYPE_CHECKING:
    from leadwell.cycles.models import Cycle
    from leadwell.exports.tables import Table

__all__ = [
    "ASSESSMENTS",
    "COMMENTS",
    "FIGURES",
    "GAPS",
    "README",
    "README_COLUMNS",
    "RESPONSES",
    "Column",
    "assessment_columns",
    "comment_columns",
    "figure_columns",
    "gap_columns",
    "readme_rows",
    "response_columns",
]

README = "What each table and column of this export means, and the rules it follows."
ASSESSMENTS = "One row per leader of the cycle: who, where the raters place them, who answered."
FIGURES = (
    "One row per shown figure (axis, facet or item mean) per rater group, full precision. "
    "Figures the anonymity rule hides are absent."
)
GAPS = "Self minus all others per facet, where both are shown."
COMMENTS = (
    "Answers to the open questions, pooled per leader and question, unattributed, sorted by "
    "text; only for leaders with at least k anonymous raters. Self comments are left out."
)
RESPONSES = (
    "Raw answers: one row per submitted response, numbered 1..n in an order that follows "
    "neither submission nor rater; the rater's group; no rater, time or comment. A leader's "
    "anonymous rows are included only when each anonymous group (peer, direct, other) has "
    "none or at least k raters; otherwise only their self and manager rows."
)
ANONYMITY = (
    "Self and manager are shown when present. Peer, direct and other are shown on their own "
    "with at least k raters; the rest form 'others', shown with at least k (a shown group is "
    "folded in while 'others' has 1 to k-1). 'all_others' (everyone but self) needs at least "
    "k anonymous raters. So every figure, and every difference of figures, rests on at least k "
    "anonymous raters or names the manager. Minimum and maximum are never exported."
)


Kind = Literal["int", "float", "text"]


@dataclass(frozen=True)
class Column:
    """A column of an exported table: its name, what its cells hold, what it means, and its
    width in characters for spreadsheets. Writers escape ``text`` cells, never numbers."""

    name: str
    kind: Kind
    about: str
    width: int = 12


def _column(name: str, kind: Kind, about: str, width: int = 12) -> Column:
    return Column(name, kind, about, width)


def _who() -> list[Column]:
    return [
        _column("assessment", "int", "The assessment's id (one leader in this cycle).", 11),
        _column("leader", "text", "The leader's name.", 24),
    ]


def assessment_columns() -> tuple[Column, ...]:
    counts = [
        _column(f"n_{label}", "int", f"Respondents in '{label}', blank where not shown.", 9)
        for label in LABELS
    ]
    return (
        *_who(),
        _column("email", "text", "The leader's email address.", 28),
        _column("unit", "text", "The leader's unit.", 18),
        _column("level", "text", "The leader's level.", 14),
        _column(
            "quadrant",
            "text",
            "manager-leader, optimizer, catalyst, specialist, or insufficient (too few "
            "anonymous raters).",
            15,
        ),
        _column("managing", "float", "All others' managing axis score, 1-5.", 11),
        _column("leading", "float", "All others' leading axis score, 1-5.", 11),
        *counts,
    )


def figure_columns() -> tuple[Column, ...]:
    return (
        *_who(),
        _column("figure", "text", "'managing', 'leading', a facet id (M1..C1) or an item id."),
        _column("group", "text", f"The rater group: {', '.join(LABELS)}.", 11),
        _column("n", "int", "Raters who contribute to this figure.", 6),
        _column("mean", "float", "Mean on the 1-5 scale ('not observed' left out)."),
        _column("sd", "float", "Sample standard deviation (n-1), blank with one rater."),
    )


def gap_columns() -> tuple[Column, ...]:
    return (
        *_who(),
        _column("facet", "text", "The facet id.", 8),
        _column("self", "float", "The leader's own facet score."),
        _column("all_others", "float", "All others' facet score."),
        _column("gap", "float", "self minus all_others."),
        _column(
            "flag",
            "text",
            "blind_spot (gap >= the cycle's gap threshold; on the caution scale C1, "
            "others see more than self) or hidden_strength (the reverse); blank otherwise.",
            16,
        ),
    )


def comment_columns() -> tuple[Column, ...]:
    return (
        *_who(),
        _column("question", "text", "The open question's id."),
        _column("text", "text", "One comment, as written.", 80),
    )


def response_columns(item_ids: Sequence[str]) -> tuple[Column, ...]:
    items = [_column(i, "int", "Answer 1-5; blank is 'not observed'.", 6) for i in item_ids]
    return (
        _column("response", "int", "Row number 1..n (not an id of any stored record).", 10),
        *_who(),
        _column("group", "text", f"{', '.join(GROUPS)}.", 10),
        *items,
    )


README_COLUMNS = (
    Column("table", "text", "The table the line is about ('export' for the whole export).", 14),
    Column("column", "text", "The column, or what the line states.", 22),
    Column("meaning", "text", "What it means.", 100),
)


def readme_rows(
    cycle: Cycle,
    instrument: Instrument,
    settings: ScoringSettings,
    exported_at: datetime,
    tables: Sequence[Table],
) -> list[tuple[str, str, str]]:
    """The readme table: the export's facts, the rules, then every table and column."""
    facts = [
        ("cycle", f"{cycle.name} (id {cycle.pk}), status {cycle.status}"),
        ("instrument", f"version {instrument.version}"),
        ("k", f"{settings.k}: the anonymity threshold of this cycle"),
        ("cut", f"{settings.cut}: the quadrant cut on both axes"),
        ("gap threshold", f"{settings.gap}"),
        ("exported_at", exported_at.isoformat(timespec="seconds")),
        ("anonymity", ANONYMITY),
        ("numbers", "Full precision; blank (null in JSON) means not shown or not defined."),
        (
            "text cells",
            "In CSV and XLSX a text starting with = + - @ or a tab is prefixed with ' so that "
            "no spreadsheet runs it as a formula; JSON keeps the text as written.",
        ),
    ]
    rows = [("export", name, meaning) for name, meaning in facts]
    for table in tables:
        rows.append((table.name, "", table.about))
        rows.extend((table.name, c.name, c.about) for c in table.columns)
    return rows
