"""A list's count and the front page's section blocks come from the shared
cache until a change to them is purged, or the next scheduled piece is due
(articles.selectors.lists)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import cache as article_cache
from articles import services as article_services
from articles.views.lists import PAGE_SIZE
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

TWO_PAGES = "Page 1 of 2"


@pytest.fixture(autouse=True)
def counts_cached(settings):
    settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.fixture
def full():
    """A section, a tag and an author with exactly one page of pieces each
    (the front page, which shows 12 a page, has two)."""
    section = SectionFactory(name="World", slug="world")
    author = AuthorFactory(slug="amara")
    hour_ago = timezone.now() - timedelta(hours=1)
    pieces = [
        ArticleFactory(
            section=section,
            authors=[author],
            tags=["Japan"],
            publish_at=hour_ago - timedelta(minutes=number),
        )
        for number in range(PAGE_SIZE)
    ]
    return {"section": section, "author": author, "pieces": pieces}


def pages(full) -> dict[str, str]:
    return {
        "section": full["section"].get_absolute_url(),
        "tag": reverse("articles:tag-detail", args=["japan"]),
        "author": full["author"].get_absolute_url(),
    }


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_list_counts_its_pieces_once_then_reads_the_count_from_the_cache(
    client, full, django_assert_max_num_queries
):
    for url in [*pages(full).values(), reverse("articles:front-page")]:
        with django_assert_max_num_queries(10) as first:
            client.get(url)
        with django_assert_max_num_queries(len(first.captured_queries) - 1) as again:
            client.get(url)

        assert any("COUNT(" in query["sql"] for query in first.captured_queries)
        assert not any("COUNT(" in query["sql"] for query in again.captured_queries)


def test_publishing_a_piece_adds_a_page_to_every_list_it_joins(
    client, full, editor, commit
):
    for url in pages(full).values():
        assert TWO_PAGES not in html(client, url)
    draft = ArticleFactory(
        status="draft",
        publish_at=None,
        section=full["section"],
        authors=[full["author"]],
        tags=["Japan"],
    )

    commit(article_services.article_publish, article=draft, user=editor)

    for name, url in pages(full).items():
        assert TWO_PAGES in html(client, url), name


def test_withdrawing_a_piece_takes_it_out_of_every_count(client, full, editor, commit):
    extra = ArticleFactory(
        section=full["section"], authors=[full["author"]], tags=["Japan"]
    )
    for url in pages(full).values():
        assert TWO_PAGES in html(client, url)

    commit(article_services.article_withdraw, article=extra, user=editor, note="Law.")

    for name, url in pages(full).items():
        assert TWO_PAGES not in html(client, url), name


def test_moving_a_piece_or_dropping_a_tag_recounts_the_lists_it_left(
    client, full, editor, commit
):
    elsewhere = SectionFactory(name="Business", slug="business")
    extra = ArticleFactory(section=full["section"], tags=["Japan"])
    for url in pages(full).values():
        html(client, url)

    commit(
        article_services.article_update,
        article=extra,
        user=editor,
        expected_version=extra.version,
        fields={"section": elsewhere},
        tags=[],
    )

    assert TWO_PAGES not in html(client, pages(full)["section"])
    assert TWO_PAGES not in html(client, pages(full)["tag"])
    assert Tag.objects.filter(slug="japan").exists()


def test_a_scheduled_piece_joins_the_count_on_time_without_a_purge(client, full):
    soon = timezone.now() + timedelta(minutes=3)  # well inside PAGE_CACHE_SECONDS
    ArticleFactory(section=full["section"], publish_at=soon)
    url = full["section"].get_absolute_url()

    assert TWO_PAGES not in html(client, url)
    with time_machine.travel(soon + timedelta(seconds=2)):
        assert TWO_PAGES in html(client, url)


def test_lists_count_every_time_while_the_cache_is_down(client, full, monkeypatch):
    url = full["section"].get_absolute_url()
    html(client, url)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "get", down)
    ArticleFactory(section=full["section"])  # no purge: only a recount shows it

    assert TWO_PAGES in html(client, url)


def block(client, section_slug: str) -> str:
    """The front page's block for one section (empty if it has none)."""
    page = html(client, reverse("articles:front-page"))
    start = page.find(f'id="block-{section_slug}"')
    return "" if start < 0 else page[start : page.find("</section>", start)]


def test_the_front_page_reads_its_section_blocks_from_the_cache(
    client, full, django_assert_max_num_queries
):
    front = reverse("articles:front-page")
    with django_assert_max_num_queries(10) as first:
        client.get(front)

    with django_assert_max_num_queries(10) as again:
        client.get(front)

    assert any("ROW_NUMBER" in query["sql"] for query in first.captured_queries)
    assert not any("ROW_NUMBER" in query["sql"] for query in again.captured_queries)


def test_the_front_pages_blocks_are_kept_as_html_and_print_the_same(client, full):
    from articles.selectors.lists import BLOCKS_TEMPLATE

    front = reverse("articles:front-page")
    first = client.get(front)
    again = client.get(front)

    assert BLOCKS_TEMPLATE in [t.name for t in first.templates]
    assert BLOCKS_TEMPLATE not in [t.name for t in again.templates]
    assert again.content == first.content
    assert 'id="block-world"' in again.content.decode()


def test_the_front_pages_blocks_are_rendered_while_the_cache_is_down(
    client, full, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "set_many", "get_or_set"):
        monkeypatch.setattr(cache, name, down)

    page = html(client, reverse("articles:front-page"))

    assert full["pieces"][0].headline in page[page.index('id="block-world"') :]


def test_section_blocks_follow_every_change_that_is_purged(
    client, full, editor, commit
):
    newest = full["pieces"][0]
    assert newest.headline in block(client, "world")

    commit(
        article_services.article_update,
        article=newest,
        user=editor,
        expected_version=newest.version,
        fields={"headline": "A corrected headline"},
    )
    assert "A corrected headline" in block(client, "world")

    section = full["section"]
    section.name = "Abroad"
    commit(article_services.section_save, section=section)
    assert ">Abroad</a></h2>" in block(client, "world")

    newest.refresh_from_db()
    commit(article_services.article_withdraw, article=newest, user=editor, note="X.")
    assert "A corrected headline" not in block(client, "world")

    draft = ArticleFactory(status="draft", publish_at=None, section=section)
    commit(article_services.article_publish, article=draft, user=editor)
    assert draft.headline in block(client, "world")


def test_a_scheduled_piece_joins_its_section_block_on_time(client, full):
    soon = timezone.now() + timedelta(minutes=3)
    piece = ArticleFactory(section=full["section"], publish_at=soon)

    assert piece.headline not in block(client, "world")
    with time_machine.travel(soon + timedelta(seconds=2)):
        assert piece.headline in block(client, "world")


# What a rendered list asks the database (PostgreSQL: each query a round trip) ---


@pytest.mark.parametrize("name", ["tag", "author"])
def test_a_tag_or_author_page_rendered_again_costs_three_queries(
    client, full, name, django_assert_num_queries
):
    url = pages(full)[name]
    first = html(client, url)

    # The tag or author, the page of pieces and their bylines: the count, the
    # plan, the sections and the cards come from the shared cache.
    with django_assert_num_queries(3) as again:
        assert html(client, url) == first

    assert not any("OFFSET 999" in query["sql"] for query in again.captured_queries)
    assert not any("articles_section" in q["sql"] for q in again.captured_queries)


def test_the_front_page_rendered_again_costs_two_queries(
    client, full, django_assert_num_queries
):
    front = reverse("articles:front-page")
    first = html(client, front)

    with django_assert_num_queries(2):
        assert html(client, front) == first


def test_a_tag_whose_last_published_piece_is_withdrawn_is_a_404(client, editor, commit):
    piece = ArticleFactory(tags=["Embargo"])
    url = reverse("articles:tag-detail", args=["embargo"])
    assert client.get(url).status_code == 200

    commit(article_services.article_withdraw, article=piece, user=editor, note="Law.")

    assert client.get(url).status_code == 404


def test_cards_name_a_renamed_section_at_once(client, full, commit):
    url = pages(full)["tag"]
    assert ">World</a>" in html(client, url)
    section = full["section"]
    section.name = "Worldwide"

    commit(article_services.section_save, section=section)

    page = html(client, url)
    assert ">Worldwide</a>" in page
    assert ">World</a>" not in page


def test_a_section_missing_from_the_menus_copy_is_read_from_the_database(
    full, django_assert_num_queries
):
    from articles.models import Article
    from articles.selectors.lists import with_sections

    listed = list(Article.objects.filter(pk=full["pieces"][0].pk))
    section = full["section"]
    menu = [{"pk": section.pk, "name": section.name, "slug": section.slug}]

    with django_assert_num_queries(0):
        named = with_sections(listed, menu)
    with django_assert_num_queries(1):
        read = with_sections(listed, [{"name": "Elsewhere", "slug": "elsewhere"}])

    assert [a.section.name for a in named] == [a.section.name for a in read]
    assert read[0].section.get_absolute_url() == section.get_absolute_url()


def test_a_stale_plan_still_lists_the_same_pieces(client, full):
    from articles.selectors.lists import PLAN_PREFIX

    url = pages(full)["tag"]
    first = html(client, url)
    plan = PLAN_PREFIX + article_cache.list_tag(tag=Tag.objects.get(slug="japan").pk)
    assert cache.get(plan) is False  # one page of pieces: quiet

    for busy in (True, False):  # whatever an old answer says
        cache.set(plan, busy, 60)
        assert html(client, url) == first
