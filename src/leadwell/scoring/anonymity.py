"""The anonymity folding of the scoring contract (MODEL.md, rule 3), for many figures at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadwell.scoring.settings import ANONYMOUS, GROUPS, LABELS

__all__ = ["Visibility", "fold"]

_SELF, _MANAGER = GROUPS.index("self"), GROUPS.index("manager")
_OTHERS, _ALL_OTHERS = LABELS.index("others"), LABELS.index("all_others")
_ANON = np.array(ANONYMOUS)
# Fold order on ties: other, then direct, then peer (positions within ANONYMOUS).
_TIE_ORDER = np.array([GROUPS.index(g) - ANONYMOUS[0] for g in ("other", "direct", "peer")])


@dataclass(frozen=True)
class Visibility:
    """Which groups each figure may be shown for, and who is inside each shown group.

    Attributes
    ----------
    shown : ndarray of bool, shape (..., len(LABELS))
        Whether the figure is shown for each label.
    folded : ndarray of bool, shape (..., len(ANONYMOUS))
        Which anonymous groups (peer, direct, other) form the remainder ``others``.
        ``all_others`` always holds the manager and every anonymous group; a declared group
        holds itself.
    """

    shown: np.ndarray
    folded: np.ndarray


def fold(counts: np.ndarray, k: int) -> Visibility:
    """Decide, per figure, which rater groups are shown and what the folded remainder holds.

    Parameters
    ----------
    counts : ndarray of int, shape (..., 5)
        Contributors to each figure per declared group, in the order of ``GROUPS``.
    k : int
        Anonymity threshold.

    Returns
    -------
    Visibility

    Notes
    -----
    ``self`` and ``manager`` are shown when present. An anonymous group (peer, direct, other) is
    shown on its own with at least ``k`` contributors; the rest form ``others``. While ``others``
    has between 1 and ``k - 1`` contributors, the smallest shown anonymous group (ties: other,
    direct, peer) is folded into it. ``others`` is shown with at least ``k`` contributors and
    ``all_others`` when at least ``k`` anonymous raters contribute. Every shown figure, and every
    difference of shown figures, then rests on at least ``k`` anonymous raters or names the
    manager. At most three folds can happen, so the loop below runs over folds, not figures.
    """
    counts = np.asarray(counts)
    anon = counts[..., _ANON]
    alone = anon >= k
    remainder = np.where(alone, 0, anon).sum(axis=-1)
    for _ in range(len(ANONYMOUS)):
        needs_fold = (remainder >= 1) & (remainder < k) & alone.any(axis=-1)
        if not needs_fold.any():
            break
        sizes = np.where(alone, anon, np.iinfo(anon.dtype).max)[..., _TIE_ORDER]
        smallest = _TIE_ORDER[np.argmin(sizes, axis=-1)]
        folded = (np.arange(len(ANONYMOUS)) == smallest[..., None]) & needs_fold[..., None]
        alone &= ~folded
        remainder = np.where(alone, 0, anon).sum(axis=-1)

    shown = np.zeros((*counts.shape[:-1], len(LABELS)), dtype=bool)
    shown[..., _SELF] = counts[..., _SELF] > 0
    shown[..., _MANAGER] = counts[..., _MANAGER] > 0
    shown[..., _ANON] = alone
    shown[..., _OTHERS] = remainder >= k
    shown[..., _ALL_OTHERS] = anon.sum(axis=-1) >= k
    return Visibility(shown=shown, folded=~alone)
