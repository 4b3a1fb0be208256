"""The personal calendar feed, reached without a session: the secret token in the URL is the authority.
Mounted at /kalender/, a prefix the sign-in middleware lets through."""

from django.urls import path

from . import views

app_name = "meetings_feed"
urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
