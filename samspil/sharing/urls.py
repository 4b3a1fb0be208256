from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("hjemler/", views.legal_basis_list, name="legal_basis_list"),
    path("sag/<int:case_pk>/", views.case_disclosures, name="case_disclosures"),
    path("sag/<int:case_pk>/notat/<int:entry_pk>/del/", views.entry_share, name="entry_share"),
    path("sag/<int:case_pk>/udskrift/", views.case_print, name="case_print"),
    path("sag/<int:case_pk>/eksport/", views.case_export, name="case_export"),
    path("sag/<int:case_pk>/identificer/<int:citizen_pk>/", views.case_identify, name="case_identify"),
    path("sag/<int:case_pk>/samtykke/", views.consent_record, name="consent_record"),
    path(
        "sag/<int:case_pk>/samtykke/<int:consent_pk>/tilbagekald/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("sag/<int:case_pk>/orientering/", views.informing_record, name="informing_record"),
    path("videregivelse/<int:pk>/", views.disclosure_detail, name="disclosure_detail"),
    path("videregivelse/<int:pk>/videregiv/", views.disclosure_forward, name="disclosure_forward"),
]
