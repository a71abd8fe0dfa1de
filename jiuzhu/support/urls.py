from __future__ import annotations

from django.urls import path

from jiuzhu.support import views

app_name = "support"
urlpatterns = [
    path("cases/<int:pk>/referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/link/", views.referral_link, name="referral_link"),
    path("referrals/<int:pk>/feedback/", views.referral_feedback, name="referral_feedback"),
    path("cases/<int:pk>/plan/", views.plan_edit, name="plan"),
    path("cases/<int:pk>/subtypes/", views.subtypes, name="subtypes"),
    path("cases/<int:pk>/services/new/", views.service_new, name="service_new"),
    path("cases/<int:pk>/visits/schedule/", views.visits_schedule, name="visits_schedule"),
    path("visits/<int:pk>/", views.visit_edit, name="visit"),
    path("clues/new/", views.partner_clue, name="partner_clue"),
    path("screening/", views.screening, name="screening"),
    path("screening/run/", views.screening_run, name="screening_run"),
    path("screening/matches/<int:pk>/<str:action>/", views.screening_match, name="screening_match"),
    path("r/<str:signed>/", views.respond, name="respond"),
    path("partner/", views.partner_home, name="partner_home"),
    path("partner/referrals/<int:pk>/", views.partner_referral, name="partner_referral"),
]
