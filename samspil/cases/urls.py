from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("ny/", views.case_open, name="case_open"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/rediger/", views.case_edit, name="case_edit"),
    path("<int:pk>/status/<slug:step>/", views.case_step, name="case_step"),
    path("<int:pk>/involvering/", views.case_involvement, name="case_involvement"),
    path("<int:pk>/borger/", views.case_citizen, name="case_citizen"),
    path("<int:pk>/journal/", views.journal_add, name="journal_add"),
    path("<int:pk>/journal/<int:entry_pk>/", views.journal_edit, name="journal_edit"),
    path("<int:pk>/advarsler/", views.flag_add, name="flag_add"),
    path("<int:pk>/advarsler/<int:flag_pk>/fjern/", views.flag_remove, name="flag_remove"),
    path("<int:pk>/opgaver/", views.task_add, name="task_add"),
    path("<int:pk>/opgaver/<int:task_pk>/", views.task_status, name="task_status"),
]
