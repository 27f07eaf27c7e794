from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "leadwell.exports"
    label = "exports"
    default_auto_field = "django.db.models.BigAutoField"
