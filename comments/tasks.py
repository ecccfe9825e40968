"""
The comments' background jobs: the two emails, sent by the job worker
(``manage.py run_jobs``), never inside a reader's request.

The services queue them when their transaction commits (``robust``: if the
queue cannot be written then, the error is logged and the reader's comment,
already stored, still gets its answer). A failed send is tried again with
backoff by the worker. The reply email may go twice if a
worker dies between sending and recording it: mail is at least once.
"""

from django_tasks import task

from . import notifications


@task()
def notify_moderators() -> bool:
    return notifications.notify_moderators()


@task()
def notify_reply(reply_id: int) -> bool:
    return notifications.notify_reply(reply_id)
