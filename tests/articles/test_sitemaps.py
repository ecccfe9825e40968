"""sitemap.xml, the Google News sitemap and robots.txt: only published pages,
on the canonical origin, paged, in a constant number of queries."""

from datetime import UTC, datetime, timedelta
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from articles.sitemaps import ArticleSitemap, NewsSitemap, news_language
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SITE = "https://news.example.org"
HEADLINE = "UK Considers Security Treaty with Japan as “Quasi-Ally” – 日米安全保障条約"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_SITE_URL = SITE
    settings.NEWSROOM_SITE_NAME = "The Daily Test"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fetch(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def locations(root):
    """The <loc> of every <url> of a sitemap, or of every <sitemap> of an index."""
    assert root.tag in {f"{SM}urlset", f"{SM}sitemapindex"}
    return [loc.text for loc in root.iter(f"{SM}loc")]


def section_url(section, page=None):
    url = SITE + reverse("sitemap-section", kwargs={"section": section})
    return f"{url}?p={page}" if page else url


def canonical(article):
    return SITE + article.get_absolute_url()


@pytest.fixture
def newsroom(frozen):
    politics = SectionFactory(name="Politics", slug="politics", position=1)
    empty = SectionFactory(name="Science", slug="science", position=2)
    published = [
        ArticleFactory(section=politics, headline=HEADLINE, publish_at=NOW - delta)
        if n == 0
        else ArticleFactory(section=politics, publish_at=NOW - delta)
        for n, delta in enumerate([timedelta(days=3), timedelta(hours=2)])
    ]
    hidden = [
        ArticleFactory(
            section=empty, status=status, publish_at=NOW - timedelta(hours=1)
        )
        for status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
            Article.Status.WITHDRAWN,
        )
    ]
    hidden.append(ArticleFactory(section=empty, publish_at=NOW + timedelta(hours=1)))
    return {
        "politics": politics,
        "empty": empty,
        "published": published,
        "hidden": hidden,
    }


def test_index_names_each_sitemap_on_the_canonical_origin(client, newsroom):
    root = fetch(client, reverse("sitemap-index"))

    assert root.tag == f"{SM}sitemapindex"
    assert locations(root) == [
        section_url("pages"),
        section_url("sections"),
        section_url("articles"),
    ]
    # Every sitemap changed last when the newest visible article did.
    lastmods = [datetime.fromisoformat(e.text) for e in root.iter(f"{SM}lastmod")]
    assert lastmods == [NOW - timedelta(hours=2)] * 3


def test_index_lists_every_page_of_a_long_sitemap(client, newsroom, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 1)

    root = fetch(client, reverse("sitemap-index"))

    assert locations(root)[2:] == [section_url("articles"), section_url("articles", 2)]


def test_articles_sitemap_holds_exactly_the_published_articles(client, newsroom):
    root = fetch(client, reverse("sitemap-section", args=["articles"]))

    assert locations(root) == [canonical(a) for a in newsroom["published"]]
    assert not {canonical(a) for a in newsroom["hidden"]} & set(locations(root))


def test_article_lastmod_is_the_update_else_the_publication(client, newsroom):
    old, recent = newsroom["published"]
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        old.save()  # an edit after publication

    root = fetch(client, reverse("sitemap-section", args=["articles"]))

    lastmods = [datetime.fromisoformat(u.findtext(f"{SM}lastmod")) for u in root]
    assert lastmods == [NOW + timedelta(minutes=5), recent.publish_at]


def test_articles_sitemap_pages(client, frozen, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [
        ArticleFactory(publish_at=NOW - timedelta(hours=n)) for n in range(5, 0, -1)
    ]
    url = reverse("sitemap-section", args=["articles"])

    pages = [locations(fetch(client, f"{url}?p={page}")) for page in (1, 2, 3)]

    assert pages == [
        [canonical(a) for a in articles[0:2]],
        [canonical(a) for a in articles[2:4]],
        [canonical(articles[4])],
    ]
    assert client.get(f"{url}?p=4").status_code == 404
    assert client.get(f"{url}?p=last").status_code == 404


def test_sections_sitemap_lists_sections_with_their_last_change(client, newsroom):
    root = fetch(client, reverse("sitemap-section", args=["sections"]))

    assert locations(root) == [
        SITE + reverse("articles:section-detail", args=["politics"]),
        SITE + reverse("articles:section-detail", args=["science"]),
    ]
    politics, science = root
    assert datetime.fromisoformat(politics.findtext(f"{SM}lastmod")) == (
        NOW - timedelta(hours=2)
    )
    # Science holds only pieces readers cannot see: nothing has changed for them.
    assert science.find(f"{SM}lastmod") is None


def test_pages_sitemap_holds_the_front_page(client, newsroom):
    root = fetch(client, reverse("sitemap-section", args=["pages"]))

    assert locations(root) == [SITE + "/"]


def test_unknown_sitemap_is_404(client, newsroom):
    assert client.get(reverse("sitemap-section", args=["drafts"])).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-sections.xml",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
    ],
)
def test_sitemaps_use_the_canonical_origin_whatever_the_host(
    client, newsroom, settings, url
):
    settings.ALLOWED_HOSTS = ["cdn.example.net"]

    response = client.get(url, HTTP_HOST="cdn.example.net", secure=False)

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert locations(root)
    assert all(loc.startswith(f"{SITE}/") for loc in locations(root))
    assert b"cdn.example.net" not in response.content
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


# Google News


def news(client):
    root = fetch(client, reverse("news-sitemap"))
    assert root.tag == f"{SM}urlset"
    return root


def test_news_sitemap_holds_the_last_48_hours(client, frozen):
    inside = [
        ArticleFactory(publish_at=NOW - timedelta(hours=48)),  # exactly 48 h
        ArticleFactory(publish_at=NOW - timedelta(hours=47, minutes=59)),
        ArticleFactory(publish_at=NOW),
    ]
    outside = [
        ArticleFactory(publish_at=NOW - timedelta(hours=48, microseconds=1)),
        ArticleFactory(publish_at=NOW - timedelta(days=30)),
        ArticleFactory(publish_at=NOW + timedelta(microseconds=1)),  # scheduled
        ArticleFactory(publish_at=NOW + timedelta(hours=2)),
    ]
    outside += [
        ArticleFactory(status=status, publish_at=NOW - timedelta(hours=1))
        for status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
            Article.Status.WITHDRAWN,
        )
    ]

    listed = locations(news(client))

    assert listed == [canonical(a) for a in reversed(inside)]
    assert not {canonical(a) for a in outside} & set(listed)


def test_news_sitemap_follows_the_clock(client, frozen):
    scheduled = ArticleFactory(publish_at=NOW + timedelta(hours=1))
    assert locations(news(client)) == []

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert locations(news(client)) == [canonical(scheduled)]

    with time_machine.travel(NOW + timedelta(hours=49, seconds=1), tick=False):
        assert locations(news(client)) == []


def test_news_entry_names_the_publication_and_the_piece(client, frozen):
    article = ArticleFactory(headline=HEADLINE, publish_at=NOW - timedelta(hours=1))

    root = news(client)

    (url,) = root.findall(f"{SM}url")
    assert url.findtext(f"{SM}loc") == canonical(article)
    entry = url.find(f"{NEWS}news")
    assert entry.findtext(f"{NEWS}publication/{NEWS}name") == "The Daily Test"
    assert entry.findtext(f"{NEWS}publication/{NEWS}language") == "en"
    published = entry.findtext(f"{NEWS}publication_date")
    assert datetime.fromisoformat(published) == article.publish_at
    assert published.endswith("+00:00")  # W3C datetime with its offset
    assert entry.findtext(f"{NEWS}title") == HEADLINE


def test_news_sitemap_is_bounded(client, frozen, monkeypatch):
    assert NewsSitemap.limit == 1000
    monkeypatch.setattr(NewsSitemap, "limit", 3)
    articles = [ArticleFactory(publish_at=NOW - timedelta(minutes=n)) for n in range(5)]

    assert locations(news(client)) == [canonical(a) for a in articles[:3]]
    assert client.get(reverse("news-sitemap") + "?p=2").status_code == 404


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en-gb", "en"),
        ("en", "en"),
        ("pt_BR", "pt"),
        ("zh-hans", "zh-cn"),
        ("zh-TW", "zh-tw"),
    ],
)
def test_news_language_is_the_primary_subtag(code, language):
    assert news_language(code) == language


def test_news_language_follows_the_settings(client, frozen, settings):
    settings.LANGUAGE_CODE = "de-at"
    ArticleFactory(publish_at=NOW - timedelta(hours=1))

    root = news(client)

    assert root.findtext(f".//{NEWS}language") == "de"


# robots.txt


def test_robots_txt_names_both_sitemaps_and_keeps_crawlers_out_of_noise(
    client, newsroom
):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=300"
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    assert robots.site_maps() == [f"{SITE}/sitemap.xml", f"{SITE}/news-sitemap.xml"]
    article = newsroom["published"][0]
    assert robots.can_fetch("*", f"{SITE}{article.get_absolute_url()}")
    assert robots.can_fetch("*", f"{SITE}/")
    assert robots.can_fetch("*", f"{SITE}/section/politics/")
    assert robots.can_fetch("*", f"{SITE}/feeds/rss/")
    assert not robots.can_fetch("*", f"{SITE}/admin/")
    assert not robots.can_fetch("*", f"{SITE}/admin/articles/article/")
    assert not robots.can_fetch("*", f"{SITE}/search/?q=japan")


# Query budgets


@pytest.fixture
def grown(frozen, monkeypatch):
    """Many sections, authors, tags and articles, over several sitemap pages."""
    monkeypatch.setattr(ArticleSitemap, "limit", 10)
    sections = [SectionFactory() for _ in range(5)]
    authors = [AuthorFactory() for _ in range(5)]
    for n in range(45):
        ArticleFactory(
            section=sections[n % 5],
            authors=[authors[n % 5], authors[(n + 1) % 5]],
            tags=[f"Topic {n % 7}", f"Topic {n % 3}"],
            publish_at=NOW - timedelta(hours=n),
        )
    ArticleFactory(status=Article.Status.DRAFT, section=sections[0])


@pytest.mark.parametrize(
    ("url", "budget", "count"),
    [
        # count and last change of sections and articles; last change of pages
        ("/sitemap.xml", 5, 1 + 1 + 5),
        ("/sitemap-pages.xml", 1, 1),
        ("/sitemap-sections.xml", 2, 5),  # count, sections with their last change
        ("/sitemap-articles.xml?p=3", 2, 10),  # count, one page
        ("/news-sitemap.xml", 2, 45),  # count, the articles
    ],
)
def test_sitemap_costs_a_constant_number_of_queries(
    client, grown, django_assert_max_num_queries, url, budget, count
):
    with django_assert_max_num_queries(budget):
        root = ElementTree.fromstring(client.get(url).content)

    assert len(locations(root)) == count
