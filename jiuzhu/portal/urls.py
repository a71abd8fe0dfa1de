from __future__ import annotations

from django.urls import path

from jiuzhu.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.language, name="language"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("mine/", views.mine, name="mine"),
    path("a/<int:pk>/", views.status, name="status"),
    path("a/<int:pk>/materials/", views.materials, name="materials"),
    path("a/<int:pk>/submit/", views.submit, name="submit"),
    path("a/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("a/<int:pk>/documents/<int:doc_pk>/", views.document, name="document"),
    path("a/<int:pk>/<str:step>/", views.step, name="step"),
]
