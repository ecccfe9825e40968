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

from .rows import rows_insert

MAX_PATH = ArticlePath._meta.get_field("path").max_length


@transaction.atomic
def article_paths_add(*, article: Article, paths: Iterable[str]) -> list[str]:
    """Record ``paths`` as old addresses of ``article``; the ones that already
    lead to another piece (or are too long to store) are returned, not moved.

    Nothing is purged: an address that was not recorded answered 404, and
    404s are never cached.
    """
    return article_paths_add_many(paths=[(article, paths)])[article.pk]


@transaction.atomic
def article_paths_add_many(
    *, paths: Iterable[tuple[Article, Iterable[str]]]
) -> dict[int, list[str]]:
    """``article_paths_add`` for many articles in two queries; what each one
    was refused, by its id. Of two articles claiming one path, the first
    listed gets it."""
    wanted = {
        article: list(dict.fromkeys(path for path in given if path))
        for article, given in paths
    }
    every = [path for given in wanted.values() for path in given]
    owners = dict(
        ArticlePath.objects.filter(
            path__in=[path for path in every if len(path) <= MAX_PATH]
        ).values_list("path", "article_id")
    )
    new, refused = [], {}
    for article, given in wanted.items():
        refused[article.pk] = []
        for path in given:
            if len(path) > MAX_PATH:
                refused[article.pk].append(path)
            elif path not in owners:
                owners[path] = article.pk
                new.append(
                    ArticlePath(
                        path=path,
                        slug=ArticlePath.last_segment(path),
                        article=article,
                    )
                )
            elif owners[path] != article.pk:
                refused[article.pk].append(path)
    rows_insert(ArticlePath, new)
    return refused
