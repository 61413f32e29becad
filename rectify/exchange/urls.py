"""URLs of the exchange app: exports of the lists and the pages of background jobs."""

from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("export/problems/", views.export_problems, name="export-problems"),
    path("export/measures/", views.export_measures, name="export-measures"),
    path("export/responsibilities/", views.export_mine, name="export-mine"),
    path(
        "export/responsibilities/person/<int:pk>/",
        views.export_person,
        name="export-person",
    ),
    path(
        "export/responsibilities/department/<int:pk>/",
        views.export_department,
        name="export-department",
    ),
    path("import/", views.import_new, name="import-new"),
    path("import/<int:pk>/", views.import_preview, name="import-preview"),
    path("import/<int:pk>/run/", views.import_run, name="import-run"),
    path("import/<int:pk>/errors/", views.import_errors, name="import-errors"),
    path("documents/<slug:slug>/units/<int:pk>/plan/", views.document_plan, name="document-plan"),
    path(
        "documents/<slug:slug>/units/<int:pk>/report/",
        views.document_report,
        name="document-report",
    ),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
