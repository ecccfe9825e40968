"""
Addresses a piece had in another system (an import), kept as old addresses.

``ArticlePath`` already answers 301 for an address a piece had here; an
importer adds the addresses it had on the old site, so every link to them
arrives in one hop. A path is taken once: another piece's old address is
never moved silently.
"""

from collections.abc import Iterable

from django.db import transaction

from articles.models import Article, ArticlePath

MAX_PATH = ArticlePath._meta.get_field("path").max_length


@transaction.atomic
def article_paths_add(*, article: Article, paths: Iterable[str]) -> list[str]:
    """Record ``paths`` as old addresses of ``article``; the ones that already
    lead to another piece (or are too long to store) are returned, not moved.

    Nothing is purged: an address that was not recorded answered 404, and
    404s are never cached.
    """
    wanted = list(dict.fromkeys(path for path in paths if path))
    refused = [path for path in wanted if len(path) > MAX_PATH]
    wanted = [path for path in wanted if len(path) <= MAX_PATH]
    owners = dict(
        ArticlePath.objects.filter(path__in=wanted).values_list("path", "article_id")
    )
    ArticlePath.objects.bulk_create(
        [
            ArticlePath(path=path, slug=ArticlePath.last_segment(path), article=article)
            for path in wanted
            if path not in owners
        ]
    )
    return refused + [
        path for path in wanted if owners.get(path) not in (None, article.pk)
    ]
