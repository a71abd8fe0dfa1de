from __future__ import annotations

from django.urls import path

from jiuzhu.funds import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:pk>/", views.case_payments, name="case"),
    path("cases/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("payments/<int:pk>/<str:op>/", views.payment_op, name="payment"),
    path("cases/<int:pk>/recovery/", views.recovery, name="recovery"),
    path("cases/<int:pk>/recovery/<str:op>/", views.recovery_op, name="recovery_op"),
    path("statement-lines/<int:pk>/resolve/", views.resolve_line, name="resolve"),
    path("<str:code>/orders.xlsx", views.payment_orders, name="orders"),
    path("<str:code>/statements/", views.statements, name="statements"),
    path("<str:code>/<int:year>/", views.budget, name="budget"),
    path("<str:code>/<int:year>/export.xlsx", views.budget_export, name="export"),
    path("<str:code>/<int:year>/<str:kind>/", views.budget_move, name="move"),
]
