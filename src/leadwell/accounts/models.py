"""One-time sign-in links for leaders and coaches."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInLink(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
