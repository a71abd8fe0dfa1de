from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from jiuzhu.accounts import views

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/verify/", views.verify, name="twofactor_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/2fa/setup/", views.setup, name="twofactor_setup"),
    path("account/2fa/", views.security, name="twofactor_security"),
    path("admin/login/", views.admin_login),
]
