from __future__ import annotations

from django.urls import path

from jiuzhu.custody import views

app_name = "custody"
urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("portal/<int:pk>/", views.portal_agreement, name="portal_agreement"),
    path("portal/<int:pk>/report/", views.portal_report, name="portal_report"),
    path("cases/<int:pk>/", views.case_custody, name="case"),
    path("cases/<int:pk>/agreement/", views.create_agreement, name="create"),
    path("agreements/<int:pk>/status/", views.agreement_status, name="status"),
    path("agreements/<int:pk>/releases/", views.request_release, name="request_release"),
    path("releases/<int:pk>/evidence/", views.release_evidence, name="evidence"),
    path("releases/<int:pk>/<str:op>/", views.release_op, name="release"),
]
