"""Dashboard URLs."""

from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("pipeline/", views.pipeline_page, name="pipeline"),
]
