from __future__ import annotations

from django.urls import path

from jiuzhu.portal import intake_views as views

app_name = "intake"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/files/<int:file_pk>/", views.download, name="download"),
]
