"""List cards come from the shared cache, keyed by everything they print
(articles/cards.py): the same HTML as rendering them afresh, and a change to
anything a card shows is a new card on every list at once, with no purge."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from articles import services as article_services
from articles.cards import CARD_TEMPLATE, render_cards
from articles.models import Article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece():
    section = SectionFactory(name="Defence & <Security>", slug="defence")
    authors = [
        AuthorFactory(name="Daniel Perez", slug="daniel-perez", job_title="Editor"),
        AuthorFactory(name='Aiko "Ai" Sato', slug="aiko-sato", job_title=""),
        AuthorFactory(name="Tom O'Neill", slug="tom-oneill", job_title="Reporter"),
    ]
    return ArticleFactory(
        section=section,
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally” <b>",
        dek="Japan & the UK deepen ties",
        authors=authors,
        tags=["Japan"],
    )


def listed(**filters):
    return list(Article.objects.published().with_bylines().filter(**filters))


def fresh(article, show_section) -> str:
    """The card as the list template rendered it before cards were cached."""
    return get_template(CARD_TEMPLATE).render(
        {"article": article, "show_section": show_section}
    )


def lists(article) -> dict[str, str]:
    return {
        "front": reverse("articles:front-page"),
        "section": article.section.get_absolute_url(),
        "tag": reverse("articles:tag-detail", args=["japan"]),
        "author": article.byline_authors[0].get_absolute_url(),
    }


@pytest.mark.parametrize("show_section", [True, False])
def test_a_card_is_the_same_html_from_the_cache_as_rendered_afresh(piece, show_section):
    ArticleFactory(  # no dek, no byline, older
        dek="", authors=[], publish_at=timezone.now() - timedelta(days=1)
    )
    articles = listed()

    first = render_cards(articles, show_section=show_section)
    again = render_cards(listed(), show_section=show_section)

    expected = [fresh(article, show_section) for article in articles]
    assert first == expected
    assert again == expected
    assert "Japan &amp; the UK" in first[0] and "&lt;b&gt;" in first[0]


def test_a_search_snippet_is_printed_as_given_and_keyed_by_its_text(piece):
    article = listed()[0]
    article.highlighted = mark_safe("the <mark>treaty</mark> talks")
    expected = fresh(article, True)

    card = render_cards([article], show_section=True)[0]
    article.highlighted = mark_safe("other <mark>treaty</mark> words")
    other = render_cards([article], show_section=True)[0]

    assert card == expected and "<mark>treaty</mark> talks" in card
    assert "other <mark>treaty</mark> words" in other


def test_a_card_is_rendered_once_then_read_from_the_shared_cache(piece, monkeypatch):
    render_cards(listed(), show_section=True)
    template = get_template(CARD_TEMPLATE)
    rendered = []
    monkeypatch.setattr(
        type(template), "render", lambda *args, **kwargs: rendered.append(1)
    )

    cards = render_cards(listed(), show_section=True)

    assert rendered == []
    assert piece.headline.split(" <")[0] in cards[0]


def test_a_corrected_headline_is_on_every_list_at_once_without_a_purge(
    client, piece, editor
):
    pages = lists(piece)
    for url in pages.values():
        assert "Quasi-Ally" in client.get(url).content.decode()

    article_services.article_update(
        article=piece,
        user=editor,
        expected_version=piece.version,
        fields={"headline": "UK and Japan Sign Security Treaty", "dek": "Signed."},
    )  # in the test's transaction: no purge has run

    for name, url in pages.items():
        html = client.get(url).content.decode()
        assert "UK and Japan Sign Security Treaty" in html, name
        assert "Quasi-Ally" not in html and "Signed." in html, name


def test_a_withdrawn_piece_leaves_every_list_at_once(client, piece, editor):
    pages = lists(piece)
    ArticleFactory(section=piece.section, tags=["Japan"], authors=piece.byline_authors)
    for url in pages.values():
        client.get(url)

    article_services.article_withdraw(article=piece, user=editor, note="Legal.")

    for name, url in pages.items():
        assert "Quasi-Ally" not in client.get(url).content.decode(), name


def test_a_renamed_section_or_author_changes_the_cards_that_print_it(
    client, piece, commit
):
    tag_page = reverse("articles:tag-detail", args=["japan"])
    assert "Defence &amp; &lt;Security&gt;" in client.get(tag_page).content.decode()
    section, author = piece.section, piece.byline_authors[0]
    section.name = "World"
    author.name, author.job_title = "Daniel Pérez", "Chief Editor"

    commit(article_services.section_save, section=section)
    commit(article_services.author_save, author=author)

    html = client.get(tag_page).content.decode()
    assert ">World</a>" in html and "Defence" not in html
    assert ">Daniel Pérez</a> – Chief Editor" in html
    assert "Daniel Perez" not in html


def test_a_scheduled_piece_has_no_card_until_its_time(client, piece):
    soon = timezone.now() + timedelta(minutes=10)
    ArticleFactory(section=piece.section, publish_at=soon, headline="On the hour")
    section = piece.section.get_absolute_url()

    assert "On the hour" not in client.get(section).content.decode()
    with time_machine.travel(soon + timedelta(seconds=2)):
        assert "On the hour" in client.get(section).content.decode()


def test_a_card_follows_the_time_zone_it_is_printed_in(client, piece, settings):
    piece.publish_at = timezone.now().replace(hour=23, minute=30) - timedelta(days=1)
    piece.save()
    section = piece.section.get_absolute_url()
    settings.TIME_ZONE = "UTC"
    utc = client.get(section).content.decode()

    settings.TIME_ZONE = "Asia/Tokyo"
    tokyo = client.get(section).content.decode()

    assert "23:30" in utc and "08:30" in tokyo and "08:30" not in utc


def test_cards_stored_by_a_staff_request_hold_nothing_of_that_reader(
    piece, editor, monkeypatch
):
    expected = [fresh(article, False) for article in listed()]
    staff = Client()
    staff.force_login(editor)
    assert staff.get(piece.section.get_absolute_url()).status_code == 200
    template = get_template(CARD_TEMPLATE)
    monkeypatch.setattr(type(template), "render", None)  # read, never rendered

    assert render_cards(listed(), show_section=False) == expected


def test_lists_are_rendered_while_the_cache_is_down(client, piece, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "set_many", down)

    response = client.get(piece.section.get_absolute_url())

    assert response.status_code == 200
    assert "Quasi-Ally" in response.content.decode()


def test_list_pages_leave_the_bodies_in_the_database(
    client, piece, django_assert_max_num_queries
):
    for name, url in lists(piece).items():
        with django_assert_max_num_queries(10) as page:
            assert client.get(url).status_code == 200
        read = " ".join(query["sql"] for query in page.captured_queries)
        assert '"articles_article"."body"' not in read, name
        assert "Quasi-Ally" in client.get(url).content.decode(), name
