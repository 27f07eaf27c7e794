from __future__ import annotations

from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "leadwell.cycles"
    label = "cycles"
    default_auto_field = "django.db.models.BigAutoField"
