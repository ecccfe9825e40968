from django.urls import path

from core import views

app_name = "core"

# Under /admin/two-factor/ (newsroom/urls.py), so the admin's policies apply.
urlpatterns = [
    path("", views.two_factor_setup, name="two-factor-setup"),
    path("qr-code.svg", views.two_factor_qr_code, name="two-factor-qr-code"),
]
