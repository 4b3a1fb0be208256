"""The public certificate verification page (no login): mounted at /bevis/."""

from django.urls import path

from . import public_views

app_name = "training_public"
urlpatterns = [
    path("", public_views.verify, name="verify"),
    path("<str:code>/", public_views.verify_code, name="verify_code"),
]
