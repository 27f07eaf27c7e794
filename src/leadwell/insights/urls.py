from __future__ import annotations

from django.urls import path

from leadwell.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.index, name="index"),
    path("cycle/<int:pk>/", views.cycle_insights, name="cycle"),
    path("cycle/<int:pk>/status/", views.insights_status, name="status"),
    path("cycle/<int:pk>/refresh/", views.insights_refresh, name="refresh"),
]
