from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Content API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .webhooks import checks, receivers  # noqa: F401 (checks registers)

        receivers.connect()
