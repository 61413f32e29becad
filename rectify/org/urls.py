"""URLs of the org pages: the unit tree, people, logins, role grants and guidance groups."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit-edit"),
    path("units/<int:pk>/children/add/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/people/", views.person_list, name="person-list"),
    path("units/<int:pk>/people/add/", views.person_create, name="person-create"),
    path("units/<int:pk>/grants/add/", views.grant_create, name="grant-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/login/", views.login_create, name="login-create"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("guidance/", views.guidance_list, name="guidance-list"),
    path("guidance/new/", views.guidance_create, name="guidance-create"),
    path("guidance/<int:pk>/", views.guidance_detail, name="guidance-detail"),
    path("guidance/<int:pk>/edit/", views.guidance_edit, name="guidance-edit"),
]
