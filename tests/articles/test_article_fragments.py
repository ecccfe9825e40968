"""Parts of the article page kept in the shared cache (caching/fragments.py):
the same HTML as a live render, and stale exactly when what they show changes."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from articles import services as article_services
from articles.models import Article, Section
from articles.selectors.previews import preview_url
from caching import fragments
from comments import services as comment_services
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    CommentFactory,
    PreviewLinkFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments_on(settings):
    settings.NEWSROOM_FRAGMENT_CACHE = True


@pytest.fixture
def article():
    ArticleFactory(
        headline="Japan's defence budget",
        tags=["Japan"],
        section=SectionFactory(name="Defence", slug="defence"),
    )
    piece = ArticleFactory(
        headline="UK Considers Security Treaty with Japan", tags=["Japan"]
    )
    CommentFactory(article=piece, author_name="Hannah", body="First words")
    piece.refresh_from_db()
    return piece


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def section(html: str) -> str:
    return re.search(r'<section id="comments".*?</section>', html, re.S).group(0)


def related(html: str) -> str:
    found = re.search(r'<aside class="related".*?</aside>', html, re.S)
    return found.group(0) if found else ""


@pytest.fixture
def stored(monkeypatch):
    """The names of the fragments rendered (missed) from now on."""
    names = []
    cached = fragments.cached

    def spy(name, *, tags, vary, render):
        def counted():
            names.append(name)
            return render()

        return cached(name, tags=tags, vary=vary, render=counted)

    monkeypatch.setattr(fragments, "cached", spy)
    return names


def test_a_page_from_warm_fragments_is_the_same_html_as_a_live_one(
    client, article, settings
):
    settings.NEWSROOM_FRAGMENT_CACHE = False
    live = page(client, article)
    settings.NEWSROOM_FRAGMENT_CACHE = True

    cold, warm = page(client, article), page(client, article)

    assert live == cold == warm


def test_the_second_render_takes_the_comment_section_from_the_cache(
    client, article, stored
):
    page(client, article)
    page(client, article)

    assert stored.count("comments") == 1


def test_an_approved_comment_shows_on_the_next_render(
    client, article, commit, moderator
):
    held = CommentFactory(article=article, status="pending", body="Held words")
    assert "Held words" not in page(client, article)

    commit(comment_services.comment_approve, comment=held, actor=moderator)

    html = page(client, article)
    assert "Held words" in section(html)
    assert "2 comments" in section(html)


def test_a_rejected_comment_leaves_the_cached_section(
    client, article, commit, moderator
):
    shown = Comment.objects.get(body="First words")
    assert "First words" in page(client, article)

    commit(comment_services.comment_reject, comment=shown, actor=moderator)

    html = page(client, article)
    assert "First words" not in html
    assert "0 comments" in section(html)


def test_an_edited_comment_shows_its_new_words(client, article, commit, moderator):
    shown = Comment.objects.get(body="First words")
    page(client, article)

    commit(
        comment_services.comment_edit,
        comment=shown,
        body="Edited words",
        actor=moderator,
    )

    html = page(client, article)
    assert "Edited words" in html
    assert "First words" not in html


def test_a_deleted_comment_leaves_the_cached_section(
    client, article, commit, moderator
):
    shown = Comment.objects.get(body="First words")
    page(client, article)

    commit(comment_services.comment_delete, comment=shown, actor=moderator)

    assert "First words" not in page(client, article)


def test_a_change_without_a_purge_is_not_seen_until_one(client, article):
    """What keeps a fragment current is the purge, not the data: this test
    fails if the section were rendered live every time."""
    page(client, article)
    Comment.objects.filter(body="First words").update(body="Quietly changed")

    assert "Quietly changed" not in page(client, article)


def test_the_time_zone_and_language_each_have_their_own_fragment(
    client, article, settings, stored
):
    page(client, article)
    settings.TIME_ZONE = "Asia/Tokyo"
    page(client, article)
    with translation.override("fr"):
        page(client, article)

    assert stored.count("comments") == 3


def test_closing_the_discussion_renders_the_section_afresh(client, article):
    assert 'id="respond"' in page(client, article)
    article.allow_comments = False
    article.save()

    html = page(client, article)

    assert 'id="respond"' not in html
    assert "Comments are closed for this article." in html


def test_staff_and_readers_share_a_section_without_anything_of_theirs(
    client, article, editor, stored
):
    reader = Client()
    reader.post(
        reverse("comments:post", args=[article.pk]),
        {"name": "New reader", "email": "new@example.org", "body": "My held words"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert Comment.objects.get(body="My held words").status == "pending"
    client.force_login(editor)
    staff_html = page(client, article)

    reader_html = page(reader, article)

    assert stored.count("comments") == 1
    assert section(staff_html) == section(reader_html)
    assert "My held words" not in reader_html
    assert 'name="csrfmiddlewaretoken" value=""' in section(reader_html)
    token = reader.cookies.get("csrftoken")
    assert token is None or token.value not in reader_html


def test_a_preview_never_reads_or_writes_a_fragment(client, article, stored):
    """Not even of the published pieces around it: its related block is its own."""
    ArticleFactory(headline="Out already", tags=["Japan"])
    draft = ArticleFactory(
        status="draft", publish_at=None, headline="Not out yet", tags=["Japan"]
    )
    link = PreviewLinkFactory(article=draft)

    response = client.get(urlsplit(preview_url(link)).path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Not out yet" in html
    assert "Out already" in html
    assert stored == []


def test_an_article_page_with_warm_fragments_costs_fewer_queries(
    client, article, django_assert_num_queries
):
    url = article.get_absolute_url()
    # A cold cache: the piece, its related pieces, the menu, the thread.
    with django_assert_num_queries(4):
        client.get(url)
    # Warm: the piece alone, however long its discussion.
    with django_assert_num_queries(1):
        client.get(url)


def test_a_cache_outage_renders_the_section_live(client, article, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(fragments.pages, "generations", down)

    assert "First words" in page(client, article)


def test_the_second_render_takes_the_related_block_from_the_cache(
    client, article, stored
):
    assert "Japan&#x27;s defence budget" in related(page(client, article))
    page(client, article)

    assert stored.count("related") == 1


def test_a_withdrawn_related_piece_leaves_the_cached_block(
    client, article, commit, editor
):
    other = Article.objects.get(headline="Japan's defence budget")
    assert "defence budget" in related(page(client, article))

    commit(article_services.article_withdraw, article=other, user=editor, note="Law")

    assert related(page(client, article)) == ""


def test_an_unpublished_piece_joins_the_block_only_once_it_is_published(
    client, article, commit, editor
):
    draft = ArticleFactory(
        headline="Tokyo talks resume", tags=["Japan"], status="draft", publish_at=None
    )
    assert "Tokyo talks resume" not in page(client, article)

    commit(article_services.article_publish, article=draft, user=editor)

    assert "Tokyo talks resume" in related(page(client, article))


def test_a_renamed_section_shows_in_the_cached_block(client, article, commit):
    defence = Section.objects.get(slug="defence")
    page(client, article)
    defence.name = "Security"

    commit(article_services.section_save, section=defence)

    assert "Security ·" in related(page(client, article))


def test_a_page_from_a_warm_block_still_carries_its_related_pieces_tags(
    client, article, commit, editor, settings
):
    """The page cache must still purge this page when a related piece goes."""
    page(client, article)  # the fragments are warm
    settings.NEWSROOM_PAGE_CACHE = True
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    other = Article.objects.get(headline="Japan's defence budget")

    commit(article_services.article_withdraw, article=other, user=editor, note="Law")

    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert related(response.content.decode()) == ""
