from __future__ import annotations

from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "leadwell.survey"
    label = "survey"
    default_auto_field = "django.db.models.BigAutoField"
