"""URLs of the study stage: meetings, attendance, sign-in sheets, coverage."""

from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/delete/", views.meeting_delete, name="meeting-delete"),
    path("meetings/<int:pk>/restore/", views.meeting_restore, name="meeting-restore"),
    path("meetings/<int:pk>/invite/", views.meeting_invite, name="meeting-invite"),
    path("meetings/<int:pk>/mark/", views.meeting_mark, name="meeting-mark"),
    path("meetings/<int:pk>/mark-rest/", views.meeting_mark_rest, name="meeting-mark-rest"),
    path("meetings/<int:pk>/sign-in/", views.meeting_signin, name="meeting-signin"),
    path("files/<int:pk>/", views.file_download, name="file-download"),
    path("coverage/", views.coverage, name="coverage"),
    path("requirements/<slug:slug>/", views.requirement_edit, name="requirement"),
]
