from __future__ import annotations

from django.urls import path

from leadwell.cycles import views

app_name = "cycles"
urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="create"),
    path("<int:pk>/", views.cycle_detail, name="detail"),
    path("<int:pk>/leaders/", views.cycle_leaders, name="leaders"),
    path("<int:pk>/nominating/", views.cycle_start_nominating, name="start_nominating"),
    path("<int:pk>/open/", views.cycle_open, name="open"),
    path("<int:pk>/send/", views.invitations_send, name="send"),
    path("<int:pk>/remind/", views.reminders_send, name="remind"),
    path("<int:pk>/close/", views.cycle_close, name="close"),
    path("<int:pk>/release/", views.cycle_release, name="release"),
    path("assessments/<int:pk>/raters/", views.nominations, name="nominations"),
    path("assessments/<int:pk>/remove/", views.assessment_remove, name="assessment_remove"),
    path("raters/<int:pk>/approve/", views.nomination_approve, name="nomination_approve"),
    path("raters/<int:pk>/decline/", views.nomination_decline, name="nomination_decline"),
    path("raters/<int:pk>/edit/", views.nomination_edit, name="nomination_edit"),
    path("invitations/<int:pk>/fix/", views.invitation_fix, name="invitation_fix"),
]
