"""
Background jobs: django-tasks (the backport of Django 6's ``django.tasks``)
with its database backend, django-tasks-db, and what the two still lack.

- ``worker``: the worker (``manage.py run_jobs``): django-tasks-db's own loop,
  plus retries with backoff and the recovery of a job whose worker died.
- ``models``: the workers' heartbeats, and ``JobRun``, one long job's
  progress and result for the admin.
- ``tasks``: the generic job: run a callable by dotted path (the WordPress
  import). Webhooks have jobs of their own, with their own retry schedule
  (``api/webhooks/``).
- ``services``: how the rest of the site starts them, after commit.

Each app keeps its own jobs next to its services (``comments/tasks.py``) and
imports only ``django_tasks``, never this package. docs/deploy.md,
"Background jobs", says why this engine and how to run it.
"""
