"""Gap matrix URLs (对照目标找差距): the matrix and the page beneath each target."""

from django.urls import path

from ..views import gaps as views

urlpatterns = [
    path("gaps/", views.gap_matrix_page, name="gap-matrix"),
    path("gaps/target/<int:pk>/", views.gap_target_page, name="gap-target"),
]
