from __future__ import annotations

from django.urls import path

from jiuzhu.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("cases/export.xlsx", views.worklist_export, name="export"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/walk-in/", views.walk_in_new, name="walk_in"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/applicant/", views.applicant_edit, name="applicant"),
    path("cases/<int:pk>/parties/", views.party_add, name="party"),
    path("cases/<int:pk>/attachments/", views.attachment_upload, name="upload"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="download"),
    path("cases/<int:pk>/people/<int:person_pk>/reveal/<str:field>/", views.reveal_field, name="reveal"),
    path("cases/<int:pk>/<str:action>/", views.case_action, name="action"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
]
