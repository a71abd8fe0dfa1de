from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from jiuzhu.accounts.admin_scope import adopt_third_party

admin.site.site_header = "救助 · 国家司法救助案件管理系统"
admin.site.site_title = "救助系统管理"
admin.site.index_title = "基础数据管理"

# Every admin is scoped to the administrator's subtree: adopt the third-party ones (accounts/admin_scope.py).
adopt_third_party(admin.site)

urlpatterns = [
    # Staff login, lockout and second factor; also takes /admin/login/ (before the admin's own URLs).
    path("", include("jiuzhu.accounts.urls")),
    path("admin/", admin.site.urls),
    path("documents/", include("jiuzhu.documents.urls")),
    path("funds/", include("jiuzhu.funds.urls")),
    path("custody/", include("jiuzhu.custody.urls")),
    path("support/", include("jiuzhu.support.urls")),
    path("apply/", include("jiuzhu.portal.urls")),
    path("intake/", include("jiuzhu.portal.intake_urls")),
    path("api/v1/", include("jiuzhu.api.urls")),
    path("stats/", include("jiuzhu.stats.urls")),
    path("", include("jiuzhu.ops.urls")),  # /healthz, /readyz, /metrics
    path("", include("jiuzhu.cases.urls")),
]
