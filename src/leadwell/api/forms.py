"""Forms of the API key pages: they parse input; the rules live in the services."""

from __future__ import annotations

from django import forms

__all__ = ["ApiKeyForm"]


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use this key, for example “HR sync” or “BI dashboard”.",
    )
