"""
What bench data is: the ``bench-`` prefix every seeded row carries, the names
and words it is made of, what a seed of a given size holds (``Plan``), and how
to find and remove it without touching anything else.
"""

from dataclasses import dataclass

from django.db import transaction
from taggit.models import Tag

from articles.models import (
    Article,
    Author,
    Correction,
    RelatedArticle,
    Section,
)
from comments.models import Comment

PREFIX = "bench-"
SEED_RULE = "seed_bench"
VIRAL_SLUG = f"{PREFIX}viral-uk-and-japan-sign-security-pact"
TARGET_SLUG = f"{PREFIX}live-readers-questions"
# The ordinary article ``make bench`` measures: bylines, tags, takeaways,
# related picks, a table of contents and a few comments, like most pieces.
SAMPLE_INDEX = 2
# One in this many articles is a draft, in review, scheduled, withdrawn.
EVERY_DRAFT, EVERY_REVIEW, EVERY_SCHEDULED, EVERY_WITHDRAWN = 50, 53, 97, 211

SECTIONS = [
    ("Politics", 10),
    ("World", 10),
    ("Defence", 8),
    ("Business", 8),
    ("Science", 6),
    ("Culture", 5),
    ("Sport", 5),
    ("Obituaries", 1),  # small on purpose: the "few articles" list page
]
FIRST = (
    "Daniel Amara Kenji Sofia Liam Chloe Arjun Maya Tomasz Ines Yuki Omar Lena"
).split()
LAST = (
    "Perez Okafor Tanaka Rossi Murphy Dubois Shah Cohen Nowak Silva Sato Haddad"
).split()
TITLES = ["News Editor", "Defence Correspondent", "Reporter", "Political Editor"]
PLACES = (
    "Japan|United Kingdom|France|Germany|Brazil|India|Kenya|Canada|Australia|"
    "Mexico|Norway|Poland|Egypt|Vietnam|Chile|Ghana|Spain|Italy|Turkey|Korea"
).split("|")
TOPICS = (
    "security|trade|energy|elections|climate|health|housing|courts|schools|"
    "transport|budget|farming|fisheries|technology|space|shipping|tourism|"
    "science|football|cinema|labour|pensions|water|policing|diplomacy"
).split("|")
WORDS = (
    "officials said the government would review its approach after talks with "
    "partners in the region according to reports from the ministry while "
    "critics warned that costs could rise and analysts expected a decision "
    "before the summit next month as ministers met allies to discuss a new "
    "agreement on cooperation defence trade and investment across borders"
).split()


@dataclass(frozen=True)
class Plan:
    """What a seed of this size makes; also how ``make bench`` checks one."""

    articles: int
    comments_per_article: int
    hot_comments: int

    def status(self, index: int) -> str:
        if index <= SAMPLE_INDEX:
            return Article.Status.PUBLISHED
        if index % EVERY_DRAFT == 7:
            return Article.Status.DRAFT
        if index % EVERY_REVIEW == 11:
            return Article.Status.REVIEW
        if index % EVERY_WITHDRAWN == 13:
            return Article.Status.WITHDRAWN
        return Article.Status.PUBLISHED

    def is_scheduled(self, index: int) -> bool:
        return (
            index > SAMPLE_INDEX
            and index % EVERY_SCHEDULED == 5
            and self.status(index) == Article.Status.PUBLISHED
        )

    def comment_count(self, index: int) -> int:
        if index == 0:
            return self.hot_comments
        if index == 1:  # the posting target starts empty
            return 0
        live = self.status(index) == Article.Status.PUBLISHED
        return self.comments_per_article if live and not self.is_scheduled(index) else 0

    def expected(self) -> dict:
        comments = sum(self.comment_count(i) for i in range(self.articles))
        return {
            "articles": self.articles,
            "comments": comments,
            "hot_comments": self.hot_comments,
        }


def has_bench_data() -> bool:
    return (
        Article.objects.filter(slug__startswith=PREFIX).exists()
        or Section.objects.filter(slug__startswith=PREFIX).exists()
        or Author.objects.filter(slug__startswith=PREFIX).exists()
    )


def reset(batch_size: int = 1_000) -> None:
    """Remove bench data only: rows with bench- slugs and what hangs off them.

    The audit log is append-only, so seeded entries stay (they name ids only).
    """
    while True:
        pks = list(
            Article.objects.filter(slug__startswith=PREFIX).values_list(
                "pk", flat=True
            )[:batch_size]
        )
        if not pks:
            break
        with transaction.atomic():
            # Children first: replies before their threads, so each delete
            # cascades only within this batch.
            for depth in (3, 2, 1):
                Comment.objects.filter(article_id__in=pks, depth__gte=depth).delete()
            Correction.objects.filter(article_id__in=pks).delete()
            RelatedArticle.objects.filter(to_article_id__in=pks).delete()
            Article.objects.filter(pk__in=pks).delete()
    Author.objects.filter(slug__startswith=PREFIX).delete()
    Tag.objects.filter(slug__startswith=PREFIX).delete()
    Section.objects.filter(slug__startswith=PREFIX).delete()
