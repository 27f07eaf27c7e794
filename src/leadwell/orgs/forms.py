"""Forms of the organization pages: uploading a people file, confirming it, searching people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leadwell.orgs.importing import ImportFileError, PeopleFile, read_people_file

__all__ = ["MAX_UPLOAD_BYTES", "PeopleConfirmForm", "PeopleSearchForm", "PeopleUploadForm"]

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class PeopleUploadForm(forms.Form):
    file = forms.FileField(
        label=_("People file (CSV or XLSX)"),
        help_text=_("At most 50,000 people and 20 MB."),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> PeopleFile:
        upload: Any = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it."))
        try:
            return read_people_file(upload.read(), upload.name or "")
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error


class PeopleConfirmForm(forms.Form):
    """Carries the digest of the previewed file, so a stale page cannot confirm another file."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
