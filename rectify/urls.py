"""Rectify's URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from rectify.core import views as core_views
from rectify.org.views import set_language

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("org/", include("rectify.org.urls")),
    path("campaigns/", include("rectify.campaigns.urls")),
    path("ledger/", include("rectify.ledger.urls")),
    path("study/", include("rectify.study.urls")),
    path("inspection/", include("rectify.inspection.urls")),
    path("o/", include("rectify.inspection.urls.public")),
    path("evaluation/", include("rectify.evaluation.urls")),
    path("s/", include("rectify.evaluation.public_urls")),
    path("dashboard/", include("rectify.dashboard.urls")),
    path("exchange/", include("rectify.exchange.urls")),
    path("inbox/", include("rectify.notify.urls")),
    path("channels/", include("rectify.notify.channel_urls")),
    path("news/manage/", include("rectify.news.urls")),
    path("news/", include("rectify.news.public_urls")),
    path("api/", include("rectify.api.urls")),
    path("admin/", admin.site.urls),
]
