"""Research topics (调查研究) and guidance-group feedback (巡回指导组反馈)."""

from django.urls import path

from ..views import feedback, research

urlpatterns = [
    path("research/", research.research_list, name="research-list"),
    path("research/new/", research.research_create, name="research-create"),
    path("research/<int:pk>/", research.research_detail, name="research-detail"),
    path("research/<int:pk>/edit/", research.research_edit, name="research-edit"),
    path("research/<int:pk>/report/", research.research_report, name="research-report"),
    path("research/<int:pk>/findings/", research.research_finding, name="research-finding"),
    path("research/<int:pk>/delete/", research.research_delete, name="research-delete"),
    path("research/<int:pk>/restore/", research.research_restore, name="research-restore"),
    path("research/files/<int:pk>/", research.research_file, name="research-file"),
    path("feedback/", feedback.feedback_list, name="feedback-list"),
    path("feedback/units/<int:pk>/new/", feedback.feedback_create, name="feedback-create"),
    path("feedback/<int:pk>/", feedback.feedback_detail, name="feedback-detail"),
]
