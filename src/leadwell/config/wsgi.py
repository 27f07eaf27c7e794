"""WSGI entry point for gunicorn (`leadwell serve`).

`leadwell serve` starts gunicorn with ``--preload``: this module is imported once, in the
master, before the workers are forked. Loading the URL configuration here imports every view
module (and pandas, matplotlib, django-ninja with them) in the master too, so a new or
restarted worker answers its first request at once instead of importing for seconds first,
and the workers share those pages of memory.
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadwell.config.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports every view module now
