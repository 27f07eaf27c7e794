"""The form of one survey page: radio choices per item, or text answers to the open questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from leadwell.survey.layout import Page, wording
from leadwell.survey.selectors import SurveyState
from leadwell.survey.services import COMMENT_LIMIT

__all__ = ["ITEM_PREFIX", "QUESTION_PREFIX", "Choice", "ItemRow", "PageForm", "QuestionRow"]

ITEM_PREFIX, QUESTION_PREFIX = "item-", "comment-"
NOT_OBSERVED_VALUE = "0"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    input_id: str
    checked: bool


@dataclass(frozen=True)
class ItemRow:
    """One item as the template draws it: a fieldset whose legend is the wording."""

    number: int
    name: str
    wording: str
    anchor: str
    choices: tuple[Choice, ...]
    error: str


@dataclass(frozen=True)
class QuestionRow:
    name: str
    wording: str
    anchor: str
    value: str
    error: str


class _CommentField(forms.CharField):
    """Text whose line breaks count once, as the browser's ``maxlength`` counts them."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\r\n", "\n").replace("\x00", "")


def _anchor(kind: str, entry_id: str) -> str:
    return f"{kind}-{entry_id.replace('.', '-')}"


class PageForm(forms.Form):
    """Answers of one page. Every field is optional: a blank item is simply not answered."""

    def __init__(self, data: Any = None, *, state: SurveyState, page: Page) -> None:
        super().__init__(data)
        self.state, self.page = state, page
        top = state.instrument.scale_max
        for item_id in page.item_ids:
            self.fields[ITEM_PREFIX + item_id] = forms.TypedChoiceField(
                choices=[(str(v), str(v)) for v in range(top + 1)],
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={
                    "invalid_choice": _(
                        "Choose one of the answers shown (1 to %(top)s, or %(none)s)."
                    )
                    % {"top": top, "none": state.instrument.not_observed}
                },
            )
        for question in page.question_ids:
            self.fields[QUESTION_PREFIX + question] = _CommentField(
                required=False,
                strip=True,
                max_length=COMMENT_LIMIT,
                error_messages={
                    "max_length": _(
                        "Please shorten this answer to %(limit_value)d characters or fewer "
                        "(it has %(show_value)d)."
                    )
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.data:
            strays = sorted(
                key[len(prefix) :]
                for key in self.data
                for prefix in (ITEM_PREFIX, QUESTION_PREFIX)
                if key.startswith(prefix) and key not in self.fields
            )
            if strays:
                raise forms.ValidationError(
                    _(
                        "This page has no question %(ids)s: it may have changed since you "
                        "opened it. Reload the page; what you saved before is kept."
                    )
                    % {"ids": ", ".join(strays)}
                )
        return cleaned

    def answers(self) -> dict[str, int | None]:
        return {
            item_id: self.cleaned_data.get(ITEM_PREFIX + item_id) for item_id in self.page.item_ids
        }

    def comments(self) -> dict[str, str]:
        return {q: self.cleaned_data.get(QUESTION_PREFIX + q) or "" for q in self.page.question_ids}

    # --- what the template draws ---------------------------------------------------------

    def _current(self, name: str, saved: object) -> str:
        if self.is_bound:
            value = self.data.get(name, "")
            return "" if value is None else str(value)
        return "" if saved is None else str(saved)

    def item_rows(self) -> list[ItemRow]:
        instrument, state = self.state.instrument, self.state
        labels = [
            *((str(i + 1), f"{i + 1} {label}") for i, label in enumerate(instrument.scale)),
            (NOT_OBSERVED_VALUE, instrument.not_observed),
        ]
        number = {item: i + 1 for i, item in enumerate(state.plan.item_ids)}
        rows = []
        for item_id in self.page.item_ids:
            name = ITEM_PREFIX + item_id
            current = self._current(name, state.answers.get(item_id))
            anchor = _anchor("item", item_id)
            item = instrument.items[instrument.item_index[item_id]]
            choices = tuple(
                Choice(value, label, f"{anchor}-{value}", current == value)
                for value, label in labels
            )
            error = " ".join(self.errors.get(name, [])) if self.is_bound else ""
            rows.append(
                ItemRow(
                    number[item_id],
                    name,
                    wording(item, is_self=state.is_self),
                    anchor,
                    choices,
                    error,
                )
            )
        return rows

    def question_rows(self) -> list[QuestionRow]:
        by_id = {q.id: q for q in self.state.instrument.questions}
        rows = []
        for question in self.page.question_ids:
            name = QUESTION_PREFIX + question
            current = self._current(name, self.state.comments.get(question, ""))
            error = " ".join(self.errors.get(name, [])) if self.is_bound else ""
            text = wording(by_id[question], is_self=self.state.is_self)
            rows.append(QuestionRow(name, text, _anchor("question", question), current, error))
        return rows

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary at the top of the page."""
        if not self.is_bound or self.is_valid():
            return []
        anchors = {ITEM_PREFIX + i: f"{_anchor('item', i)}-1" for i in self.page.item_ids}
        anchors.update(
            {QUESTION_PREFIX + q: _anchor("question", q) for q in self.page.question_ids}
        )
        number = {ITEM_PREFIX + item: i + 1 for i, item in enumerate(self.state.plan.item_ids)}
        labels = {QUESTION_PREFIX + q.id: q for q in self.state.instrument.questions}
        out = [("", message) for message in self.non_field_errors()]
        for name, messages in self.errors.items():
            if name in number:
                out.extend(
                    (anchors[name], _("Statement %(n)s: %(m)s") % {"n": number[name], "m": m})
                    for m in messages
                )
            elif name in labels:
                text = wording(labels[name], is_self=self.state.is_self)
                out.extend((anchors[name], f"“{text}”: {m}") for m in messages)
        return out
