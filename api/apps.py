from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Content API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.jobs import housekeeping

        from .webhooks import attempts, checks, receivers  # noqa: F401 (checks registers)

        receivers.connect()
        housekeeping.register("webhook deliveries", attempts.finished_deliveries)
