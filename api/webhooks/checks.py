"""``manage.py check --deploy`` warns when webhooks may reach private networks."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def webhooks_stay_outside(app_configs=None, **kwargs):
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return [
            checks.Warning(
                "WEBHOOKS_ALLOW_PRIVATE is on: a webhook subscription can make "
                "this server call addresses inside its own network (SSRF).",
                hint="Unset WEBHOOKS_ALLOW_PRIVATE outside tests and labs.",
                id="api.W001",
            )
        ]
    return []
