"""The site-wide jobs. Start them through ``core.jobs.services``, after commit."""

from django_tasks import task

from . import runner, webhooks


@task()
def run_callable(run_id: int) -> None:
    """One ``JobRun``: an import or other long work, with progress."""
    runner.run(run_id)


@task()
def deliver_webhook(url: str, payload, delivery_id: str) -> int:
    """One webhook POST; retried with backoff until it answers 2xx."""
    return webhooks.deliver(url, payload, delivery_id)
