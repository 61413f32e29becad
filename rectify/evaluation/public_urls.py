"""Respondent pages of satisfaction evaluation (no login): token ballots and open links."""

from django.urls import path

from .views import public as views

app_name = "survey"

urlpatterns = [
    path("", views.enter, name="enter"),
    path("t/<str:code>/", views.token_ballot, name="token"),
    path("o/<str:key>/", views.open_ballot, name="open"),
]
