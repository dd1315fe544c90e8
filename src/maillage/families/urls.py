from django.urls import path

from . import views

app_name = "families"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.create_family, name="create"),
    path("<uuid:family_id>/", views.detail, name="detail"),
    path("<uuid:family_id>/consents/", views.consents, name="consents"),
    path(
        "<uuid:family_id>/consents/<uuid:consent_id>/withdraw/",
        views.withdraw_consent,
        name="withdraw_consent",
    ),
    path(
        "<uuid:family_id>/consents/<uuid:consent_id>/scan/", views.consent_scan, name="consent_scan"
    ),
    path("<uuid:family_id>/circle/", views.circle, name="circle"),
    path("<uuid:family_id>/plan/", views.plan, name="plan"),
    path("<uuid:family_id>/plan/actions/<uuid:action_id>/", views.plan_action, name="plan_action"),
    path("<uuid:family_id>/timeline/", views.timeline, name="timeline"),
    path(
        "<uuid:family_id>/timeline/<uuid:entry_id>/entered-in-error/",
        views.entry_in_error,
        name="entry_in_error",
    ),
    path("<uuid:family_id>/access-report/", views.access_report, name="access_report"),
    path("<uuid:family_id>/export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("<uuid:family_id>/export.html", views.export, {"fmt": "html"}, name="export_html"),
    path("<uuid:family_id>/emergency-access/", views.emergency_access, name="emergency_access"),
]
