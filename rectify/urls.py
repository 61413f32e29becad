"""Rectify's URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from rectify.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("org/", include("rectify.org.urls")),
    path("campaigns/", include("rectify.campaigns.urls")),
    path("ledger/", include("rectify.ledger.urls")),
    path("admin/", admin.site.urls),
]
