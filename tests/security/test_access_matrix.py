"""The access matrix: who gets what, for every role × article state × endpoint.

The expectations are data: one readable rule per endpoint, from the role and
the article's state to the answer (a status code, plus "listed" or "not
listed" for lists, feeds, sitemaps and search, "edit" or "read-only" for admin
forms, "done" or "not done" for actions). One test builds a newsroom with an
article in each state, asks every cell through Django's test client, and
reports every wrong cell at once. The same run looks for leaks: marker strings
in the unpublished pieces, held comments and commenters' email addresses must
reach nobody who may not see them, whatever the page (lists, feeds, sitemaps,
search, JSON-LD, related posts, comment pages, error pages).

The table is written to docs/security/access.md; the test fails when the file
and the behaviour differ. After a deliberate change, regenerate it with
``UPDATE_ACCESS_MATRIX=1 pytest tests/security/test_access_matrix.py``.
"""

import itertools
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import signing
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from api.representation import ARTICLE_FIELDS
from articles.models import Article, ArticlePath, RelatedArticle
from articles.selectors.previews import preview_token
from comments import readers
from comments.models import Ban, Comment
from core.roles import EDITORS, MODERATORS, WRITERS
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
    PreviewLinkFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_api_rate_limit(settings):
    """Hundreds of API requests from one address: no rate limit decides a cell."""
    settings.API_RATE_PER_MINUTE = 10**9


DOC = Path(__file__).resolve().parents[2] / "docs" / "security" / "access.md"

# "writer" wrote every piece here; "colleague" is another writer.
ROLES = [
    "anonymous",
    "commenter",
    "writer",
    "colleague",
    "editor",
    "moderator",
    "superuser",
]
STATES = ["draft", "review", "scheduled", "published", "withdrawn"]
HIDDEN = [state for state in STATES if state != "published"]

# Who holds which permissions (core/roles.py): the article admin opens to
# writers (their own pieces or not), editors and superusers; the comments
# admin to moderators, editors (to read, not to decide) and superusers.
ARTICLE_STAFF = {"writer", "colleague", "editor", "superuser"}
COMMENT_READERS = {"editor", "moderator", "superuser"}
DECIDERS = {"moderator", "superuser"}
PUBLISHERS = {"editor", "superuser"}
NOT_STAFF = {"anonymous", "commenter"}

SEARCH_WORD = "quasiallyzx"
ARTICLE_PARTS = ("headline", "dek", "body", "caption", "takeaway", "fix")
SECRET_KINDS = {
    *(f"article {part}" for part in ARTICLE_PARTS),
    "article slug",
    "comment on hidden piece",
    "held comment",
    "email",
    "preview address",
}
# Those who may send a piece outside the newsroom early (articles.workflow.may_share):
# editors, and the writer of these pieces.
SHARERS = {"writer", "editor", "superuser"}


# The expectations ------------------------------------------------------------


def reader_page(role, state):
    """An article's own address: 200 when out, 410 once withdrawn, else 404."""
    return {"published": "200", "withdrawn": "410"}.get(state, "404")


def old_address(role, state):
    """A previous slug: 301 to the piece when out, 410 like the piece once
    withdrawn, else 404 (an old address must not confirm a draft exists)."""
    return {"published": "301", "withdrawn": "410"}.get(state, "404")


def listing(role, state):
    """Lists, feeds, sitemaps and search show published pieces only, to
    everyone: staff read unpublished pieces in the admin, not on the site."""
    return "200 listed" if state == "published" else "200 not listed"


def with_tombstones(role, state):
    """The API's changes since a date: published pieces, and a tombstone (id,
    slug, when) for a piece readers saw and can no longer see, so a mirror
    removes it. Pieces never out are in neither."""
    return "200 listed" if state in ("published", "withdrawn") else "200 not listed"


def on_published_only(ok):
    """Comment endpoints exist for published pieces only; 404 for the rest."""

    def rule(role, state):
        return ok if state == "published" else "404"

    return rule


def preview_valid(role, state):
    """A signed link shows a piece before it is out, to whoever holds it;
    once out it sends them to the real page; a withdrawn piece is gone."""
    return {"published": "302", "withdrawn": "410"}.get(state, "200")


def preview_expired(role, state):
    """An expired link shows nothing; a piece that is out now is still
    reached through it (its page is public anyway)."""
    return "302" if state == "published" else "410"


def preview_tampered(role, state):
    return "404"


def staff_only(allowed, granted):
    """Admin pages: the login page for those who are not staff, 403 for staff
    without the permission."""

    def rule(role, state):
        if role in NOT_STAFF:
            return "302 login"
        return granted(role, state) if role in allowed else "403"

    return rule


def article_form(role, state):
    """Editors edit any piece; a writer edits their own until it is out and
    reads it afterwards; a colleague's piece they only read."""
    if role == "writer":
        return "200 edit" if state in ("draft", "review") else "200 read-only"
    return "200 read-only" if role == "colleague" else "200 edit"


def make_preview(role, state):
    """Sharing a piece outside the newsroom before it is out is for its
    editors and its own writer, and only while it is not out."""
    if role in NOT_STAFF:
        return "302 login"
    if role not in SHARERS:
        return "403"
    return "302 done" if state in ("draft", "review", "scheduled") else "302 not done"


def transition(sources, may):
    """A workflow button: done when the role may press it in this state,
    403 otherwise (also when the state does not offer it)."""

    def rule(role, state):
        if role in NOT_STAFF:
            return "302 login"
        return "302 done" if role in may and state in sources else "403"

    return rule


def moderation(role, state):
    """Moderators decide on any comment; editors only read the queue, so the
    action is not offered to them and nothing changes."""
    if role in NOT_STAFF:
        return "302 login"
    if role in DECIDERS:
        return "302 done"
    # Without a single action of theirs, the admin shows them the list again.
    return "200 not done" if role in COMMENT_READERS else "403"


def data_export(role, state):
    """A commenter's data, for moderators (``manage_commenter_data``) only."""
    answer = moderation(role, state)
    return "200 download" if answer == "302 done" else answer


def ok(value):
    return lambda role, state: value


# The endpoints ---------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    group: str
    rule: Callable[[str, str], str]
    url: Callable[["World", str], str]
    method: str = "get"
    data: Callable[["World", str], dict] | None = None
    classify: str = "status"  # status, listed, form, changed
    # What may appear in the answer beyond public text (see World.allowed).
    shows: str = ""


def _post(world, state):
    n = next(world.sequence)
    return {
        "name": "Matrix Reader",
        "email": f"matrix.poster{n}@example.net",
        "body": f"Fresh thought number {n} on the {state} piece.",
        "parent": "",
        "website": "",
    }


def _admin(view, *args):
    return lambda world, state: reverse(
        f"admin:{view}", args=[arg(world, state) for arg in args]
    )


def _article_pk(world, state):
    return world.articles[state].pk


def _pk(world, state):
    return world.articles[state].pk


def _api(path):
    """A content-API address (docs/api.md): one rule per endpoint, like the pages."""
    return f"/api/v1/{path}"


def _held_pk(world, state):
    return world.held[state].pk


def _transition_url(action):
    return lambda world, state: reverse(
        "admin:articles_article_transition", args=[world.articles[state].pk, action]
    )


def _action(name):
    return lambda world, state: {
        "action": name,
        ACTION_CHECKBOX_NAME: [world.held[state].pk],
        "index": "0",
    }


def _list(name, group, url_name, of=None):
    """A list of pieces, at one address whatever the piece's state; ``of``
    names the section, tag or author it lists."""

    def url(world, state):
        return reverse(url_name, args=[getattr(world, of).slug] if of else [])

    return Endpoint(name, group, listing, url)


def _comments(name, answer, url_name, *, of="articles", query="", **options):
    """A reader's comment endpoint for the piece (``of="articles"``) or for its
    approved comment (``of="approved"``): ``answer`` when the piece is out."""

    def url(world, state):
        target = reverse(url_name, args=[getattr(world, of)[state].pk])
        return f"{target}?{query}" if query else target

    return Endpoint(name, "comments", on_published_only(answer), url, **options)


ENDPOINTS = [
    Endpoint(
        "article page",
        "reader pages",
        reader_page,
        lambda w, s: w.articles[s].get_absolute_url(),
    ),
    Endpoint("old-slug address", "reader pages", old_address, lambda w, s: w.old[s]),
    _list("front page", "lists", "articles:front-page"),
    _list("section page", "lists", "articles:section-detail", of="section"),
    _list("tag page", "lists", "articles:tag-detail", of="tag"),
    _list("author page", "lists", "articles:author-detail", of="author"),
    Endpoint(
        "year archive",
        "lists",
        listing,
        lambda w, s: reverse("articles:archive-year", args=[w.year]),
    ),
    _list("corrections page", "lists", "articles:corrections"),
    _list("RSS feed", "feeds", "articles:feed-rss"),
    _list("Atom feed", "feeds", "articles:feed-atom"),
    _list("section feed", "feeds", "articles:section-feed-rss", of="section"),
    _list("tag feed", "feeds", "articles:tag-feed-atom", of="tag"),
    _list("author feed", "feeds", "articles:author-feed-rss", of="author"),
    _list("corrections feed", "feeds", "articles:corrections-feed-rss"),
    Endpoint(
        "article sitemap",
        "sitemaps",
        listing,
        lambda w, s: reverse("sitemap-section", kwargs={"section": "articles"}),
    ),
    Endpoint("news sitemap", "sitemaps", listing, lambda w, s: reverse("news-sitemap")),
    Endpoint(
        "search",
        "search",
        listing,
        lambda w, s: reverse("articles:search") + f"?q={SEARCH_WORD}",
    ),
    Endpoint(
        "search for the piece's own marker",
        "search",
        listing,
        lambda w, s: reverse("articles:search") + f"?q={w.find_word(s)}",
    ),
    Endpoint(
        "preview link (valid)",
        "preview links",
        preview_valid,
        lambda w, s: w.preview[s],
        shows="preview",
    ),
    Endpoint(
        "preview link (expired)",
        "preview links",
        preview_expired,
        lambda w, s: w.expired[s],
    ),
    Endpoint(
        "preview link (tampered)",
        "preview links",
        preview_tampered,
        lambda w, s: w.tampered[s],
    ),
    _comments("comment post", "303", "comments:post", method="post", data=_post),
    _comments("discussion page", "200", "comments:discussion", shows="own"),
    _comments("reader's comment state", "200", "comments:reader-state", shows="own"),
    _comments("reply page", "200", "comments:reply", of="approved"),
    _comments("report page", "200", "comments:report", of="approved"),
    _comments(
        "report post",
        "303",
        "comments:report",
        of="approved",
        method="post",
        data=lambda w, s: {"reason": "abuse", "note": ""},
    ),
    _comments(
        "report sent page", "200", "comments:report", of="approved", query="sent=1"
    ),
    Endpoint(
        "report of a held comment",
        "comments",
        ok("404"),
        lambda w, s: reverse("comments:report", args=[w.held[s].pk]),
    ),
    *(
        Endpoint(f"API {name}", "content API", rule, url, shows=shows)
        for name, rule, url, shows in [
            (
                "piece by id",
                reader_page,
                lambda w, s: _api(f"articles/{_pk(w, s)}/"),
                "",
            ),
            (
                "piece by slug",
                reader_page,
                lambda w, s: _api(f"articles/by-slug/{w.articles[s].slug}/"),
                "",
            ),
            (
                "piece by old slug",
                old_address,
                lambda w, s: _api(f"articles/by-slug/{w.old[s].split('/')[-2]}/"),
                "",
            ),
            (
                "comments of a piece",
                reader_page,
                lambda w, s: _api(f"articles/{_pk(w, s)}/comments/"),
                "",
            ),
            ("piece list", listing, lambda w, s: _api("articles/?page_size=100"), ""),
            (
                # A list leaves the body and the other heavy fields out
                # unless they are asked for: ask for all of them.
                "piece list with every field",
                listing,
                lambda w, s: _api(
                    f"articles/?page_size=100&fields={','.join(ARTICLE_FIELDS)}"
                ),
                "",
            ),
            (
                "list by section",
                listing,
                lambda w, s: _api(f"articles/?section={w.section.slug}"),
                "",
            ),
            (
                "list by tag",
                listing,
                lambda w, s: _api(f"articles/?tag={w.tag.slug}"),
                "",
            ),
            (
                "list by author",
                listing,
                lambda w, s: _api(f"articles/?author={w.author.slug}"),
                "",
            ),
            (
                "changes since",
                with_tombstones,
                lambda w, s: _api(
                    "articles/?modified_since=2000-01-01&ordering=-modified_at"
                ),
                "tombstones",
            ),
            (
                "search for the piece's own marker",
                listing,
                lambda w, s: _api(f"search/?q={w.find_word(s)}"),
                "",
            ),
            ("sections", ok("200"), lambda w, s: _api("sections/"), ""),
            ("tags", ok("200"), lambda w, s: _api("tags/"), ""),
            ("authors", ok("200"), lambda w, s: _api("authors/"), ""),
            ("schema", ok("200"), lambda w, s: _api("schema/"), ""),
        ]
    ),
    Endpoint(
        "admin article list",
        "article admin",
        staff_only(ARTICLE_STAFF, ok("200 listed")),
        lambda w, s: reverse("admin:articles_article_changelist"),
        classify="listed",
        shows="article-admin",
    ),
    Endpoint(
        "admin change page",
        "article admin",
        staff_only(ARTICLE_STAFF, article_form),
        _admin("articles_article_change", _article_pk),
        classify="form",
        shows="article-admin",
    ),
    Endpoint(
        "admin revision page",
        "article admin",
        staff_only(ARTICLE_STAFF, article_form),
        lambda w, s: reverse(
            "admin:articles_article_revision",
            args=[w.articles[s].pk, w.versions[s]],
        ),
        classify="form",
        shows="article-admin",
    ),
    Endpoint(
        "admin compare revisions",
        "article admin",
        staff_only(ARTICLE_STAFF, ok("200")),
        lambda w, s: (
            reverse("admin:articles_article_compare", args=[w.articles[s].pk])
            + f"?from={w.versions[s]}&to={w.versions[s]}"
        ),
        shows="article-admin",
    ),
    Endpoint(
        "admin: make a preview link",
        "article admin",
        make_preview,
        _admin("articles_article_preview_create", _article_pk),
        method="post",
        data=lambda w, s: {},
        classify="changed",
        shows="article-admin",
    ),
    Endpoint(
        "admin article autocomplete",
        "article admin",
        staff_only(ARTICLE_STAFF, ok("200 listed")),
        lambda w, s: (
            reverse("admin:autocomplete")
            + "?app_label=articles&model_name=relatedarticle&field_name=to_article"
            + "&term=Treaty"
        ),
        classify="listed",
        shows="article-admin",
    ),
    Endpoint(
        "editor's image browser",
        "article admin",
        staff_only(ARTICLE_STAFF, ok("200")),
        lambda w, s: reverse("ckeditor_browse"),
        shows="article-admin",
    ),
    Endpoint(
        "admin history",
        "article admin",
        staff_only(ARTICLE_STAFF, ok("200")),
        _admin("articles_article_history", _article_pk),
        shows="article-admin",
    ),
    Endpoint(
        "admin delete page",
        "article admin",
        staff_only(PUBLISHERS, ok("200")),
        _admin("articles_article_delete", _article_pk),
        shows="article-admin",
    ),
    Endpoint(
        "workflow: submit for review",
        "article admin",
        transition({"draft"}, {"writer", *PUBLISHERS}),
        _transition_url("submit"),
        method="post",
        data=lambda w, s: {},
        classify="changed",
        shows="article-admin",
    ),
    Endpoint(
        "workflow: publish now",
        "article admin",
        transition({"draft", "review"}, PUBLISHERS),
        _transition_url("publish"),
        method="post",
        data=lambda w, s: {},
        classify="changed",
        shows="article-admin",
    ),
    Endpoint(
        "workflow: withdraw",
        "article admin",
        transition({"published", "scheduled"}, PUBLISHERS),
        _transition_url("withdraw"),
        method="post",
        data=lambda w, s: {"note": "Legal asked us to take it down."},
        classify="changed",
        shows="article-admin",
    ),
    Endpoint(
        "moderation queue",
        "moderation",
        staff_only(COMMENT_READERS, ok("200 listed")),
        lambda w, s: reverse("admin:comments_comment_changelist"),
        classify="listed",
        shows="comment-admin",
    ),
    Endpoint(
        "held comment's admin page",
        "moderation",
        staff_only(
            COMMENT_READERS,
            lambda role, state: "200 edit" if role in DECIDERS else "200 read-only",
        ),
        _admin("comments_comment_change", _held_pk),
        classify="form",
        shows="comment-admin",
    ),
    *(
        Endpoint(
            f"moderation: {label}",
            "moderation",
            moderation,
            lambda w, s: reverse("admin:comments_comment_changelist"),
            method="post",
            data=_action(action),
            classify="changed",
            shows="comment-admin",
        )
        for label, action in [
            ("approve", "approve_comments"),
            ("reject", "reject_comments"),
            ("spam", "mark_spam"),
            ("ban", "ban_commenters"),
        ]
    ),
    Endpoint(
        "moderation: export commenter data",
        "moderation",
        data_export,
        lambda w, s: reverse("admin:comments_comment_changelist"),
        method="post",
        data=_action("export_commenter_data"),
        classify="changed",
        shows="comment-admin",
    ),
]


# The newsroom the matrix runs against -----------------------------------------


class World:
    """One article in each state, each with comments, a preview link, an old
    address, a correction and a takeaway, all carrying unique markers."""

    def __init__(self):
        now = timezone.now()
        self.sequence = itertools.count(1)
        self.year = timezone.localtime(now - timedelta(hours=1)).year
        self.section = SectionFactory(name="Defence", slug="defence")
        self.tag = Tag.objects.create(name="Japan", slug="japan")
        self.author = AuthorFactory(
            name="Daniel Perez", slug="daniel-perez", bio="Covers defence."
        )
        self.users = {
            "writer": UserFactory(username="writer", groups=[WRITERS]),
            "colleague": UserFactory(username="colleague", groups=[WRITERS]),
            "editor": UserFactory(username="editor", groups=[EDITORS]),
            "moderator": UserFactory(username="moderator", groups=[MODERATORS]),
            "superuser": UserFactory(username="root", is_superuser=True),
        }
        statuses = {
            "draft": (Article.Status.DRAFT, None),
            "review": (Article.Status.REVIEW, None),
            "scheduled": (Article.Status.PUBLISHED, now + timedelta(days=2)),
            "published": (Article.Status.PUBLISHED, now - timedelta(hours=1)),
            "withdrawn": (Article.Status.WITHDRAWN, now - timedelta(hours=2)),
        }
        self.articles, self.old, self.versions = {}, {}, {}
        self.approved, self.held = {}, {}
        self.preview, self.expired, self.tampered = {}, {}, {}
        self.tokens = {}
        for state, (status, publish_at) in statuses.items():
            article = ArticleFactory(
                headline=f"Treaty talks {self.marker(state, 'headline')}",
                slug=f"treaty-{state}-piece",
                dek=f"Quasi-ally status {self.marker(state, 'dek')}",
                body=(
                    f"<p>The {SEARCH_WORD} text {self.marker(state, 'body')} "
                    f"{self.find_word(state)}.</p>"
                    "<h2>What is the objective?</h2><p>Closer ties.</p>"
                ),
                lead_image_caption=f"Caption {self.marker(state, 'caption')}",
                section=self.section,
                status=status,
                publish_at=publish_at,
                # The withdrawn piece was out before: mirrors hold it.
                **({"first_published_at": publish_at} if state == "withdrawn" else {}),
                created_by=self.users["writer"],
                authors=[self.author],
                tags=[self.tag],
            )
            KeyTakeawayFactory(
                article=article, text=f"A takeaway {self.marker(state, 'takeaway')}."
            )
            CorrectionFactory(
                article=article, text=f"A correction {self.marker(state, 'fix')}."
            )
            when = timezone.localtime(publish_at or now)
            self.old[state] = (
                f"/news/{when.year}/{when.month}/{when.day}/earlier-{state}-slug/"
            )
            ArticlePath.objects.create(path=self.old[state], article=article)
            # Comments exist under every piece: they were posted while it was
            # out, before it went back to draft, was withdrawn or rescheduled.
            self.approved[state] = CommentFactory(
                article=article,
                body=f"Approved {self.marker(state, 'approved')}",
                author_email=f"approved.{state}@example.org",
            )
            self.held[state] = CommentFactory(
                article=article,
                body=f"Held {self.marker(state, 'held')}",
                author_email=f"held.{state}@example.org",
                status=Comment.Status.PENDING,
            )
            links = {
                "preview": PreviewLinkFactory(
                    article=article, created_by=self.users["editor"]
                ),
                "expired": PreviewLinkFactory(
                    article=article,
                    created_by=self.users["editor"],
                    expires_at=now - timedelta(minutes=1),
                ),
            }
            self.preview[state] = self._preview_path(links["preview"])
            self.expired[state] = self._preview_path(links["expired"])
            # Another id under the same signature: it no longer matches.
            token = preview_token(links["preview"])
            self.tokens[state] = token
            other = "1" if token[0] == "0" else "0"
            self.tampered[state] = reverse("articles:preview", args=[other + token[1:]])
            self.articles[state] = article
            with reversion.create_revision():
                reversion.add_to_revision(article)
            self.versions[state] = Version.objects.get_for_object(article).first().pk
        # The published piece names every other one as a related pick and
        # shares their tag: neither may bring an unpublished one onto its page.
        published = self.articles["published"]
        for position, state in enumerate(HIDDEN):
            RelatedArticle.objects.create(
                from_article=published,
                to_article=self.articles[state],
                position=position,
            )

    @staticmethod
    def marker(state, part):
        return f"mk{state}{part}qz"

    @staticmethod
    def find_word(state):
        """A word only this piece's body holds, searched for by readers (the
        search page repeats the query, so it cannot be a secret itself)."""
        return f"zq{state}findme"

    @staticmethod
    def _preview_path(link):
        return reverse("articles:preview", args=[preview_token(link)])

    def secrets(self):
        """(marker, kind, state) of everything that is not public."""
        for state in HIDDEN:
            for part in ARTICLE_PARTS:
                yield self.marker(state, part), f"article {part}", state
            yield f"treaty-{state}-piece", "article slug", state
            yield self.marker(state, "approved"), "comment on hidden piece", state
        for state in STATES:
            yield self.tokens[state], "preview address", state
            yield self.marker(state, "held"), "held comment", state
            yield f"held.{state}@example.org", "email", state
            yield f"approved.{state}@example.org", "email", state

    def allowed(self, role, endpoint, state, kind, secret_state, status):
        """May this answer show this secret to this role?

        Error pages never show anything. In the admin, the article desk
        (writers, editors, superusers) sees every piece; those who read
        comments (moderators, editors, superusers) see comments, commenters'
        addresses and the headline of the piece a comment is under: it could
        only be posted while the piece was out.
        """
        if status >= 400:
            return False
        if endpoint.shows in ("article-admin", "comment-admin"):
            kinds = set()
            if role in ARTICLE_STAFF:
                kinds |= {k for k in SECRET_KINDS if k.startswith("article")}
            if role in SHARERS:
                kinds.add("preview address")
            if role in COMMENT_READERS:
                kinds |= {"held comment", "email", "comment on hidden piece"}
                kinds |= {"article headline", "article slug"}
            return kind in kinds
        if endpoint.shows == "preview" and secret_state == state:
            # Whoever holds the link sees that piece and its public comments.
            return kind.startswith("article") or kind == "comment on hidden piece"
        if endpoint.shows == "tombstones":
            # A mirror must learn which piece to remove: its id and the slug
            # it was public under, nothing of its text.
            return kind == "article slug" and secret_state == "withdrawn"
        if endpoint.shows == "own" and role == "commenter":
            return kind == "held comment" and secret_state == state
        return False

    def client(self, role):
        client = Client(HTTP_SEC_FETCH_SITE="same-origin")
        if role in self.users:
            client.force_login(self.users[role])
        if role == "commenter":
            # A reader whose comments wait for review, known by their cookie.
            reader = readers.Reader(
                id="matrix-reader", posted=[c.pk for c in self.held.values()]
            )
            client.cookies[readers.COOKIE_NAME] = signing.dumps(
                {"id": reader.id, "posted": reader.posted}, salt=readers.SALT
            )
        return client

    def snapshot(self, state):
        """What "done" is measured against: the piece's and comment's state."""
        article = Article.objects.get(pk=self.articles[state].pk)
        held = Comment.objects.get(pk=self.held[state].pk)
        return (
            article.status,
            article.publish_at,
            article.preview_links.count(),
            held.status,
            Ban.objects.count(),
        )


# Walking the matrix ------------------------------------------------------------


def _text(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _answer(endpoint, response, text, before, after, world, state):
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303) and location.startswith(reverse("admin:login")):
        return "302 login"
    if "attachment" in response.get("Content-Disposition", ""):
        return f"{status} download"
    if endpoint.classify == "changed" and status in (200, 302):
        return f"{status} done" if before != after else f"{status} not done"
    if status != 200:
        return str(status)
    if endpoint.classify == "listed":
        part = "held" if endpoint.shows == "comment-admin" else "headline"
        present = world.marker(state, part) in text
        return "200 listed" if present else "200 not listed"
    if endpoint.classify == "form":
        return "200 edit" if 'name="_save"' in text else "200 read-only"
    if endpoint.rule in (listing, with_tombstones):
        return "200 listed" if world.articles[state].slug in text else "200 not listed"
    return "200"


@dataclass
class Run:
    answers: dict
    texts: dict
    failures: list
    leaks: list
    responses: int
    secrets: int
    cache_hits: int


def walk(world, roles=ROLES) -> Run:
    answers, texts, failures, leaks = {}, {}, [], []
    secrets = list(world.secrets())
    seen = {}  # (role, url) -> text, for pages that do not depend on the state
    responses = hits = 0
    for role in roles:
        client = world.client(role)
        for endpoint in ENDPOINTS:
            for state in STATES:
                url = endpoint.url(world, state)
                expected = endpoint.rule(role, state)
                before = after = None
                key = (role, url, endpoint.shows)
                if endpoint.method == "get" and key in seen:
                    response, text = seen[key]
                else:
                    with transaction.atomic():
                        before = world.snapshot(state)
                        if endpoint.method == "get":
                            response = client.get(url)
                        else:
                            # Each post from its own address: a rate limit
                            # must not decide a cell.
                            n = next(world.sequence)
                            response = client.post(
                                url,
                                endpoint.data(world, state),
                                REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}",
                            )
                        after = world.snapshot(state)
                        transaction.set_rollback(True)
                    responses += 1
                    hits += response.get("X-Page-Cache") == "hit"
                    text = _text(response)
                    if endpoint.method == "get":
                        seen[key] = (response, text)
                    for secret, kind, secret_state in secrets:
                        if secret in text and not world.allowed(
                            role,
                            endpoint,
                            state,
                            kind,
                            secret_state,
                            response.status_code,
                        ):
                            leaks.append(
                                f"{role} · {endpoint.name} · {url}: {kind} "
                                f"of the {secret_state} piece ({secret})"
                            )
                got = _answer(endpoint, response, text, before, after, world, state)
                answers[role, endpoint.name, state] = got
                texts[role, endpoint.name, state] = text
                if got != expected:
                    failures.append(
                        f"{role:10} {state:10} {endpoint.name}: "
                        f"expected {expected}, got {got} ({url})"
                    )
    return Run(answers, texts, failures, leaks, responses, len(secrets), hits)


# The table ---------------------------------------------------------------------

SHORT = {
    "200": "200",
    "200 listed": "listed",
    "200 not listed": "—",
    "200 edit": "edit",
    "200 read-only": "read",
    "302 login": "login",
    "302 done": "done",
    "302 not done": "no-op",
    "200 not done": "no-op",
    "200 download": "file",
}
ROLE_SHORT = {
    "anonymous": "anon",
    "commenter": "comm",
    "writer": "writ",
    "colleague": "coll",
    "editor": "edit",
    "moderator": "mod",
    "superuser": "su",
}


def _row(run, endpoint, state):
    return [run.answers[role, endpoint.name, state] for role in ROLES]


def render_table(run: Run) -> str:
    counts = Counter(run.answers.values())
    lines = [
        "# Access matrix",
        "",
        "<!-- Generated by tests/security/test_access_matrix.py; do not edit by",
        "hand. After a deliberate change of behaviour, regenerate with",
        "UPDATE_ACCESS_MATRIX=1 python -m pytest tests/security/test_access_matrix.py",
        "-->",
        "",
        f"{len(ROLES)} roles × {len(STATES)} article states × "
        f"{len(ENDPOINTS)} endpoints = **{len(run.answers)} cells**, "
        f"{run.responses} requests, each searched for {run.secrets} secrets: "
        f"**{len(run.leaks)} leaks**.",
        "",
        "Answers: " + ", ".join(f"{a} ×{n}" for a, n in sorted(counts.items())) + ".",
        "",
        "Key: `listed` / `—` the piece is / is not in the list (both answer 200);",
        "`edit` / `read` a 200 form that saves / is read-only; `login` a 302 to the",
        "admin login; `done` / `no-op` the action changed the piece or comment / a 200",
        "or 302 that changed nothing; `file` a 200 download; other entries are HTTP",
        "status codes.",
        f"Roles: {', '.join(f'{v} = {k}' for k, v in ROLE_SHORT.items())}.",
        "",
    ]
    header = "| endpoint | state | " + " | ".join(ROLE_SHORT[r] for r in ROLES)
    for group in dict.fromkeys(endpoint.group for endpoint in ENDPOINTS):
        lines += [
            f"## {group[0].upper()}{group[1:]}",
            "",
            header + " |",
            "|" + " --- |" * (len(ROLES) + 2),
        ]
        for endpoint in ENDPOINTS:
            if endpoint.group != group:
                continue
            for state in STATES:
                name = endpoint.name if state == STATES[0] else ""
                cells = [SHORT.get(a, a) for a in _row(run, endpoint, state)]
                lines.append(f"| {name} | {state} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _merge_generated(generated: str) -> str:
    """The committed file: the generated table, then the hand-written notes
    that follow the marker line (kept as they are)."""
    notes = ""
    if DOC.exists():
        current = DOC.read_text()
        if NOTES_MARKER in current:
            notes = current[current.index(NOTES_MARKER) :]
    return generated + ("\n" + notes if notes else "")


NOTES_MARKER = "<!-- Notes below are written by hand. -->"


def test_every_role_state_and_endpoint_answers_as_expected_and_nothing_leaks():
    world = World()

    run = walk(world)

    assert len(run.answers) == len(ROLES) * len(STATES) * len(ENDPOINTS)
    assert not (run.failures or run.leaks), "\n".join(
        ["wrong cells:", *run.failures, "leaks:", *run.leaks]
    )
    # What the leak check allows is really shown to those it is for.
    held = world.marker("published", "held")
    assert held in run.texts["commenter", "discussion page", "published"]
    assert held in run.texts["commenter", "reader's comment state", "published"]
    assert held in run.texts["moderator", "moderation queue", "published"]
    for state in ("draft", "review", "scheduled"):
        page = run.texts["anonymous", "preview link (valid)", state]
        assert world.marker(state, "body") in page
    generated = _merge_generated(render_table(run))
    if os.environ.get("UPDATE_ACCESS_MATRIX") == "1":
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(generated)
    assert DOC.read_text() == generated, (
        "docs/security/access.md differs from the behaviour; regenerate it with "
        "UPDATE_ACCESS_MATRIX=1 (see the module's docstring)"
    )


def test_the_page_cache_changes_no_answer_and_carries_nothing_across_roles(
    settings,
):
    """The walk again with the whole-page cache on, most privileged first: a
    page kept while a superuser or a commenter with held comments asked for
    it must never be replayed to anyone else. (Every staff role has a session,
    which bypasses the cache both ways, so one stands for all of them.)"""
    settings.NEWSROOM_PAGE_CACHE = True
    world = World()

    run = walk(world, roles=["superuser", "commenter", "anonymous"])

    assert not (run.failures or run.leaks), "\n".join(
        ["wrong cells:", *run.failures, "leaks:", *run.leaks]
    )
    # The cache was in the way: the anonymous reader was answered from pages
    # kept for the commenter (every public page answering 200, 301 or 410).
    assert run.cache_hits >= 15


def test_the_rules_cover_every_cell_with_a_known_answer():
    known = re.compile(
        r"^(200( listed| not listed| edit| read-only| not done| download)?"
        r"|30[123]( login| done| not done)?|403|404|410)$"
    )
    for endpoint in ENDPOINTS:
        for role in ROLES:
            for state in STATES:
                assert known.match(endpoint.rule(role, state)), endpoint.name
