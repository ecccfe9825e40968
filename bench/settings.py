"""The site's settings with the benchmark's one extra route (``bench.urls``).

The harness starts its server with these, so the production URLconf never
imports the bench.
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# wrk asks from one address: the API's per-address limit would measure 429s.
API_RATE_PER_MINUTE = 10**9

# The page cache counts what each miss did (rendered, answered stale, waited):
# the stampede scenario's renders per purge (bench/stampede.py).
NEWSROOM_PAGE_CACHE_STATS = True
