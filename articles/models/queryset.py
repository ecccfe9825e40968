"""
What lists of articles ask: ``published()`` (the one definition of what a
reader may see), scheduled pieces, related articles, a tag's or an author's
pieces, and bylines for lists.
"""

from django.db import connection, models
from django.db.models import Prefetch, Q
from django.utils import timezone

from .parts import ArticleAuthor, RelatedArticle, TaggedArticle

RELATED_WINDOW = 400
# A tag or author with at least this many pieces is "busy" (see _linked).
BUSY_LINKS = 1000
# What links pieces to one tag or author: the model and its field for the piece.
LINKS = {"tag": (TaggedArticle, "content_object"), "author": (ArticleAuthor, "article")}


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """What a reader may see: published, and its publish time has come.

        The one definition used by every public view, feed, sitemap, search and
        count. A scheduled piece (published, time in the future) appears by
        itself when its time comes; no worker has to flip anything. ``at``
        (now by default) is the moment asked about: the article page compiles
        its query once with a placeholder there (``selectors.prepared``).
        """
        return self.filter(
            status=self.model.Status.PUBLISHED,
            publish_at__lte=timezone.now() if at is None else at,
        )

    def scheduled(self):
        return self.filter(
            status=self.model.Status.PUBLISHED, publish_at__gt=timezone.now()
        )

    def related_to(self, article, *, tag_ids, limit=4, candidates=None):
        """Related articles: the editor's picks in their order, then the newest
        pieces sharing the most tags; never the article itself.

        Call it on ``published()`` so only what readers may see is offered.
        ``candidates`` comes with the article on its page (articles.selectors.parts);
        otherwise two queries: the candidates' ids (the picks, and a bounded window of
        the newest pieces carrying any of these tags, so a tag on 30,000
        pieces costs no more than a tag on 30), then those candidates ranked.
        An ``IN`` list of ids lets both databases use the primary key; an
        ``OR`` of two subqueries made PostgreSQL scan the whole table.
        """
        if (
            candidates is None
        ):  # the article page brings them (articles.selectors.parts)
            candidates = _related_candidates(article.pk, tag_ids)
        picks, sharing = candidates
        candidates = (set(picks) | set(sharing)) - {article.pk}
        if not candidates:
            return self.none()
        pick_order = models.Case(
            *(models.When(pk=pk, then=models.Value(pos)) for pk, pos in picks.items()),
            default=None,
            output_field=models.IntegerField(),
        )
        return (
            self.filter(pk__in=candidates)
            .annotate(
                pick=pick_order,
                shared=models.Count(
                    "tagged_items",
                    filter=Q(tagged_items__tag_id__in=tag_ids),
                    distinct=True,
                ),
            )
            .select_related("section")
            .order_by(
                models.F("pick").asc(nulls_last=True), "-shared", "-publish_at", "-pk"
            )[:limit]
        )

    def tagged(self, tag, *, busy=None):
        """Pieces carrying ``tag``, planned for how busy it is (``_linked``)."""
        return self._linked("tag", busy, tag=tag)

    def by_author(self, author, *, busy=None):
        """Pieces under ``author``'s byline, planned like ``tagged``."""
        return self._linked("author", busy, author=author)

    def is_busy(self, kind: str, **match) -> bool:
        """Whether one tag (``kind`` "tag") or author ("author") has at least
        BUSY_LINKS links: the question that plans ``tagged`` and ``by_author``."""
        through, _field = LINKS[kind]
        links = through.objects.filter(**match).order_by()
        return links[BUSY_LINKS - 1 : BUSY_LINKS].exists()

    def _linked(self, kind: str, busy: bool | None, **match):
        """Pieces linked to one tag or author (``LINKS``).

        No single plan suits both a tag on a third of the archive and a tag
        on a dozen pieces (measured on SQLite at 100,000 pieces: a join took
        180 ms for the first and 4 ms for the second; walking the newest
        pieces with EXISTS took 3 ms and 31 ms). So one small query asks
        whether there are at least BUSY_LINKS links (``is_busy``, unless the
        caller knows: ``busy``): if so, walk the newest pieces by the
        ordering index and keep the linked ones (a page of them comes within
        the first few dozen rows); if not, fetch the few links first and then
        those pieces.
        """
        through, article_field = LINKS[kind]
        links = through.objects.filter(**match)
        if busy is None:
            busy = self.is_busy(kind, **match)
        if busy:
            return self.filter(
                models.Exists(links.filter(**{article_field: models.OuterRef("pk")}))
            )
        return self.filter(pk__in=links.values(f"{article_field}_id"))

    def with_bylines(self, *, section: bool = True):
        """Ordered authors (and the section, unless not shown) for lists, in
        small queries after the list's own. The section is prefetched, not
        joined: with the join SQLite drives the query from the few sections
        and sorts every piece of the list (256 ms for a tag on 31,000 of
        100,000 pieces, against 1.6 ms reading the ordering index)."""
        bylines = Prefetch(
            "bylines", queryset=ArticleAuthor.objects.select_related("author")
        )
        if section:
            return self.prefetch_related("section", bylines)
        return self.prefetch_related(bylines)


def _related_candidates(article_id: int, tag_ids) -> tuple[dict[int, int], list[int]]:
    """One query for the editor's picks (with their order) and the newest
    pieces carrying any of ``tag_ids`` (at most RELATED_WINDOW)."""
    links = RelatedArticle._meta.db_table
    tagged = TaggedArticle._meta.db_table
    sql = f"SELECT to_article_id, position FROM {links} WHERE from_article_id = %s"
    params: list = [article_id]
    tag_ids = [int(tag_id) for tag_id in tag_ids]
    if tag_ids:
        marks = ", ".join(["%s"] * len(tag_ids))
        sql += (
            f" UNION ALL SELECT content_object_id, NULL FROM ("
            f"SELECT content_object_id FROM {tagged} WHERE tag_id IN ({marks})"
            f" AND content_object_id <> %s ORDER BY content_object_id DESC"
            f" LIMIT %s) recent"
        )
        params += [*tag_ids, article_id, RELATED_WINDOW]
    picks: dict[int, int] = {}
    sharing: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, position in cursor.fetchall():
            if position is None:
                sharing.append(pk)
            else:
                picks.setdefault(pk, position)
    return picks, sharing
