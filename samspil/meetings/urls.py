from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("samarbejder/<int:cooperation_pk>/ny-serie/", views.series_create, name="series_create"),
    path("serier/<int:pk>/", views.series_detail, name="series_detail"),
    path("serier/<int:pk>/nyt-moede/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/rediger/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/fortrolighed/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/dagsorden/ny/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/indkaldelse/", views.invitations_send, name="invitations_send"),
    path("<int:pk>/deltagere/", views.attendance, name="attendance"),
    path("<int:pk>/start/", views.meeting_open, name="meeting_open"),
    path("<int:pk>/afslut/", views.meeting_close, name="meeting_close"),
    path("<int:pk>/referat/", views.minutes, name="minutes"),
    path("<int:pk>/referat.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("<int:pk>/tilfoejelser/", views.addendum_add, name="addendum_add"),
    path("<int:pk>/opfoelgning/<int:action_pk>/", views.action_review, name="action_review"),
    path("punkter/<int:item_pk>/status/", views.item_decide, name="item_decide"),
    path("punkter/<int:item_pk>/flyt/", views.item_move, name="item_move"),
    path("punkter/<int:item_pk>/referat/", views.minutes_save, name="minutes_save"),
    path("punkter/<int:item_pk>/beslutning/", views.decision_add, name="decision_add"),
    path("punkter/<int:item_pk>/handling/", views.action_add, name="action_add"),
    path("sager/<int:case_pk>/foreslaa/", views.item_propose, name="item_propose"),
    path("sager/<int:case_pk>/udskrivning/", views.discharge_request, name="discharge_request"),
    path("tilbagemeldinger/", views.feedback_list, name="feedback_list"),
    path("tilbagemeldinger/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("kalender/", views.calendar_settings, name="calendar_settings"),
    path("udskrivning/", views.discharge_list, name="discharge_list"),
    path("udskrivning/<int:pk>/", views.discharge_detail, name="discharge_detail"),
    path("udskrivning/<int:pk>/beram/", views.discharge_schedule, name="discharge_schedule"),
    path("udskrivning/<int:pk>/resultat/", views.discharge_record, name="discharge_record"),
]
