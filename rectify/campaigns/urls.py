"""URLs of the campaign pages."""

from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    # Before the slug pattern; the create form refuses the slug "new".
    path("new/", views.campaign_create, name="create"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/edit/", views.campaign_edit, name="edit"),
    path("<slug:slug>/targets/add/", views.target_edit, name="target-create"),
    path("<slug:slug>/targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("<slug:slug>/phases/add/", views.phase_edit, name="phase-create"),
    path("<slug:slug>/phases/<int:pk>/edit/", views.phase_edit, name="phase-edit"),
    path("<slug:slug>/guidance/assign/", views.guidance_assign, name="guidance-assign"),
]
