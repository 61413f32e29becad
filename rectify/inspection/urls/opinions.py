"""Opinion solicitation (征求意见), staff side: forms, link and QR code, inbox and triage."""

from django.urls import path

from ..views import opinions as views

urlpatterns = [
    path("opinion-forms/", views.opinion_form_list, name="opinion-form-list"),
    path("opinion-forms/new/", views.opinion_form_create, name="opinion-form-create"),
    path("opinion-forms/<int:pk>/", views.opinion_form_detail, name="opinion-form-detail"),
    path("opinion-forms/<int:pk>/toggle/", views.opinion_form_toggle, name="opinion-form-toggle"),
    path("opinion-forms/<int:pk>/qr.png", views.opinion_form_qr_png, name="opinion-form-qr-png"),
    path("opinion-forms/<int:pk>/qr.svg", views.opinion_form_qr_svg, name="opinion-form-qr-svg"),
    path("opinion-forms/<int:pk>/poster/", views.opinion_form_poster, name="opinion-form-poster"),
    path("opinion-forms/<int:pk>/inbox/", views.opinion_inbox, name="opinion-inbox"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion-detail"),
    path("opinions/<int:pk>/reply/", views.opinion_reply, name="opinion-reply"),
    path("opinions/<int:pk>/join/", views.opinion_join, name="opinion-join"),
    path("opinions/<int:pk>/reject/", views.opinion_reject, name="opinion-reject"),
]
