"""The project's settings, with the development defaults the suite needs.

Only environment defaults are set here; everything else is newsroom.settings,
so the suite runs what production runs. CI sets DATABASE_URL and REDIS_URL to
run the same tests on PostgreSQL and Redis.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "true")
# The suite runs on the default shared disk cache (unless REDIS_URL says
# otherwise), in a folder of this run's own, removed when the run ends.
_CACHE_DIR = tempfile.mkdtemp(prefix="newsroom-test-cache-")
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)
os.environ["CACHE_DIR"] = _CACHE_DIR

from newsroom.settings import *  # noqa: E402, F403

# Hashing passwords slowly is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Most tests change rows directly, inside a transaction that never commits (so
# no purge runs); the page cache has its own tests, which turn it on.
NEWSROOM_PAGE_CACHE = False
# The same for the page fragments (caching/fragments.py); their tests turn
# them on.
NEWSROOM_FRAGMENT_CACHE = False

# Jobs run in the test process when their transaction commits (tests that
# assert mail use django_capture_on_commit_callbacks). The job tests switch
# to the database queue and run the worker; tests/stack/test_jobs_worker.py
# runs a real one in a process of its own.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
