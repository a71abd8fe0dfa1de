from __future__ import annotations

from django.urls import path

from jiuzhu.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/", views.drill, name="drill"),
    path("export/ledger.xlsx", views.ledger_export, name="ledger"),
    path("export/<str:table>.xlsx", views.export, name="export"),
    path("import/", views.import_start, name="import_start"),
    path("import/<int:pk>/", views.import_page, name="import"),
    path("import/<int:pk>/status.json", views.import_status, name="import_status"),
    path("import/<int:pk>/errors.xlsx", views.import_errors, name="import_errors"),
]
