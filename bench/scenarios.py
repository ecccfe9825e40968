"""
What a run measures: the pages, found in the seeded database, and how each
variant asks for them.

Every page is measured twice. "cached": an anonymous reader with no cookies,
as a CDN or the page cache sees most traffic (it fills the cache in the
warm-up). "uncached": a request the page cache must let through; how, is
``bench.config.UNCACHED_MODES`` (by default an anonymous reader of a second
server with the page cache off). Beside them: the article for a logged-in
staff session, and the same article on the Wagtail peer (bench/peer/).
"""

from dataclasses import dataclass, field

from bench import stampede
from bench.config import NO_CACHE_HEADERS
from core.seeding.bench import PREFIX, SAMPLE_INDEX, TARGET_SLUG, VIRAL_SLUG

STATIC_FILE = "css/site.css"
# What every browser sends: the rows asked this way ("-gzip") are measured
# against the static file asked the same way (WhiteNoise's precompressed copy),
# the others as before, without it.
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
STAFF_USERNAME = "bench-staff"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    path: str
    kind: str = "page"  # "static", "floor", "page", "post" or "peer"
    variant: str = ""  # "cached" or "uncached" for pages
    headers: dict = field(default_factory=dict)
    # Which server answers: "site" (page cache on), "live" (the site with the
    # page cache off, for anonymous uncached requests) or "peer" (Wagtail).
    server: str = "site"
    # The same kind of page with far more or far fewer rows under it: its
    # query count must be the same (constant queries).
    twin: str = ""


@dataclass(frozen=True)
class Targets:
    article: str
    viral: str
    post_target_id: int
    pages: dict  # name -> (label, path, twin path)


def staff_cookie() -> str:
    """A logged-in staff session in the bench database, as a Cookie header."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(
        username=STAFF_USERNAME, defaults={"is_staff": True}
    )
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={key}"


def _busiest_and_quietest(links, slug: str) -> tuple[str, str]:
    """The bench slugs used most and least by ``links`` (rows per use)."""
    from django.db.models import Count

    slugs = list(
        links.filter(**{f"{slug}__startswith": PREFIX})
        .values(slug)
        .annotate(n=Count("pk"))
        .order_by("-n", slug)
        .values_list(slug, flat=True)
    )
    return slugs[0], slugs[-1]


def find_targets() -> Targets:
    from django.urls import reverse

    from articles.models import Article, ArticleAuthor, TaggedArticle

    published = Article.objects.published().filter(slug__startswith=PREFIX)
    article = published.get(slug__startswith=f"{PREFIX}{SAMPLE_INDEX}-")
    viral = published.get(slug=VIRAL_SLUG)
    target = published.get(slug=TARGET_SLUG)

    section, small_section = _busiest_and_quietest(published, "section__slug")
    tag, small_tag = _busiest_and_quietest(
        TaggedArticle.objects.filter(content_object__in=published), "tag__slug"
    )
    author, small_author = _busiest_and_quietest(
        ArticleAuthor.objects.filter(article__in=published), "author__slug"
    )

    def url(name: str, slug: str) -> str:
        return reverse(f"articles:{name}", kwargs={"slug": slug})

    return Targets(
        article=article.get_absolute_url(),
        viral=viral.get_absolute_url(),
        post_target_id=target.pk,
        pages={
            "article": (
                "Article page",
                article.get_absolute_url(),
                viral.get_absolute_url(),
            ),
            "viral": (
                "Viral article (2,000 comments)",
                viral.get_absolute_url(),
                article.get_absolute_url(),
            ),
            "front": ("Front page", reverse("articles:front-page"), ""),
            "section": (
                "Section page",
                url("section-detail", section),
                url("section-detail", small_section),
            ),
            "tag": ("Tag page", url("tag-detail", tag), url("tag-detail", small_tag)),
            "author": (
                "Author page",
                url("author-detail", author),
                url("author-detail", small_author),
            ),
            "rss": ("RSS feed", reverse("articles:feed-rss"), ""),
            # The content API (docs/api.md): a list of 20 filtered by the
            # busiest section (twin: the quietest) and one piece in full.
            "api-list": (
                "API article list",
                f"{reverse('api:articles')}?section={section}",
                f"{reverse('api:articles')}?section={small_section}",
            ),
            "api-article": (
                "API article",
                reverse("api:article", kwargs={"article_id": article.pk}),
                reverse("api:article", kwargs={"article_id": viral.pk}),
            ),
        },
    )


def uncached_headers(mode: str, cookie: str) -> dict:
    if mode == "staff":
        return {"Cookie": cookie}
    if mode == "no-cache":
        return dict(NO_CACHE_HEADERS)
    return {}


def build(
    targets: Targets,
    *,
    uncached_mode: str,
    cookie: str,
    hot: int,
    peer_path: str | None = None,
) -> list:
    from django.contrib.staticfiles.storage import staticfiles_storage

    scenarios = [
        Scenario(
            "static",
            "Static file (whitenoise)",
            staticfiles_storage.url(STATIC_FILE),
            kind="static",
        ),
        Scenario(
            "static-gzip",
            "Static file (whitenoise), gzip",
            staticfiles_storage.url(STATIC_FILE),
            kind="static",
            headers=GZIP,
        ),
        Scenario("minimal", "Minimal Django view", "/bench/", kind="floor"),
    ]
    for name, (label, path, twin) in targets.pages.items():
        if name == "viral":
            label = f"Viral article ({hot:,} comments)"
        scenarios.append(
            Scenario(
                f"{name}-cached", f"{label}, cached", path, variant="cached", twin=twin
            )
        )
        if name == "viral":
            # The biggest page, as a reader's browser asks for it: the page
            # cache's compressed copy (docs/caching.md).
            scenarios.append(
                Scenario(
                    "viral-cached-gzip",
                    f"{label}, cached, gzip",
                    path,
                    variant="cached",
                    headers=GZIP,
                    twin=twin,
                )
            )
        scenarios.append(
            Scenario(
                f"{name}-uncached",
                f"{label}, uncached",
                path,
                variant="uncached",
                headers=uncached_headers(uncached_mode, cookie),
                twin=twin,
                server="live" if uncached_mode == "anonymous" else "site",
            )
        )
        if name == "article" and peer_path:
            # Right after the project's own uncached article, so that both
            # meet the machine in the same state.
            scenarios.append(
                Scenario(
                    "peer",
                    "Wagtail peer article (no cache)",
                    peer_path,
                    kind="peer",
                    variant="uncached",
                    server="peer",
                )
            )
        if name == "article" and uncached_mode == "anonymous":
            scenarios.append(
                Scenario(
                    "article-staff",
                    f"{label}, staff session (live)",
                    path,
                    variant="uncached",
                    headers=uncached_headers("staff", cookie),
                    twin=twin,
                )
            )
    scenarios.append(
        Scenario(
            "stampede",
            "Stampede: 64 readers, an approval every 100 ms",
            stampede.hot_page(targets),
            kind="stampede",
        )
    )
    scenarios.append(
        Scenario(
            "post",
            "Comment posting",
            f"/comments/{targets.post_target_id}/post/",
            kind="post",
        )
    )
    return scenarios
