from __future__ import annotations

from django.urls import path

from leadwell.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("link/", views.link_request, name="link"),
    path("link/sent/", views.link_sent, name="link_sent"),
    path("link/<str:token>/", views.link_use, name="link_use"),
]
