"""URLs of the group-robot pages of a unit."""

from django.urls import path

from . import channel_views as views

app_name = "channels"
urlpatterns = [
    path("units/<int:pk>/", views.channel_list, name="list"),
    path("units/<int:pk>/add/", views.channel_create, name="create"),
    path("<int:pk>/edit/", views.channel_edit, name="edit"),
    path("<int:pk>/active/", views.channel_toggle, name="toggle"),
    path("<int:pk>/test/", views.channel_test, name="test"),
]
