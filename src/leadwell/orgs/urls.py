from __future__ import annotations

from django.urls import path

from leadwell.orgs import views

app_name = "orgs"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/import/", views.import_upload, name="import"),
    path("people/import/sample.csv", views.import_sample, name="import_sample"),
    path("people/import/preview/", views.import_preview, name="import_preview"),
    path("people/import/preview/bad-rows.csv", views.import_bad_rows, name="import_bad_rows"),
    path("people/import/confirm/", views.import_confirm, name="import_confirm"),
]
