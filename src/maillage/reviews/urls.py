from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<uuid:group_id>/", views.group_detail, name="group"),
    path("groups/<uuid:group_id>/members/", views.group_manage, name="group_manage"),
    path("groups/<uuid:group_id>/meetings/new/", views.meeting_schedule, name="schedule"),
    path("groups/<uuid:group_id>/situations/new/", views.situation_submit, name="submit"),
    path("groups/<uuid:group_id>/statistics/", views.statistics_page, name="statistics"),
    path("groups/<uuid:group_id>/statistics.csv", views.statistics_csv, name="statistics_csv"),
    path("meetings/<uuid:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<uuid:meeting_id>/change/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<uuid:meeting_id>/close/", views.meeting_close, name="meeting_close"),
    path("meetings/<uuid:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<uuid:meeting_id>/attendance/", views.meeting_attendance, name="attendance"),
    path("meetings/<uuid:meeting_id>/slots/new/", views.meeting_slot, name="slot"),
    path("meetings/<uuid:meeting_id>/round-table/", views.meeting_round_table, name="round_table"),
    path("meetings/<uuid:meeting_id>/minutes/", views.minutes_page, name="minutes"),
    path("meetings/<uuid:meeting_id>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("meetings/<uuid:meeting_id>/invitation.ics", views.invitation, name="invitation"),
    path(
        "meetings/<uuid:meeting_id>/situations/<uuid:situation_id>/analysis/",
        views.situation_analysis,
        name="analysis",
    ),
    path(
        "meetings/<uuid:meeting_id>/situations/<uuid:situation_id>/follow-up/",
        views.follow_up,
        name="follow_up",
    ),
    path(
        "meetings/<uuid:meeting_id>/actions/<uuid:action_id>/",
        views.action_status,
        name="meeting_action",
    ),
    path("actions/<uuid:action_id>/", views.action_status, name="action"),
    path("situations/<uuid:situation_id>/", views.situation_detail, name="situation"),
    path("situations/<uuid:situation_id>/change/", views.situation_edit, name="situation_edit"),
    path(
        "situations/<uuid:situation_id>/withdraw/",
        views.situation_withdraw,
        name="situation_withdraw",
    ),
    path("situations/<uuid:situation_id>/move/", views.queue_move, name="queue_move"),
]
