"""A cycle's responses as columnar arrays: the one input the scoring engine reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leadwell.scoring.settings import GROUPS

__all__ = ["Responses"]


@dataclass(frozen=True)
class Responses:
    """Every response of a cycle, one row per respondent.

    Attributes
    ----------
    assessment_ids : ndarray of object, shape (A,)
        The assessments' labels; ``assessment`` holds positions in it.
    assessment : ndarray of int, shape (n,)
        Which assessment each response is about.
    group : ndarray of int8, shape (n,)
        The declared rater group, a position in ``GROUPS``.
    answers : ndarray of uint8, shape (n, items)
        Answers 1-5 in the instrument's item order; 0 is "not observed".
    comments : dict of str to ndarray of object
        Per open question, each response's cell as it came (text, or NaN/None/"" when none);
        outputs strip and pool them (rule 9).
    seconds : ndarray of float or None
        Time each respondent took, where known.
    """

    assessment_ids: np.ndarray
    assessment: np.ndarray
    group: np.ndarray
    answers: np.ndarray
    comments: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.assessment)
        if self.answers.ndim != 2 or self.answers.shape[0] != n or len(self.group) != n:
            raise ValueError("assessment, group and answers must have one entry per response")
        if self.answers.dtype != np.uint8:
            raise TypeError("answers must be uint8 codes (0 = not observed, 1-5)")
        if n and (self.group.min() < 0 or self.group.max() >= len(GROUPS)):
            raise ValueError(f"group codes must lie in 0..{len(GROUPS) - 1}")

    def __len__(self) -> int:
        return len(self.assessment)

    def sorted(self) -> Responses:
        """The same responses ordered by assessment, then group (stable: file order within)."""
        key = self.key()
        if len(key) < 2 or bool(np.all(key[1:] >= key[:-1])):
            return self
        order = np.argsort(key, kind="stable")
        return Responses(
            assessment_ids=self.assessment_ids,
            assessment=self.assessment[order],
            group=self.group[order],
            answers=self.answers[order],
            comments={q: text[order] for q, text in self.comments.items()},
            seconds=None if self.seconds is None else self.seconds[order],
        )

    def key(self) -> np.ndarray:
        key: np.ndarray = self.assessment.astype(np.int64) * len(GROUPS) + self.group
        return key
