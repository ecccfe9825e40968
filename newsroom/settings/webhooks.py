"""
Webhooks (issue 15, docs/api.md "Webhooks"): where they may go, how often a
failing one is tried again, and when a subscription is switched off.
"""

from .env import env_bool, env_int

# - WEBHOOKS_ALLOW_PRIVATE: allow targets on private, loopback, link-local and
#   reserved addresses; off in production (SSRF), on only for tests and labs.
# - The retry schedule is the Standard Webhooks recommendation: after the
#   first attempt, waits of 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (about
#   28 h in all). Tests compress it.
# - A subscription whose last WEBHOOKS_DISABLE_AFTER_FAILURES deliveries all
#   failed, or that has failed without a success for WEBHOOKS_DISABLE_AFTER_DAYS,
#   is switched off, with a message on the editors' desk.
# - WEBHOOKS_UPDATE_WINDOW: seconds during which further edits of a published
#   piece join the article.updated already waiting for it: one delivery, with
#   the piece as it is when the window closes, counted from the first edit.
#   0 sends one per edit. published, corrected and withdrawn never wait.
# - WEBHOOKS_LOG_KEEP_DAYS: finished deliveries (and their attempts) stay in
#   the admin's log this long; the jobs' housekeeping deletes older ones.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]
WEBHOOKS_DISABLE_AFTER_FAILURES = env_int("WEBHOOKS_DISABLE_AFTER_FAILURES", 5)
WEBHOOKS_DISABLE_AFTER_DAYS = env_int("WEBHOOKS_DISABLE_AFTER_DAYS", 5)
WEBHOOKS_UPDATE_WINDOW = env_int("WEBHOOKS_UPDATE_WINDOW", 60)
WEBHOOKS_LOG_KEEP_DAYS = env_int("WEBHOOKS_LOG_KEEP_DAYS", 30, minimum=1)
