from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.outgoing, name="outgoing"),
    path("new/", views.new_referral, name="new"),
    path("indicators/", views.indicator_page, name="indicators"),
    path("consent-requests/<uuid:family_id>/", views.ask_for_consent, name="ask_for_consent"),
    path("notifications/", views.notifications, name="notifications"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.new_consultation, name="new_consultation"),
    path("consultations/<uuid:consultation_id>/", views.consultation, name="consultation"),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/step/", views.take_step, name="step"),
    path("<uuid:referral_id>/warm-handoff/", views.warm_handoff, name="warm_handoff"),
    path(
        "<uuid:referral_id>/attachments/<uuid:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
