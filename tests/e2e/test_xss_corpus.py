"""The XSS corpus through every input, rendered in Chromium: nothing may run.

Every payload (tests/security/corpus.py) goes in through the path a person's
text takes, then every page that shows it is loaded in the system Chromium
with the probe of tests/security/probe.py:

- comment body and commenter name, through ``comment_create`` (the moderation
  rules run; the test newsroom trusts first-time commenters, and comments
  with too many links are held): on the article page and in the admin
  moderation queue and comment list;
- report note (the reader's free text; the reason is a fixed choice), through
  ``comment_report``: on the admin change page of the reported comment;
- search query (the first SEARCH_PAYLOADS payloads): echoed on the search
  page; searches for words the payloads share show snippets of the
  payload-laden bodies;
- article body, through ``Article.save()`` (the sanitiser), key takeaways,
  headline, dek, lead-image caption, credit and alt text, bylines (author
  name and job title), tags and author bio: on the article page (JSON-LD and
  share tags included), section lists, author pages and the admin change
  forms (CKEditor included; the first ADMIN_BATCHES batches).

Single-line fields that a page shows once (a headline on its own page, a
search query) hold several payloads joined by spaces, up to the field's
length; the headline and dek also get one article per payload, shown in the
section list. Figures are printed at the end (``pytest -s``) and recorded in
docs/security/xss.md. The corpus, the probe and the allow-list checks live
in tests/security; this module is here to share the e2e suite's browser.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, KeyTakeaway
from articles.sanitize import sanitize_body
from articles.search import MAX_QUERY_LENGTH
from articles.views import SectionDetailView
from comments import services
from comments.models import Comment, ModerationSettings, Report
from comments.models.comment import MAX_LENGTH as COMMENT_MAX_LENGTH
from comments.text import count_links
from tests.factories import ArticleFactory, SectionFactory, UserFactory
from tests.security.corpus import MIN_PAYLOADS, batches, pack, payloads
from tests.security.probe import Probe, report_only_policy

# Items of one kind on one page: comments under an article, takeaways, body
# fragments, reports on one comment, articles on one list page.
PER_PAGE = 500
# Comments and reports of this many payloads (the targeted ones among them)
# go through comment_create and comment_report, moderation rules and all;
# the rest are stored as the same rows in bulk, which is ten times faster.
THROUGH_SERVICES = 500
LIST_PAGE = 500
# Words the payloads share: searching them lists the body articles with
# snippets of their text.
SNIPPET_WORDS = ["alert", "script", "onerror", "img src", "svg onload", "javascript"]
# A page shows one query: at most 200 characters, two or three payloads.
# The search page is the costliest input to probe per payload, so it takes
# the first SEARCH_PAYLOADS (all the targeted ones among them), this many
# pages at once, each in a frame.
SEARCH_PAYLOADS = 1_500
FRAMES = 60
# The admin pages are heavy (CKEditor, 500-row lists): the moderation queue,
# then the first batches, which hold every targeted payload.
ADMIN_BATCHES = 2
FIELD = {
    "headline": 255,
    "dek": 300,
    "lead_image_caption": 300,
    "lead_image_credit": 150,
    "lead_image_alt": 250,
}


def trusting_newsroom() -> None:
    """Moderation that publishes first-time commenters, except that a comment
    with links beyond one is still held. Every payload comes from its own
    address and email, so the rate limits stay as they are in spirit (one
    per reader) without refusing anything."""
    config = ModerationSettings.load()
    config.premoderate_all = False
    config.trusted_after_approved = 0
    config.rate_short_count = config.rate_long_count = 2
    config.duplicate_window_hours = 0
    config.max_links = 1
    config.report_threshold = 999
    config.reports_per_hour = 2
    config.notify_moderators = False
    config.save()


class Corpus:
    """Puts the corpus into the newsroom; remembers what to visit."""

    def __init__(self, items: tuple[str, ...]):
        self.items = items
        self.section = SectionFactory(name="Security", slug="security")
        self.packs = {name: pack(items, limit) for name, limit in FIELD.items()}
        self.used = dict.fromkeys(FIELD, 0)
        self.inputs: dict[str, int] = {}
        self.comment_articles: list[Article] = []
        self.report_targets: list[Comment] = []
        self.body_articles: list[Article] = []
        self.authors: list[Author] = []
        self.searches = pack(items[:SEARCH_PAYLOADS], MAX_QUERY_LENGTH)

    def count(self, name: str, number: int) -> None:
        self.inputs[name] = self.inputs.get(name, 0) + number

    def _next_pack(self, name: str) -> str:
        packs = self.packs[name]
        value = packs[self.used[name] % len(packs)]
        self.used[name] += 1
        self.count(f"{name} (article page)", value.count)
        return value.text

    def _article(self, **fields) -> Article:
        for name in FIELD:
            fields.setdefault(name, self._next_pack(name))
        article = ArticleFactory(section=self.section, **fields)
        # A lead image, so caption, credit and alt text are shown; the file
        # itself is not needed (a missing one only fires "error" handlers,
        # which is what the probe wants to see, if any were there).
        Article.objects.filter(pk=article.pk).update(
            lead_image_renditions=[
                {"width": 800, "height": 450, "format": "jpeg", "name": "lead.jpg"}
            ]
        )
        return article

    def comments(self) -> None:
        trusting_newsroom()
        for number, batch in enumerate(batches(self.items, PER_PAGE)):
            article = self._article()
            self.comment_articles.append(article)
            if number * PER_PAGE < THROUGH_SERVICES:
                target = self._comments_through_services(article, batch)
            else:
                target = self._comments_in_bulk(article, batch)
            self.report_targets.append(target)
            for name in ("comment body", "commenter name", "report note"):
                self.count(name, len(batch))

    def _comments_through_services(self, article, batch) -> Comment:
        """The whole path: moderation rules, audit log, counts, reports."""
        for position, payload in enumerate(batch):
            outcome = services.comment_create(
                article=article,
                name=payload[:80],
                email=f"reader-{article.pk}-{position}@example.org",
                body=payload[:COMMENT_MAX_LENGTH],
                ip=f"198.51.{article.pk % 250}.{position % 250}",
            )
            assert outcome.comment is not None, outcome.decision
        target = services.comment_create(
            article=article,
            name="Reported reader",
            email=f"reported-{article.pk}@example.org",
            body="A comment readers report.",
        ).comment
        for position, payload in enumerate(batch):
            outcome = services.comment_report(
                comment=target,
                reason=Report.Reason.OTHER,
                reporter_key=f"reader-{article.pk}-{position}",
                note=payload[:500],
            )
            assert outcome.report is not None, outcome.refused
        return target

    def _comments_in_bulk(self, article, batch) -> Comment:
        """The rows the services would store, written in one go: the same
        stripping and cutting, approved unless the link rule holds them."""
        config = ModerationSettings.load()
        Comment.objects.bulk_create(
            Comment(
                article=article,
                author_name=payload[:80].strip(),
                author_email=f"reader-{article.pk}-{position}@example.org",
                body=payload[:COMMENT_MAX_LENGTH].strip(),
                status=(
                    Comment.Status.PENDING
                    if count_links(payload) > config.max_links
                    else Comment.Status.APPROVED
                ),
            )
            for position, payload in enumerate(batch)
        )
        target = Comment.objects.create(
            article=article,
            author_name="Reported reader",
            author_email=f"reported-{article.pk}@example.org",
            body="A comment readers report.",
            status=Comment.Status.APPROVED,
        )
        Report.objects.bulk_create(
            Report(
                comment=target,
                reason=Report.Reason.OTHER,
                reporter_key=f"reader-{article.pk}-{position}",
                note=payload.strip()[:500],
            )
            for position, payload in enumerate(batch)
        )
        return target

    def articles(self) -> None:
        writer_batches = batches(self.items, PER_PAGE)
        for batch in writer_batches:
            # Each payload is sanitised as a body of its own would be; the
            # article's save() then cleans the whole body again (a no-op).
            body = "\n".join(sanitize_body(payload) for payload in batch)
            article = self._article(body=body)
            assert article.body == body
            KeyTakeaway.objects.bulk_create(
                KeyTakeaway(
                    article=article,
                    position=position,
                    label=payload[:80],
                    text=payload[:300],
                )
                for position, payload in enumerate(batch)
            )
            author = Author.objects.create(
                name=pack(batch, 150)[0].text,
                slug=f"author-{article.pk}",
                job_title=pack(batch[::-1], 150)[0].text,
                bio="\n\n".join(batch),
            )
            ArticleAuthor.objects.create(article=article, author=author, position=0)
            self.authors.append(author)
            article.tags.add(*{tag.text for tag in pack(batch[:8], 100)})
            self.body_articles.append(article)
            for name in ("article body", "takeaway label", "takeaway text"):
                self.count(name, len(batch))
            self.count("author bio", len(batch))

    def cards(self) -> None:
        """One article per payload: headline and dek on the section's lists."""
        now = timezone.now()
        Article.objects.bulk_create(
            Article(
                section=self.section,
                headline=payload[:255],
                dek=payload[:300],
                slug=f"card-{position}",
                status=Article.Status.PUBLISHED,
                publish_at=now - timedelta(days=1, seconds=position),
                first_published_at=now - timedelta(days=1, seconds=position),
            )
            for position, payload in enumerate(self.items)
        )
        self.count("headline (lists)", len(self.items))
        self.count("dek (lists)", len(self.items))


def admin_session(new_page, live_server):
    """A browser page logged in as a superuser, without the login form."""
    user = UserFactory(username="security-admin", is_superuser=True)
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    return page


# What the probe must see when escaping fails: one payload per signal.
LEAKY_PAGE = """<!doctype html><title>leak</title>
<p><img src="/missing.png" onerror="window.leaked = 1"></p>
<p><a id="js" href="javascript:void(0)">link</a></p>
<p onmouseover="alert('hover')">hover me</p>
<script>alert("inline")</script>
<svg><a xlink:href="javascript:alert(2)"><text>x</text></a></svg>
"""


def test_the_probe_sees_script_that_runs(live_server, new_page, settings):
    """Without this the main test could pass by seeing nothing."""
    probe = Probe(new_page())
    host = live_server.url.removeprefix("http://")
    probe.visit_html(LEAKY_PAGE, host=host, static_url=settings.STATIC_URL)

    kinds = [hit["kind"] for hit in probe.executions]
    assert kinds.count("alert") == 2  # the inline script and the handler
    violations = [hit["detail"] for hit in probe.executions if hit["kind"] == "csp"]
    assert any(v.startswith("script-src-elem inline") for v in violations)
    assert any(v.startswith("script-src-attr inline") for v in violations)
    assert {"img[onerror]", "p[onmouseover]"} <= {
        problem.split(": ", 1)[1] for problem in probe.problems
    }
    assert any("a[href=javascript:void(0)]" in p for p in probe.problems)
    assert any("a[xlink:href=javascript:alert(2)]" in p for p in probe.problems)
    assert not probe.clean


def test_no_payload_runs_anywhere(live_server, new_page, settings, monkeypatch):
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = time.perf_counter() - started - sum(timings.values())

    items = payloads()
    assert len(items) >= MIN_PAYLOADS
    settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE = PER_PAGE + 1
    monkeypatch.setattr(SectionDetailView, "paginate_by", LIST_PAGE)
    monkeypatch.setattr(admin.site._registry[Comment], "list_per_page", LIST_PAGE)
    corpus = Corpus(items)

    # Nothing is cached while the newsroom is filled (no purge per row).
    settings.NEWSROOM_PAGE_CACHE = False
    corpus.comments()
    settings.NEWSROOM_PAGE_CACHE = True
    lap("comments and reports stored")

    with report_only_policy(live_server, settings.STATIC_URL):
        reader = Probe(new_page())
        # Every payload echoed by the search page, while there is little to
        # search (searching thousands of payload-laden bodies is slow).
        search = reverse("articles:search")
        queries = [f"{search}?{urlencode({'q': q.text})}" for q in corpus.searches]
        for start in range(0, len(queries), FRAMES):
            reader.visit_many(queries[start : start + FRAMES])
        corpus.count("search query", sum(q.count for q in corpus.searches))
        lap("search pages probed")

        settings.NEWSROOM_PAGE_CACHE = False
        corpus.articles()
        settings.NEWSROOM_PAGE_CACHE = True
        lap("articles stored")

        pages = [article.get_absolute_url() for article in corpus.comment_articles]
        pages += [article.get_absolute_url() for article in corpus.body_articles]
        pages += [author.get_absolute_url() for author in corpus.authors]
        # Results whose snippets are cut from the payload-laden bodies.
        pages += [f"{search}?{urlencode({'q': word})}" for word in SNIPPET_WORDS]
        for url in pages:
            reader.visit(url)
        lap("article, author and result pages probed")

        settings.NEWSROOM_PAGE_CACHE = False
        corpus.cards()
        settings.NEWSROOM_PAGE_CACHE = True
        lap("one article per payload stored")
        section = corpus.section.get_absolute_url()
        listed = Article.objects.filter(section=corpus.section).count()
        for number in range(1, -(-listed // LIST_PAGE) + 1):
            reader.visit(f"{section}?page={number}")
        reader.visit(reverse("articles:front-page"))
        lap("section lists probed")

        editor = Probe(admin_session(new_page, live_server))
        for url in admin_pages(corpus):
            editor.visit(url)
        lap("admin pages probed")

    held = Comment.objects.filter(status=Comment.Status.PENDING).count()
    print(f"\nXSS corpus: {len(items)} payloads, {held} comments held for review")
    for name, number in corpus.inputs.items():
        print(f"  {name}: {number}")
    print(f"  input × payload placements: {sum(corpus.inputs.values())}")
    shown = min(len(items), ADMIN_BATCHES * PER_PAGE)
    print(f"  in the admin: every held comment; bodies, names, notes: {shown}")
    print(f"  reader pages: {reader.summary()}")
    print(f"  admin pages: {editor.summary()}")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.1f} s")
    print(f"  total: {sum(timings.values()):.1f} s")

    assert held > 0, "no comment reached the moderation queue"
    assert reader.clean, reader.summary()
    assert editor.clean, editor.summary()


def admin_pages(corpus: Corpus) -> list[str]:
    comments = reverse("admin:comments_comment_changelist")
    held = Comment.objects.filter(status=Comment.Status.PENDING).count()
    # The moderation queue (every held comment), then approved ones.
    urls = [f"{comments}?p={n}" for n in range(1, -(-held // LIST_PAGE) + 1)]
    urls += [
        f"{comments}?status__exact=approved&p={number}"
        for number in range(1, ADMIN_BATCHES + 1)
    ]
    # The reports' notes, on the reported comments' change pages.
    urls += [
        reverse("admin:comments_comment_change", args=[target.pk])
        for target in corpus.report_targets[:ADMIN_BATCHES]
    ]
    urls += [
        reverse("admin:articles_article_change", args=[article.pk])
        for article in corpus.body_articles[:ADMIN_BATCHES]
    ]
    urls += [
        reverse("admin:articles_author_change", args=[author.pk])
        for author in corpus.authors[:ADMIN_BATCHES]
    ]
    return urls
