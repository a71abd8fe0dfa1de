from __future__ import annotations

from django.urls import path

from jiuzhu.documents import views

app_name = "documents"
urlpatterns = [
    path("cases/<int:case_pk>/", views.case_documents, name="case"),
    path("cases/<int:case_pk>/issue/<str:kind>/", views.issue, name="issue"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/service/", views.service, name="service"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
]
