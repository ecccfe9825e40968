"""The article page's header with the sections menu, kept in the shared
cache by the menu's generation (``articles.fragments``, ``header``): the same
HTML as every other page prints, rendered again only when the menu changes."""

import re

import pytest

from articles import context_processors
from articles import services as article_services
from articles.models import Section
from caching import fragments
from tests.articles.test_article_fragments import fragments_on  # noqa: F401
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    SectionFactory(name="Business", slug="business")
    return ArticleFactory(section=SectionFactory(name="Defence", slug="defence"))


def header(html: str) -> str:
    return re.search(r'<a class="skip-link".*?</header>', html, re.S).group(0)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def menu_reads(monkeypatch):
    """How many times a page read the sections menu, from now on."""
    calls = []
    read = context_processors.nav_sections

    def counted():
        calls.append(1)
        return read()

    monkeypatch.setattr(context_processors, "nav_sections", counted)
    return calls


def test_the_article_page_prints_the_header_every_page_prints(client, article):
    front = header(page(client, "/"))

    cold = header(page(client, article.get_absolute_url()))
    warm = header(page(client, article.get_absolute_url()))

    assert cold == warm == front
    assert '<a href="/section/business/">Business</a>' in warm
    assert "aria-current" not in warm


def test_a_warm_header_does_not_read_the_menu(client, article, menu_reads):
    page(client, article.get_absolute_url())
    menu_reads.clear()

    page(client, article.get_absolute_url())

    assert menu_reads == []


def test_a_renamed_section_shows_in_the_header_on_the_next_render(
    client, article, commit
):
    page(client, article.get_absolute_url())
    business = Section.objects.get(slug="business")
    business.name = "Money"

    commit(article_services.section_save, section=business)

    html = header(page(client, article.get_absolute_url()))
    assert ">Money</a>" in html
    assert ">Business</a>" not in html


def test_a_new_section_shows_in_the_header(client, article, commit):
    page(client, article.get_absolute_url())

    commit(article_services.section_save, section=Section(name="Arts", slug="arts"))

    assert ">Arts</a>" in header(page(client, article.get_absolute_url()))


def test_a_menu_changed_without_a_purge_is_not_seen_until_one(client, article, commit):
    """Kept by the menu's generation: a raw update purges nothing."""
    page(client, article.get_absolute_url())
    Section.objects.filter(slug="business").update(name="Money")

    assert ">Business</a>" in header(page(client, article.get_absolute_url()))

    commit(article_services.section_save, section=Section.objects.get(slug="business"))
    assert ">Money</a>" in header(page(client, article.get_absolute_url()))


def test_another_site_name_is_another_header(client, article, settings):
    page(client, article.get_absolute_url())
    settings.NEWSROOM_SITE_NAME = "The Evening Post"

    html = header(page(client, article.get_absolute_url()))

    assert '<a class="site-name" href="/">The Evening Post</a>' in html


def test_a_cache_outage_renders_the_header_live(client, article, monkeypatch):
    page(client, article.get_absolute_url())

    def down(keys):
        raise ConnectionError("cache away")

    monkeypatch.setattr(fragments, "_read", down)

    assert ">Business</a>" in header(page(client, article.get_absolute_url()))


def test_a_foreign_value_under_the_header_key_is_rendered_over(
    client, article, monkeypatch
):
    read = fragments._read

    def damaged(keys):
        found = read(keys)
        return [
            "not an entry" if ":header:" in key else value
            for key, value in zip(keys, found, strict=True)
        ]

    page(client, article.get_absolute_url())
    monkeypatch.setattr(fragments, "_read", damaged)

    assert ">Business</a>" in header(page(client, article.get_absolute_url()))
