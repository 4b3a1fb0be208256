from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("mfa/", views.mfa_verify, name="mfa_verify"),
    path("mfa/opsaet/", views.mfa_enroll, name="mfa_enroll"),
    path("logout/", views.logout_view, name="logout"),
    path("bekraeft/", views.sudo, name="sudo"),
    path("profil/", views.profile, name="profile"),
    path("profil/adgangskode/", views.password_change, name="password_change"),
    path("profil/godkenderapp/<int:pk>/fjern/", views.mfa_device_remove, name="mfa_device_remove"),
    path("profil/reservekoder/", views.backup_codes, name="backup_codes"),
    path("profil/log-ud-andre-steder/", views.logout_others, name="logout_others"),
    path("profil/log-ud-overalt/", views.logout_everywhere, name="logout_everywhere"),
]
