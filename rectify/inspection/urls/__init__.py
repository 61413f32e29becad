"""Inspection URLs (signed-in staff); the public opinion pages are in :mod:`.public`."""

from django.urls import path

from ..views.home import home
from . import checklists, findings, gaps, opinions, research

app_name = "inspection"

urlpatterns = [
    path("", home, name="home"),
    *findings.urlpatterns,
    *opinions.urlpatterns,
    *checklists.urlpatterns,
    *research.urlpatterns,
    *gaps.urlpatterns,
]
