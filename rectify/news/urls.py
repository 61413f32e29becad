"""Staff pages of the news app, under /news/manage/."""

from django.urls import path

from .views import staff as views

app_name = "news"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_create, name="create"),
    path("<int:pk>/", views.article_preview, name="preview"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/files/", views.article_files, name="files"),
    path("<int:pk>/submit/", views.article_submit, name="submit"),
    path("<int:pk>/publish/", views.article_publish, name="publish"),
    path("<int:pk>/withdraw/", views.article_withdraw, name="withdraw"),
    path("<int:pk>/delete/", views.article_delete, name="delete"),
    path("<int:pk>/restore/", views.article_restore, name="restore"),
]
