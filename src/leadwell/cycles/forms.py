"""Forms of the cycles pages: they parse input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.conf import settings

from leadwell.cycles.models import GROUP_CHOICES
from leadwell.instrument import RELEASED

__all__ = ["CycleForm", "EmailForm", "NominationForm", "OpenForm"]

_PROPOSE_GROUPS = [(g, label) for g, label in GROUP_CHOICES if g not in ("self", "manager")]
_ADMIN_GROUPS = [*_PROPOSE_GROUPS, ("manager", "Manager")]


class CycleForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For example “Spring 2026”.")
    instrument_version = forms.ChoiceField(
        label="Instrument version",
        help_text="Fixed once the cycle is created.",
    )
    min_anonymous = forms.IntegerField(
        label="Anonymity threshold (raters)",
        min_value=2,
        max_value=20,
        help_text="The fewest anonymous raters whose answers are shown together.",
    )
    max_raters = forms.IntegerField(
        label="Most raters per leader",
        min_value=3,
        max_value=100,
        help_text="Counts every rater except the leader themself.",
    )
    deadline = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional; shown to raters in their emails.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "initial",
            {
                "instrument_version": list(RELEASED)[-1],
                "min_anonymous": settings.LEADWELL_MIN_ANONYMOUS,
                "max_raters": settings.LEADWELL_MAX_RATERS,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["instrument_version"].choices = [(v, f"Version {v}") for v in sorted(RELEASED)]


class NominationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Rater's name")
    email = forms.EmailField(label="Rater's email")
    group = forms.ChoiceField(choices=_PROPOSE_GROUPS, label="Relationship to the leader")

    def __init__(self, *args: object, admin: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if admin:
            self.fields["group"].choices = _ADMIN_GROUPS


class EmailForm(forms.Form):
    email = forms.EmailField(label="Correct email address")


class OpenForm(forms.Form):
    override = forms.BooleanField(
        required=False,
        label="Open even though some leaders have too few anonymous raters",
    )
