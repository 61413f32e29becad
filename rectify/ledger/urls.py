"""URLs of the ledger: the three lists, their items, evidence and the printable unit lists."""

from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/new/", views.problem_create, name="problem-create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem-edit"),
    path("problems/<int:pk>/delete/", views.problem_delete, name="problem-delete"),
    path("problems/<int:pk>/restore/", views.problem_restore, name="problem-restore"),
    path("problems/<int:problem_pk>/measures/new/", views.measure_create, name="measure-create"),
    path("measures/", views.measure_list, name="measure-list"),
    path("measures/<int:pk>/", views.measure_detail, name="measure-detail"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure-edit"),
    path("measures/<int:pk>/status/", views.measure_status, name="measure-status"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure-progress"),
    path("measures/<int:pk>/submit/", views.measure_submit, name="measure-submit"),
    path("measures/<int:pk>/decide/", views.measure_decide, name="measure-decide"),
    path("measures/<int:pk>/urge/", views.measure_urge, name="measure-urge"),
    path("measures/<int:pk>/extension/", views.extension_request, name="extension-request"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension-decide"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure-delete"),
    path("measures/<int:pk>/restore/", views.measure_restore, name="measure-restore"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("responsibilities/", views.my_responsibilities, name="my-responsibilities"),
    path(
        "responsibilities/person/<int:pk>/",
        views.person_responsibilities,
        name="person-responsibilities",
    ),
    path(
        "responsibilities/department/<int:pk>/",
        views.department_responsibilities,
        name="department-responsibilities",
    ),
    path("units/<int:pk>/lists/", views.unit_lists, name="unit-lists"),
    path("report/", views.standing_report, name="standing-report"),
    path("units/<int:pk>/urge-red/", views.unit_urge_red, name="unit-urge-red"),
]
