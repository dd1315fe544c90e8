from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("mine/", views.my_immersions, name="mine"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<uuid:programme_id>/", views.programme_detail, name="programme"),
    path("programmes/<uuid:programme_id>/manage/", views.programme_manage, name="programme_manage"),
    path("programmes/<uuid:programme_id>/pairings/", views.pairings, name="pairings"),
    path("programmes/<uuid:programme_id>/effects.csv", views.effects_csv, name="effects_csv"),
    path("programmes/<uuid:programme_id>/map.svg", views.programme_map_svg, name="map_svg"),
    path(
        "programmes/<uuid:programme_id>/sessions/new/", views.session_create, name="session_create"
    ),
    path("sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("sessions/<uuid:session_id>/invitation.ics", views.session_invitation, name="ics"),
    path("sessions/<uuid:session_id>/sign-up/", views.session_sign_up, name="sign_up"),
    path("sessions/<uuid:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<uuid:session_id>/attendance/", views.attendance, name="attendance"),
    path("sign-ups/<uuid:sign_up_id>/confirm/", views.sign_up_confirm, name="confirm"),
    path("sign-ups/<uuid:sign_up_id>/decline/", views.sign_up_decline, name="decline"),
    path("sign-ups/<uuid:sign_up_id>/cancel/", views.sign_up_cancel, name="cancel_sign_up"),
    path(
        "sign-ups/<uuid:sign_up_id>/self-assessment/<str:moment>/",
        views.self_assessment,
        name="self_assessment",
    ),
]
