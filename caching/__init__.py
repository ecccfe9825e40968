"""
The shared cache, knowing nothing of the newsroom: a Redis backend that degrades
instead of failing (``backend``), the whole-page cache engine (``pages``) and
its purges carried to a CDN or Varnish in front (``edge``).

What a page shows and what a change makes stale is newsroom knowledge; it lives
in ``articles.cache``, the only caller of ``pages.add_tags`` and ``purges.purge``.
"""
