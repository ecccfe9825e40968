"""WSGI entry point: ``gunicorn newsroom.wsgi`` (and ``runserver``, which loads it)."""

import os

from django.core.wsgi import get_wsgi_application

from caching.checks import refuse_to_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

# The pages an editor or a reader opens first: compiled while the worker
# boots, not on somebody's first request.
WARM_TEMPLATES = (
    "admin/index.html",
    "admin/change_list.html",
    "admin/articles/article/change_form.html",
    "articles/front_page.html",
    "articles/article_detail.html",
    # The article page's own fragment (articles.fragments.ARTICLE_PARTS).
    "articles/article/meta.html",
    "articles/article/og_tags.html",
    "articles/article/content.html",
)


def warm_up() -> None:
    """Do at start what a new worker's first requests would otherwise pay
    for: import every view and admin module (the URLconf) and compile the
    busiest templates. Editors felt it as a slow first Publish or add page
    after each restart (issue 14, point 8). No database, no cache."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and the admin)
    for name in WARM_TEMPLATES:
        get_template(name)


application = get_wsgi_application()
# A per-process cache with several workers serves stale pages: refuse to start.
refuse_to_start()
warm_up()
