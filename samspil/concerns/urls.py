from django.urls import path

from . import views

app_name = "concerns"
urlpatterns = [
    path("", views.concern_list, name="concern_list"),
    path("ny/", views.concern_raise, name="concern_raise"),
    path("<int:pk>/", views.concern_detail, name="concern_detail"),
    path("<int:pk>/modtag/", views.concern_receive, name="concern_receive"),
    path("<int:pk>/beskriv/", views.concern_describe, name="concern_describe"),
    path("<int:pk>/organisationer/", views.concern_involve, name="concern_involve"),
    path("<int:pk>/organisationer/<int:involvement_pk>/afslut/", views.concern_involvement_end,
         name="concern_involvement_end"),
    path("<int:pk>/del/", views.concern_share, name="concern_share"),
    path("<int:pk>/videre/", views.concern_advance, name="concern_advance"),
    path("<int:pk>/vurderinger/ny/", views.assessment_create, name="assessment_create"),
    path("<int:pk>/vurderinger/sammenlign/", views.assessment_compare, name="assessment_compare"),
    path("<int:pk>/vurderinger/<int:assessment_pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/beslutning/", views.concern_decide, name="concern_decide"),
    path("<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/afslut/", views.plan_end, name="plan_end"),
    path("<int:pk>/opfoelgning/<int:review_pk>/", views.review_record, name="review_record"),
    path("<int:pk>/luk/", views.concern_close, name="concern_close"),
    path("<int:pk>/sag/", views.concern_case, name="concern_case"),
    path("indstillinger/<int:cooperation_pk>/", views.settings_edit, name="settings_edit"),
    path("indstillinger/<int:cooperation_pk>/tovholdere/", views.lead_contact_add, name="lead_contact_add"),
    path("indstillinger/<int:cooperation_pk>/tovholdere/<int:lead_pk>/afslut/", views.lead_contact_end,
         name="lead_contact_end"),
    path("indstillinger/<int:cooperation_pk>/tegn/", views.sign_add, name="sign_add"),
    path("skabeloner/", views.template_list, name="template_list"),
    path("skabeloner/ny/", views.template_create, name="template_create"),
    path("skabeloner/<int:template_pk>/", views.template_detail, name="template_detail"),
    path("netvaerk/", views.network, name="network"),
]
