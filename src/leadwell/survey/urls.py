"""The rater's survey, under /r/: every address starts with the rater's raw token."""

from __future__ import annotations

from django.urls import path

from leadwell.survey import views

app_name = "survey"
urlpatterns = [
    path("<str:token>/", views.start, name="start"),
    path("<str:token>/page/<int:number>/", views.page, name="page"),
    path("<str:token>/autosave/", views.autosave, name="autosave"),
    path("<str:token>/review/", views.review, name="review"),
    path("<str:token>/submit/", views.submit, name="submit"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
]
