from django.urls import path

from . import views

app_name = "citizens"
urlpatterns = [
    path("<int:pk>/", views.citizen_detail, name="citizen_detail"),
    path("<int:pk>/cpr/", views.citizen_cpr, name="citizen_cpr"),
]
