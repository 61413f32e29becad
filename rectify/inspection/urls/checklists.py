"""Checklists URLs: self-examination (自我检视) questions, assignments, answers, progress."""

from django.urls import path

from ..views import checklists as views

urlpatterns = [
    path("checklists/", views.checklist_list, name="checklist-list"),
    path("checklists/mine/", views.my_checklists, name="checklist-mine"),
    path("checklists/new/", views.checklist_create, name="checklist-create"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist-detail"),
    path("checklists/<int:pk>/edit/", views.checklist_edit, name="checklist-edit"),
    path(
        "checklists/<int:pk>/questions/new/",
        views.question_create,
        name="checklist-question-create",
    ),
    path(
        "checklists/questions/<int:pk>/edit/",
        views.question_edit,
        name="checklist-question-edit",
    ),
    path(
        "checklists/questions/<int:pk>/move/",
        views.question_move,
        name="checklist-question-move",
    ),
    path(
        "checklists/questions/<int:pk>/delete/",
        views.question_delete,
        name="checklist-question-delete",
    ),
    path("checklists/<int:pk>/assign/", views.checklist_assign, name="checklist-assign"),
    path("checklists/<int:pk>/progress/", views.checklist_progress, name="checklist-progress"),
    path(
        "checklists/<int:pk>/progress/<int:unit_pk>/",
        views.checklist_progress,
        name="checklist-progress-unit",
    ),
    path(
        "checklists/assignments/<int:pk>/",
        views.assignment_answer,
        name="checklist-answer",
    ),
    path("checklists/answers/<int:pk>/", views.answer_detail, name="answer-detail"),
]
