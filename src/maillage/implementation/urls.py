from django.urls import path

from . import views

app_name = "implementation"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<uuid:programme_id>/", views.programme_detail, name="programme"),
    path(
        "programmes/<uuid:programme_id>/adaptations/new/",
        views.adaptation_create,
        name="adaptation_create",
    ),
    path("programmes/<uuid:programme_id>/dashboard/", views.dashboard, name="dashboard"),
    path("programmes/<uuid:programme_id>/dashboard.csv", views.dashboard_csv, name="dashboard_csv"),
    path("sites/<uuid:site_id>/", views.site_detail, name="site"),
    path("sites/<uuid:site_id>/dashboard/", views.site_dashboard, name="site_dashboard"),
    path("sites/<uuid:site_id>/departures/", views.departures, name="departures"),
    path("sites/<uuid:site_id>/stages/", views.stage_record, name="stage_record"),
    path("sites/<uuid:site_id>/trainings/", views.training_record, name="training_record"),
    path("sites/<uuid:site_id>/supervisions/", views.supervision_record, name="supervision_record"),
    path("sites/<uuid:site_id>/sustainability/", views.sustainability, name="sustainability"),
    path("sustainability/statements/", views.sustainability_items, name="items"),
    path("sustainability/statements/<uuid:item_id>/", views.item_edit, name="item_edit"),
    path("families/<uuid:family_id>/", views.family_programmes, name="family"),
    path("enrolments/<uuid:enrolment_id>/", views.enrolment_detail, name="enrolment"),
    path("register/", views.register, name="register"),
    path("register/<uuid:factor_id>/", views.factor_detail, name="factor"),
    path("register/from-review/<uuid:situation_id>/", views.file_situation, name="file_situation"),
]
