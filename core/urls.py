from django.urls import path

from core import views

app_name = "core"

# Under /admin/ (newsroom/urls.py), so the admin's policies (CSP, sign-in)
# apply; anything else there falls through to the admin site.
urlpatterns = [
    path("two-factor/", views.two_factor_setup, name="two-factor-setup"),
    path(
        "two-factor/qr-code.svg",
        views.two_factor_qr_code,
        name="two-factor-qr-code",
    ),
    path("import/wordpress/", views.wordpress_import, name="wordpress-import"),
    path(
        "import/wordpress/<int:run_id>/",
        views.wordpress_import_run,
        name="wordpress-import-run",
    ),
    path(
        "import/wordpress/<int:run_id>/progress/",
        views.wordpress_import_progress,
        name="wordpress-import-progress",
    ),
    path(
        "import/wordpress/<int:run_id>/report.json",
        views.wordpress_import_report,
        name="wordpress-import-report",
    ),
]
