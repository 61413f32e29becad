"""The only pages open to anyone: a public opinion form and its receipt."""

from django.urls import path

from ..views import public as views

app_name = "public"

urlpatterns = [
    path("receipt/", views.receipt, name="receipt"),
    path("<str:token>/", views.opinion_form, name="opinion-form"),
]
