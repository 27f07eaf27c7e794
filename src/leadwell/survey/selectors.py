"""Reads that feed the survey's pages: where a rater is, what they answered so far."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from leadwell.cycles.answers import cycle_instrument, decode_answers
from leadwell.cycles.models import Draft, Invitation
from leadwell.instrument import Instrument
from leadwell.survey.layout import PagePlan, page_plan
from leadwell.survey.services import NOT_OBSERVED, STARTED

__all__ = ["GROUP_ROLES", "SurveyState", "minutes_needed", "survey_state"]

#: How the intro names the rater's relation to the leader.
GROUP_ROLES = {
    "self": _("yourself"),
    "manager": _("their manager"),
    "peer": _("a peer"),
    "direct": _("someone who reports to them"),
    "other": _("a colleague who works with them"),
}


@dataclass(frozen=True)
class SurveyState:
    """One rater's survey as it stands: the plan, the saved answers, where they left off."""

    invitation: Invitation
    instrument: Instrument
    plan: PagePlan
    answers: dict[str, int | None]  # item → 1-5, 0 for "Not observed" chosen, None unanswered
    comments: dict[str, str]
    page: int  # where to continue: 1..len(plan), len(plan) + 1 is the review step
    started: float | None
    has_draft: bool

    @property
    def is_self(self) -> bool:
        return self.plan.is_self

    @property
    def leader_name(self) -> str:
        return str(self.invitation.assessment.leader.name)

    @property
    def review_step(self) -> int:
        return len(self.plan) + 1

    def unanswered(self) -> list[tuple[int, int]]:
        """(page number, how many items without an answer) for each page that has some."""
        out = []
        for page in self.plan.pages:
            missing = sum(1 for item in page.item_ids if self.answers.get(item) is None)
            if missing:
                out.append((page.number, missing))
        return out

    def submitted_answers(self) -> dict[str, int | None]:
        """What a submit stores: every item of the plan, "Not observed" and blanks as None."""
        return {item: (self.answers.get(item) or None) for item in self.plan.item_ids}

    def seconds(self) -> float | None:
        return None if self.started is None else max(0.0, time.time() - self.started)


def survey_state(invitation: Invitation) -> SurveyState:
    """The state of ``invitation``'s survey, from its draft (loaded with the invitation)."""
    instrument = cycle_instrument(invitation.assessment.cycle)
    plan = page_plan(instrument, is_self=invitation.group == "self")
    try:
        draft: Draft | None = invitation.draft
    except Draft.DoesNotExist:
        draft = None
    if draft is None:
        answers: dict[str, int | None] = dict.fromkeys(plan.item_ids)
        return SurveyState(invitation, instrument, plan, answers, {}, 1, None, False)
    decoded = decode_answers(draft.answers, instrument)
    skipped = set(draft.comments.get(NOT_OBSERVED, ()))
    answers = {
        item: (0 if item in skipped and decoded[item] is None else decoded[item])
        for item in plan.item_ids
    }
    comments = {
        q: str(draft.comments[q]) for q in plan.question_ids if draft.comments.get(q) is not None
    }
    started = draft.comments.get(STARTED)
    page = min(max(1, draft.page), len(plan) + 1)
    return SurveyState(
        invitation,
        instrument,
        plan,
        answers,
        comments,
        page,
        float(started) if isinstance(started, int | float) else None,
        True,
    )


def minutes_needed(plan: PagePlan) -> int:
    """A fair estimate of the time a survey takes: about 10 s per item, 30 s per question."""
    return max(5, math.ceil(len(plan.item_ids) / 6 + len(plan.question_ids) / 2))
