from django.urls import path

from . import rights_views, views

app_name = "privacy"
urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("eksport.csv", views.audit_export, name="audit_export"),
    # The citizen's rights and retention
    path("rettigheder/", rights_views.rights, name="rights"),
    path("rettigheder/kvitteringer/", rights_views.receipts, name="receipts"),
    path("rettigheder/frister/<int:pk>/", rights_views.rule_edit, name="rule_edit"),
    path("rettigheder/frister/<int:pk>/fjern/", rights_views.rule_remove, name="rule_remove"),
    path("rettigheder/samarbejde/<int:pk>/frister/ny/", rights_views.rule_add, name="rule_add"),
    path("rettigheder/borger/<int:pk>/", rights_views.citizen_rights, name="citizen_rights"),
    path("rettigheder/borger/<int:pk>/indsigt.<str:fmt>", rights_views.access_report, name="access_report"),
    path("rettigheder/borger/<int:pk>/hold/", rights_views.hold_place, name="hold_place"),
    path("rettigheder/hold/<int:pk>/ophaev/", rights_views.hold_lift, name="hold_lift"),
    path("rettigheder/borger/<int:pk>/berigtig/", rights_views.rectify, name="rectify"),
    path("rettigheder/notat/<int:entry_pk>/undtag/", rights_views.exemption, name="exemption"),
    path("rettigheder/notat/<int:entry_pk>/undtag/ophaev/", rights_views.exemption_end, name="exemption_end"),
]
