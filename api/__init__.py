"""
The public content API (``/api/v1/``): read-only JSON of what
``Article.objects.published()`` shows, cached and purged like the pages.
Webhooks will live here too (see docs/api.md).
"""
