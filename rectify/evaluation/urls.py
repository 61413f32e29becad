"""Staff pages of satisfaction evaluation."""

from django.urls import path

from .views import staff as views

app_name = "evaluation"

urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_create, name="survey-create"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/toggle/", views.survey_toggle, name="survey-toggle"),
    path("<int:pk>/rounds/", views.round_create, name="round-create"),
    path("<int:pk>/scale/", views.survey_scale, name="survey-scale"),
    path("<int:pk>/tokens/", views.token_generate, name="token-generate"),
    path("<int:pk>/open-link/", views.open_link, name="open-link"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/<int:unit_pk>/", views.unit_results, name="unit-results"),
    path("comments/<int:pk>/promote/", views.comment_promote, name="comment-promote"),
]
