"""``manage.py check --deploy`` warns when jobs would run in readers' requests."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def jobs_run_by_a_worker(app_configs=None, **kwargs):
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend.endswith("ImmediateBackend"):
        return [
            checks.Warning(
                "JOBS_BACKEND=immediate runs emails and webhooks inside the "
                "request that queued them, without retries.",
                hint="Leave JOBS_BACKEND unset (the database queue) and run "
                "manage.py run_jobs beside the app servers.",
                id="core.W001",
            )
        ]
    return []
