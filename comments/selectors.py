"""
An article's public comments as threads, a page of threads at a time.

A thread starts at a public comment whose parent is not public: a top-level
comment, or a reply whose parent was later removed. So every public comment
appears exactly once, under its nearest public ancestor, and the thread
always shows what "N comments" counts. One query whatever the number of
comments.

And the article a reader posts under (``article_for_posting``), read by a
query built once per process.
"""

import functools
import math
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from articles.models import Article
from articles.selectors.prepared import CompiledQuery

from .models import Comment, public_filter

# What posting reads of the article: whether it is open, its address, and the
# headline of the page a refused post is shown on. Not the body (kilobytes)
# nor the search vector: a post read and decoded them for nothing.
POSTING_FIELDS = ("headline", "slug", "publish_at", "created_at", "allow_comments")

THREAD_FIELDS = [
    "pk",
    "article_id",
    "parent_id",
    "root_id",
    "depth",
    "author_name",
    "body",
    "status",
    "hidden_at",
    "created_at",
]


@dataclass
class Node:
    comment: Comment
    children: list["Node"] = field(default_factory=list)
    held: bool = False  # the reader's own comment, not public yet
    orphan: bool = False  # a reply whose parent is no longer shown


@dataclass
class ThreadPage:
    nodes: list[Node]
    number: int
    has_next: bool
    num_pages: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _heads(article):
    # "Whose parent is not public" as a scalar subquery on the parent's
    # primary key, which PostgreSQL never turns into a join: it walks the
    # article's comments in order, looks each parent up by id and stops once
    # the page is full, whatever its statistics say. As NOT EXISTS it became
    # an anti-join whose plan followed the statistics: a nested loop
    # rescanning the article's comments for each comment whenever it believed
    # the article had one comment (every new piece, until the table is
    # analysed again; 0.77 s for a thread page of a piece with 1,200
    # comments), and a hash of the whole table without the article's filter
    # (52 ms). docs/comments.md, "Threads".
    parent_is_public = (
        Comment.objects.filter(pk=OuterRef("parent_id"))
        .order_by()
        .values(public=ExpressionWrapper(public_filter(), BooleanField()))[:1]
    )
    return (
        Comment.objects.public()
        .filter(article=article)
        .alias(parent_public=Coalesce(Subquery(parent_is_public), Value(False)))
        .filter(parent_public=False)
        .order_by("created_at", "pk")
    )


def thread_page(
    article, *, number: int = 1, per_page: int, count_pages: bool = False
) -> ThreadPage:
    """One page of threads and everything under them, in one query.

    The page's thread heads (one more than fits, to know whether another page
    follows) are a subquery; the query returns them and every public comment
    of their threads, marking which rows are this page's heads.
    """
    heads = _heads(article)
    num_pages = None
    if count_pages:
        num_pages = max(1, math.ceil(heads.count() / per_page))
        number = min(max(1, number), num_pages)
    start = (number - 1) * per_page
    window = slice(start, start + per_page + 1)
    page_heads = heads.values("pk")[window]
    page_threads = heads.annotate(thread=Coalesce("root_id", "pk")).values("thread")[
        window
    ]
    rows = list(
        Comment.objects.public()
        .filter(article=article)
        .filter(Q(pk__in=page_heads) | Q(root_id__in=page_threads))
        .annotate(
            on_page=ExpressionWrapper(Q(pk__in=page_heads), output_field=BooleanField())
        )
        .only(*THREAD_FIELDS)
        .order_by("created_at", "pk")
    )
    head_rows = [row for row in rows if row.on_page]
    has_next = len(head_rows) > per_page
    nodes = [
        Node(comment=head, orphan=head.parent_id is not None)
        for head in head_rows[:per_page]
    ]
    _attach(nodes, [row for row in rows if not row.on_page])
    return ThreadPage(
        nodes=nodes, number=number, has_next=has_next, num_pages=num_pages
    )


def _attach(nodes: list[Node], comments: list[Comment]) -> None:
    """Hang each comment under its parent's node, oldest first."""
    by_id = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        by_id[node.comment.pk] = node
        stack.extend(node.children)
    pending = list(comments)
    while pending:
        left = []
        for comment in pending:
            parent = by_id.get(comment.parent_id)
            if parent is None:
                left.append(comment)
                continue
            node = Node(comment=comment)
            parent.children.append(node)
            by_id[comment.pk] = node
        if len(left) == len(pending):
            break  # the rest belong to threads on other pages
        pending = left
    for node in by_id.values():
        node.children.sort(
            key=lambda child: (child.comment.created_at, child.comment.pk)
        )


def add_held(page: ThreadPage, held: list[Comment], *, last_page: bool) -> None:
    """Put the reader's own held comments in place: replies under their parent,
    new threads at the end of the last page."""
    by_id = {}
    stack = list(page.nodes)
    while stack:
        node = stack.pop()
        by_id[node.comment.pk] = node
        stack.extend(node.children)
    for comment in sorted(held, key=lambda c: (c.created_at, c.pk)):
        node = Node(comment=comment, held=True)
        parent = by_id.get(comment.parent_id)
        if parent is not None:
            parent.children.append(node)
            by_id[comment.pk] = node
        elif comment.parent_id is None and last_page:
            page.nodes.append(node)
            by_id[comment.pk] = node


def page_of(comment: Comment, *, per_page: int) -> int:
    """The discussion page that shows ``comment`` (its thread's page)."""
    head = comment
    while head.parent_id is not None and head.parent is not None:
        if not head.parent.is_public:
            break
        head = head.parent
    heads = _heads(comment.article_id)
    if not head.is_public:
        # A held new thread is shown at the end of the last page.
        return max(1, math.ceil(heads.count() / per_page))
    before = heads.filter(created_at__lt=head.created_at).count()
    return before // per_page + 1


def article_for_posting(article_id: int) -> Article | None:
    """The article a reader posts under, with ``POSTING_FIELDS`` only, or
    None if there is none that readers may see (``Article.is_published``,
    the one-row mirror of ``published()``).

    Every post asks it: the query is compiled once per process
    (``articles.selectors.prepared.CompiledQuery``, as the article page's
    is), where building it with the ORM for each post
    (``published().only(...)``, then ``get``) cost ten times running it."""
    found = _posting_query(connection.vendor).rows(pk=article_id)
    article = found[0] if found else None
    return article if article is not None and article.is_published() else None


# The id the query is compiled with, then replaced by each post's.
_NO_ID = -7_041_905


@functools.cache
def _posting_query(vendor: str) -> CompiledQuery:
    """One article by its id: ``POSTING_FIELDS`` and the status (for
    ``is_published``), the ORM's converters included (SQLite's dates arrive
    as text). ``vendor`` keys the cache, as the article page's query does."""
    pk = Article._meta.pk
    return CompiledQuery(
        lambda pk: (
            Article.objects.only(*POSTING_FIELDS, "status").filter(pk=pk).order_by()
        ),
        {"pk": (_NO_ID, lambda value: pk.get_db_prep_value(value, connection))},
    )
