from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("my-network/", views.my_network, name="my_network"),
    path("map/", views.network_map_page, name="network_map"),
    path("map.svg", views.network_map_svg, name="network_map_svg"),
    path("import/", views.directory_import, name="import"),
    path("export.zip", views.directory_export, name="export"),
    path("organizations/<uuid:organization_id>/", views.organization, name="organization"),
    path("teams/<uuid:team_id>/", views.team, name="team"),
    path("practitioners/<uuid:practitioner_id>/", views.practitioner, name="practitioner"),
]
