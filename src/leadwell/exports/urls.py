from __future__ import annotations

from django.urls import path

from leadwell.exports import views

app_name = "exports"
urlpatterns = [
    path("cycle/<int:pk>/", views.cycle_exports, name="cycle"),
    path("cycle/<int:pk>/download/", views.cycle_stream, name="stream"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/download/", views.export_download, name="download"),
]
