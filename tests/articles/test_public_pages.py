"""The reader's pages: what they show, what they never show, what they cost."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone

from articles.context_processors import SITE_URLS, site_urls
from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db

HEADLINE = "UK Considers Security Treaty with Japan as “Quasi-Ally”"
VIDEO_TITLE = "The U.S.–Japan Security Treaty Explained – 日米安全保障条約を読み解く"


@pytest.fixture
def report():
    article = ArticleFactory(
        headline=HEADLINE,
        slug="uk-japan-treaty",
        dek="Japan and the United Kingdom Deepen Security Ties",
        body="<h2>What is the objective?</h2><p>A lasting commitment.</p>",
        authors=[AuthorFactory(name="Daniel Perez", job_title="News Editor")],
        tags=["Japan", "United Kingdom"],
        video_url="https://www.youtube.com/watch?v=abcDEF12345",
        video_title=VIDEO_TITLE,
    )
    KeyTakeawayFactory(article=article, position=2, label="Second", text="Two.")
    KeyTakeawayFactory(article=article, position=1, label="First", text="One.")
    return article


def test_article_page_shows_the_story(client, report, settings):
    response = client.get(report.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{HEADLINE}</h1>" in html
    assert f"<title>{HEADLINE} – " in html
    assert "Japan and the United Kingdom Deepen Security Ties" in html
    author = report.byline_authors[0]
    assert (
        f'by <a href="{author.get_absolute_url()}" rel="author">Daniel Perez</a>'
        " – News Editor" in html
    )
    assert (
        '<h2 id="what-is-the-objective">What is the objective?</h2>'
        "<p>A lasting commitment.</p>" in html
    )
    assert (
        "<li><strong>First:</strong> One.</li><li><strong>Second:</strong> Two.</li>"
        in html
    )
    assert "日米安全保障条約を読み解く" in html
    assert reverse("articles:tag-detail", args=["japan"]) in html
    canonical = settings.NEWSROOM_SITE_URL + report.get_absolute_url()
    assert f'<link rel="canonical" href="{canonical}">' in html


@pytest.mark.parametrize(
    ("approved", "text"), [(0, "0 comments"), (1, "1 comment"), (2, "2 comments")]
)
def test_comment_count_is_exact_and_counts_approved_only(
    client, report, approved, text
):
    for _ in range(approved):
        CommentFactory(article=report)
    CommentFactory(article=report, status="pending")
    CommentFactory(article=report, status="spam")

    html = client.get(report.get_absolute_url()).content.decode()

    assert f'<a href="#comments">{text}</a>' in html


def test_only_approved_comments_are_shown_and_escaped(client, report):
    CommentFactory(article=report, body="Fine <b>point</b>\nsecond line")
    CommentFactory(article=report, body="Held back", status="pending")

    html = client.get(report.get_absolute_url()).content.decode()

    assert "Fine &lt;b&gt;point&lt;/b&gt;<br>second line" in html
    assert "Held back" not in html


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Article.Status.DRAFT, "publish_at": None},
        {"status": Article.Status.REVIEW, "publish_at": None},
        {"publish_at": timezone.now() + timedelta(hours=1)},
    ],
    ids=["draft", "review", "scheduled"],
)
def test_unpublished_pieces_answer_404(client, overrides):
    article = ArticleFactory(**overrides)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    assert article.headline not in response.content.decode()
    front = client.get(reverse("articles:front-page")).content.decode()
    assert article.headline not in front


def test_a_wrong_date_in_the_path_redirects_to_the_canonical_url(client, report):
    url = reverse(
        "articles:article-detail",
        kwargs={"year": 2001, "month": 1, "day": 1, "slug": report.slug},
    )

    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == report.get_absolute_url()


def test_missing_page_uses_the_friendly_404(client):
    response = client.get("/news/2026/11/25/no-such-story/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_lists_show_their_own_published_articles(client, report):
    other_section = SectionFactory(name="Business", slug="business")
    other = ArticleFactory(section=other_section, headline="Markets steady")
    ArticleFactory(
        section=report.section, status="draft", publish_at=None, headline="Secret draft"
    )
    author = report.byline_authors[0]

    front = client.get(reverse("articles:front-page")).content.decode()
    section = client.get(report.section.get_absolute_url()).content.decode()
    business = client.get(other_section.get_absolute_url()).content.decode()
    tag = client.get(reverse("articles:tag-detail", args=["japan"])).content.decode()
    by_author = client.get(author.get_absolute_url()).content.decode()

    assert HEADLINE in front and "Markets steady" in front
    assert HEADLINE in section and "Markets steady" not in section
    assert "Markets steady" in business and HEADLINE not in business
    assert HEADLINE in tag and other.headline not in tag
    assert HEADLINE in by_author and "News Editor" in by_author
    for html in (front, section, business, tag, by_author):
        assert "Secret draft" not in html


def test_article_page_costs_five_queries_cold_however_big_it_grows(
    client, report, django_assert_max_num_queries
):
    """The piece with all its parts, the related posts, the comment thread, and
    (with an empty cache) the sections menu and the next scheduled time."""
    cache.clear()
    with django_assert_max_num_queries(5):
        client.get(report.get_absolute_url())
    for number in range(6):
        author = AuthorFactory()
        report.bylines.create(author=author, position=number + 1)
        KeyTakeawayFactory(article=report, label=f"Point {number}")
        CorrectionFactory(article=report, text=f"Correction {number}.")
    CommentFactory.create_batch(200, article=report)
    report.tags.add(*[f"tag {number}" for number in range(10)])
    for other in ArticleFactory.create_batch(20, section=report.section):
        other.tags.add("tag 3")
    report.related.add(*ArticleFactory.create_batch(2))

    cache.clear()
    with django_assert_max_num_queries(5):
        response = client.get(report.get_absolute_url())
    html = response.content.decode()
    assert html.count('rel="author"') == 7
    assert html.count('rel="tag"') == 12
    assert all(f"Point {number}" in html for number in range(6))
    assert all(f"Correction {number}." in html for number in range(6))
    assert "200 comments" in html


def test_front_page_queries_do_not_grow_with_articles(
    client, django_assert_max_num_queries
):
    ArticleFactory.create_batch(3, authors=[AuthorFactory()])
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("articles:front-page"))
    ArticleFactory.create_batch(15, authors=[AuthorFactory(), AuthorFactory()])

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("articles:front-page"))


@pytest.mark.parametrize("kind", ["article", "front"])
def test_pages_ask_the_template_engine_for_no_missing_names(
    client, report, kind, caplog
):
    """base.html's names that most views never set come from the site's
    context processor: a missing one costs three exceptions per lookup."""
    url = (
        report.get_absolute_url()
        if kind == "article"
        else reverse("articles:front-page")
    )
    with caplog.at_level("DEBUG", logger="django.template"):
        html = client.get(url).content.decode()

    missing = [
        r.getMessage() for r in caplog.records if "resolving variable" in r.getMessage()
    ]
    assert not [m for m in missing if "current_section" in m or "'query'" in m]
    assert 'aria-current="page"' not in html
    assert '<input id="site-search-q" type="search" name="q" value=""' in html


def test_every_page_links_the_addresses_the_urlconf_gives(client, report):
    html = client.get(reverse("articles:front-page")).content.decode()

    assert f'<a class="site-name" href="{reverse("articles:front-page")}">' in html
    assert f'action="{reverse("articles:search")}" method="get"' in html
    assert f'<a href="{reverse("articles:corrections")}">Corrections</a>' in html
    assert f'href="{reverse("articles:feed-atom")}"' in html
    assert html.count(f'href="{reverse("articles:feed-rss")}"') == 2


def test_a_urlconf_without_the_sites_pages_gives_empty_addresses():
    """As ``{% url … as name %}`` did: no feed links, not an error."""
    urls = site_urls("tests.articles.upload_urls", "/")

    assert urls == dict.fromkeys(SITE_URLS, "")


def test_each_script_prefix_has_its_own_addresses():
    set_script_prefix("/prefix/")
    try:
        behind_a_prefix = site_urls(None, "/prefix/")
    finally:
        clear_script_prefix()

    assert behind_a_prefix["front"] == "/prefix/"
    assert site_urls(None, "/")["front"] == "/"
