"""
What bench data a database holds, for the harness to decide whether to seed
afresh. The rows themselves are made by ``seed_bench`` (core/seeding/bench/),
production code that never imports this package.
"""

from articles.models import Article
from comments.models import Comment
from comments.rules import comments_open
from core.seeding.bench import PREFIX, TARGET_SLUG, VIRAL_SLUG


def existing_counts() -> dict:
    """What bench data the database holds now, comparable with ``Plan.expected``.

    Comments posted by a benchmark run (under the posting target) are not
    counted: they do not make the data another size.
    """
    bench = Article.objects.filter(slug__startswith=PREFIX)
    seeded = bench.exclude(slug=TARGET_SLUG)
    return {
        "articles": bench.count(),
        "comments": Comment.objects.filter(article__in=seeded).count(),
        "hot_comments": Comment.objects.filter(article__slug=VIRAL_SLUG).count(),
    }


def still_open() -> bool:
    """Whether the posting target still takes comments (they close some days
    after publication, so an old bench database is seeded afresh)."""
    target = Article.objects.filter(slug=TARGET_SLUG).first()
    return target is not None and comments_open(target)
