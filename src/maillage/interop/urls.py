from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("", views.root, name="root"),
    path("<str:kind>", views.resource_type, name="type"),
    path("<str:kind>/<str:resource_id>", views.instance, name="instance"),
]
