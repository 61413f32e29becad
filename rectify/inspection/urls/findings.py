"""Findings URLs: the triage queue, a finding, its triage actions, and recording one by hand."""

from django.urls import path

from ..views import findings as views

urlpatterns = [
    path("findings/", views.finding_list, name="finding-list"),
    path("findings/new/", views.finding_create, name="finding-create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/promote/", views.finding_promote, name="finding-promote"),
    path("findings/<int:pk>/attach/", views.finding_attach, name="finding-attach"),
    path("findings/<int:pk>/join/", views.finding_join, name="finding-join"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding-dismiss"),
]
