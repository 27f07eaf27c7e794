"""URL configuration: each app owns its own urls.py."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from leadwell.config import views

handler500 = "leadwell.config.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("leadwell.accounts.urls")),
    path("org/", include("leadwell.orgs.urls")),
    path("cycles/", include("leadwell.cycles.urls")),
    path("r/", include("leadwell.survey.urls")),
    path("reports/", include("leadwell.reports.urls")),
    path("plans/", include("leadwell.development.urls")),
    path("v/", include("leadwell.development.urls_public")),
    path("insights/", include("leadwell.insights.urls")),
    path("exports/", include("leadwell.exports.urls")),
    path("api/", include("leadwell.api.urls")),
    path("django-admin/", admin.site.urls),
]
