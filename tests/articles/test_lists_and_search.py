"""Front page, section/tag/author lists, the date archive and search."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article
from articles.search import MAX_QUERY_LENGTH
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_front_page_has_a_lead_the_latest_and_section_blocks(client):
    world = SectionFactory(name="World", slug="world", position=0)
    business = SectionFactory(name="Business", slug="business", position=1)
    now = timezone.now()
    old = ArticleFactory(
        section=world, headline="Older world piece", publish_at=now - timedelta(hours=5)
    )
    lead = ArticleFactory(
        section=business,
        headline="Newest business piece",
        publish_at=now - timedelta(minutes=5),
    )

    html = client.get(reverse("articles:front-page")).content.decode()

    assert '<h2 id="lead-headline" class="lead-headline">' in html
    assert html.index(lead.headline) < html.index("Latest")
    assert 'id="block-world"' in html and 'id="block-business"' in html
    assert html.index('id="block-world"') < html.index('id="block-business"')
    assert old.headline in html


def test_front_page_section_blocks_are_bounded_per_section(client):
    section = SectionFactory(name="World", slug="world")
    ArticleFactory.create_batch(7, section=section)

    response = client.get(reverse("articles:front-page"))

    blocks = response.context["section_blocks"]
    assert [(s.slug, len(pieces)) for s, pieces in blocks] == [("world", 4)]


@pytest.mark.parametrize("name", ["front-page", "search"])
def test_page_past_the_end_is_a_friendly_404(client, name):
    ArticleFactory.create_batch(3, headline="Treaty news")

    response = client.get(reverse(f"articles:{name}"), {"q": "treaty", "page": 9})

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_lists_are_paginated_with_a_bounded_page_size(client):
    section = SectionFactory()
    ArticleFactory.create_batch(25, section=section)

    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url(), {"page": 2})
    too_far = client.get(section.get_absolute_url(), {"page": 1000})

    assert len(first.context["articles"]) == 20
    assert len(second.context["articles"]) == 5
    assert 'rel="next"' in first.content.decode()
    assert too_far.status_code == 404


def test_date_archive_lists_published_pieces_by_local_date(client, settings):
    settings.TIME_ZONE = "Europe/London"
    with time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC), tick=False):
        inside = ArticleFactory(
            headline="In November", publish_at=datetime(2026, 11, 3, 9, tzinfo=UTC)
        )
        ArticleFactory(
            headline="In October", publish_at=datetime(2026, 10, 30, 9, tzinfo=UTC)
        )
        ArticleFactory(
            headline="Draft in November",
            status="draft",
            publish_at=datetime(2026, 11, 4, 9, tzinfo=UTC),
        )
        ArticleFactory(
            headline="Scheduled in November",
            publish_at=datetime(2026, 11, 28, 9, tzinfo=UTC),
        )

        month = client.get(reverse("articles:archive-month", args=[2026, 11]))
        day = client.get(reverse("articles:archive-day", args=[2026, 11, 3]))
        year = client.get(reverse("articles:archive-year", args=[2026]))
        empty = client.get(reverse("articles:archive-day", args=[2026, 11, 5]))

    html = month.content.decode()
    assert "In November" in html and "In October" not in html
    assert "Draft in November" not in html and "Scheduled in November" not in html
    assert inside.headline in day.content.decode()
    assert "In October" in year.content.decode()
    assert empty.status_code == 404


def test_author_page_shows_photo_title_bio_and_their_articles(client):
    author = AuthorFactory(
        name="Amara Okafor",
        job_title="Defence Correspondent",
        bio="Covers the armed forces.",
    )
    theirs = ArticleFactory(authors=[author], headline="By Amara")
    ArticleFactory(headline="By someone else")

    html = client.get(author.get_absolute_url()).content.decode()

    assert "Defence Correspondent" in html and "Covers the armed forces." in html
    assert theirs.headline in html and "By someone else" not in html


def test_lists_advertise_their_feeds_when_they_exist(client):
    html = client.get(reverse("articles:front-page")).content.decode()

    try:
        rss = reverse("articles:feed-rss")
    except Exception:  # the feeds arrive with their own module
        pytest.fail("articles:feed-rss is not routed")
    assert 'type="application/rss+xml" title="' in html and rss in html


# Search: PostgreSQL full-text search, or the fallback on SQLite -----------------


@pytest.fixture
def stories():
    return {
        "headline": ArticleFactory(
            headline="Treaty talks with Japan", dek="A dek.", body="<p>Nothing.</p>"
        ),
        "body": ArticleFactory(
            headline="Other news",
            dek="Something else.",
            body="<p>Ministers discussed a possible treaty &amp; more in Tokyo.</p>",
        ),
        "draft": ArticleFactory(
            headline="Draft treaty story", status="draft", publish_at=None
        ),
        "future": ArticleFactory(
            headline="Scheduled treaty story",
            publish_at=timezone.now() + timedelta(hours=3),
        ),
        "unrelated": ArticleFactory(headline="Weather", body="<p>Rain.</p>"),
    }


def test_search_ranks_headline_matches_first_and_never_shows_unpublished(
    client, stories
):
    response = client.get(reverse("articles:search"), {"q": "treaty"})

    found = [article.headline for article in response.context["articles"]]
    assert found == ["Treaty talks with Japan", "Other news"]
    html = response.content.decode()
    assert "Draft treaty story" not in html and "Scheduled treaty story" not in html
    assert "2 results for “treaty”" in html


def test_search_highlights_matches_in_a_safe_snippet(client, stories):
    response = client.get(reverse("articles:search"), {"q": "treaty"})

    html = response.content.decode()
    assert "<mark>treaty</mark>" in html
    assert "&amp; more" in html and "&amp;amp;" not in html
    assert connection.vendor in ("postgresql", "sqlite")


def test_search_finds_word_forms_on_postgresql(client, stories):
    """Stemming is PostgreSQL's: "treaties" finds "treaty". SQLite matches text."""
    response = client.get(reverse("articles:search"), {"q": "treaties"})

    found = {article.headline for article in response.context["articles"]}
    if connection.vendor == "postgresql":
        assert found == {"Treaty talks with Japan", "Other news"}
    else:
        assert found == set()


def test_search_input_is_escaped(client, stories):
    response = client.get(
        reverse("articles:search"), {"q": "<script>alert(1)</script>"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word, a name or a phrase"),
        ("   ", "Type a word, a name or a phrase"),
        ("!!! ??? ---", "Search for words or names, not only punctuation."),
        ("x" * (MAX_QUERY_LENGTH + 1), "That search is too long."),
        ('"unbalanced OR -', "results for"),
        ("' OR 1=1 --", "results for"),
        ("treaty & | ! :*", "results for"),
    ],
)
def test_empty_and_absurd_queries_are_answered_politely(
    client, stories, query, message
):
    response = client.get(reverse("articles:search"), {"q": query})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_search_costs_constant_queries(client, django_assert_max_num_queries):
    ArticleFactory.create_batch(3, headline="Treaty", authors=[AuthorFactory()])
    with django_assert_max_num_queries(5) as small:
        client.get(reverse("articles:search"), {"q": "treaty"})
    ArticleFactory.create_batch(12, headline="Treaty", authors=[AuthorFactory()])

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("articles:search"), {"q": "treaty"})


def test_a_tag_used_only_on_unpublished_pieces_is_not_revealed(client):
    ArticleFactory(status="draft", publish_at=None, tags=["Embargoed merger"])

    response = client.get(reverse("articles:tag-detail", args=["embargoed-merger"]))

    assert response.status_code == 404
    assert "Embargoed merger" not in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [
        ("section", 5),
        # The sections of the pieces listed come from the menu's copy in the
        # cache (read once for both); a tag or author page asks how busy it is
        # first (the answer is cached with the fragments, off here).
        ("tag", 6),
        ("author", 6),
        # The archive also asks for the neighbouring months/days with pieces.
        ("archive-month", 9),
        ("archive-day", 10),
    ],
)
def test_list_pages_cost_constant_queries(
    client, url_name, budget, django_assert_max_num_queries
):
    section = SectionFactory(slug="world")
    author = AuthorFactory(slug="amara")
    when = timezone.localtime(timezone.now() - timedelta(hours=1))

    def grow(count):
        for _ in range(count):
            ArticleFactory(
                section=section,
                authors=[author, AuthorFactory()],
                tags=["Japan", "Defence"],
                publish_at=when,
            )

    urls = {
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag-detail", args=["japan"]),
        "author": author.get_absolute_url(),
        "archive-month": reverse(
            "articles:archive-month", args=[when.year, when.month]
        ),
        "archive-day": reverse(
            "articles:archive-day", args=[when.year, when.month, when.day]
        ),
    }
    grow(2)
    with django_assert_max_num_queries(budget) as small:
        assert client.get(urls[url_name]).status_code == 200
    grow(15)

    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(urls[url_name]).status_code == 200


@pytest.mark.parametrize(("busy_from", "plan"), [(3, "EXISTS"), (1000, " IN (")])
def test_busy_and_quiet_tags_and_authors_list_the_same_pieces(
    monkeypatch, busy_from, plan
):
    from articles.models import queryset as article_module

    author = AuthorFactory()
    tagged = [ArticleFactory(tags=["Japan"], authors=[author]) for _ in range(5)]
    ArticleFactory(tags=["Energy"])  # neither tagged nor by the author
    ArticleFactory(tags=["Japan"], status="draft", authors=[author])
    tag = Tag.objects.get(name="Japan")
    monkeypatch.setattr(article_module, "BUSY_LINKS", busy_from)

    by_tag = Article.objects.published().tagged(tag)
    by_author = Article.objects.published().by_author(author)

    expected = sorted(article.pk for article in tagged)
    assert sorted(by_tag.values_list("pk", flat=True)) == expected
    assert sorted(by_author.values_list("pk", flat=True)) == expected
    assert plan in str(by_tag.query) and plan in str(by_author.query)


def test_the_menu_marks_the_section_page_the_reader_is_on(client):
    politics = SectionFactory(name="Politics", slug="politics")
    SectionFactory(name="Sport", slug="sport")
    ArticleFactory(section=politics)

    on_section = client.get(reverse("articles:section-detail", args=["politics"]))
    on_front = client.get(reverse("articles:front-page"))

    html = on_section.content.decode()
    assert html.count('aria-current="page"') == 1
    assert f'<a href="{politics.get_absolute_url()}" aria-current="page">' in html
    # Only a section's own page is a section page.
    assert 'aria-current="page"' not in on_front.content.decode()
