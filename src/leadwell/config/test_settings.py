"""Settings for the test suite: fast hashing, immediate tasks, email kept in memory."""

from __future__ import annotations

import os

os.environ.setdefault("LEADWELL_INSECURE", "1")

from leadwell.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
WHITENOISE_AUTOREFRESH = True  # no collected static folder in tests: serve from the finders
