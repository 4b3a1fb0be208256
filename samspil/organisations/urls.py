from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.cooperation_list, name="cooperation_list"),
    path("skift-rolle/", views.switch_membership, name="switch_membership"),
    path("<int:pk>/", views.cooperation_detail, name="cooperation_detail"),
    path("<int:pk>/opsaetning/", views.cooperation_configure, name="cooperation_configure"),
    path("<int:pk>/opsaetning/ny-gruppe/", views.cooperation_group_row, name="cooperation_group_row"),
    path("<int:pk>/medlemmer/", views.member_list, name="member_list"),
    path("<int:pk>/medlemmer/<int:membership_pk>/", views.member_change, name="member_change"),
    path("<int:pk>/medlemmer/<int:membership_pk>/afslut/", views.member_end, name="member_end"),
    path(
        "<int:pk>/medlemmer/<int:membership_pk>/deaktiver/", views.member_deactivate, name="member_deactivate"
    ),
    path("<int:pk>/invitationer/", views.invitation_list, name="invitation_list"),
    path(
        "<int:pk>/invitationer/<int:invitation_pk>/tilbagekald/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
