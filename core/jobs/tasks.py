"""The site-wide jobs. Start them through ``core.jobs.services``, after commit."""

from django_tasks import task

from . import runner


@task()
def run_callable(run_id: int) -> None:
    """One ``JobRun``: an import or other long work, with progress."""
    runner.run(run_id)
