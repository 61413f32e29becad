"""Dashboard URLs."""

from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.campaign_dashboard, name="campaign"),
    path("export/", views.dashboard_export, name="export"),
    path("pipeline/", views.pipeline_page, name="pipeline"),
]
