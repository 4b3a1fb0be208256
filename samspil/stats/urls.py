from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("<int:pk>/", views.cooperation_figures, name="cooperation_figures"),
    path("<int:pk>/evaluering.<slug:fmt>", views.cooperation_figures_export, name="cooperation_figures_export"),
]
