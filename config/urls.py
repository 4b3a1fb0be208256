from django.urls import include, path

from samspil.api.urls import api

urlpatterns = [
    path("", include("samspil.core.urls")),
    path("konto/", include("samspil.accounts.urls")),
    path("samarbejder/", include("samspil.organisations.urls")),
    path("invitation/", include("samspil.organisations.invitation_urls")),
    path("revision/", include("samspil.privacy.urls")),
    path("sager/", include("samspil.cases.urls")),
    path("borgere/", include("samspil.citizens.urls")),
    path("deling/", include("samspil.sharing.urls")),
    path("kurser/", include("samspil.training.urls")),
    path("bekymringer/", include("samspil.concerns.urls")),
    path("moeder/", include("samspil.meetings.urls")),
    path("evaluering/", include("samspil.stats.urls")),
    path("kalender/", include("samspil.meetings.feed_urls")),
    path("bevis/", include("samspil.training.public_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
