from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Site-wide work that belongs to no one model: backup and restore, demo
    and bench seeding, the editors' desk, two-factor sign-in and roles."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Site")

    def ready(self):
        # caching is not an app of its own; its check is the site's.
        from caching.checks import shared_cache

        from .importers.wordpress import checks as import_checks  # noqa: F401
        from .jobs import checks as job_checks  # noqa: F401 (registers the deploy check)

        checks.register(shared_cache, checks.Tags.caches)
