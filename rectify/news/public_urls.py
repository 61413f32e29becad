"""The public news site (no login), under /news/."""

from django.urls import path

from .feeds import CategoryFeed
from .views import public as views

app_name = "newssite"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("c/<str:category>/", views.category, name="category"),
    path("c/<str:category>/feed/", CategoryFeed(), name="feed"),
    path("a/<int:pk>/", views.article, name="article"),
    path("files/<int:pk>/", views.file, name="file"),
]
