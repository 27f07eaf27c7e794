"""/api/: the API key pages (``api:keys`` …), the docs' files, then the API itself
(namespace ``api:v1``); any other path below /api/ answers 404 in the API's error shape."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from leadwell.api import docs, views
from leadwell.api.main import api_urls

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("keys/", views.keys, name="keys"),
    path("keys/new/", views.key_new, name="key_new"),
    path("keys/<int:pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("docs/assets/<str:name>", docs.docs_asset, name="docs_asset"),
    path("", views.api_root, name="root"),
    path("", api_urls()),
    # Not below keys/: there a missing slash should still be added by CommonMiddleware.
    re_path(r"^(?!keys(?:/|$))(?P<path>.*)$", views.not_found),
]
