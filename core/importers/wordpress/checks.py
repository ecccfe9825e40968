"""``manage.py check --deploy`` warns when imports may fetch from private networks."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def media_downloads_stay_outside(app_configs=None, **kwargs):
    if settings.IMPORT_MEDIA_ALLOW_PRIVATE:
        return [
            checks.Warning(
                "IMPORT_MEDIA_ALLOW_PRIVATE is on: a WordPress export can make "
                "this server fetch addresses inside its own network (SSRF) when "
                "its media are downloaded.",
                hint="Unset IMPORT_MEDIA_ALLOW_PRIVATE outside tests and labs.",
                id="core.W002",
            )
        ]
    return []
