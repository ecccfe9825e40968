"""
Webhooks: signed POSTs to partners' URLs when a piece is published, updated,
corrected or withdrawn, or a comment is approved (issue 15).

- ``models``: subscriptions, deliveries and each delivery's attempts.
- ``signing``: secrets and signatures in the Standard Webhooks format.
- ``addresses``: which targets may be called (no private networks: SSRF).
- ``sending``: one HTTP attempt, never raising.
- ``services``: raise an event, run an attempt, redeliver, disable.
- ``tasks``: the jobs (``core.jobs``' worker runs them).
- ``receivers``: the listeners to ``articles.signals`` and
  ``comments.signals``, connected in ``api.apps``.
"""
