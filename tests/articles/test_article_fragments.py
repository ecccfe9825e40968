"""Parts of the article page kept in the shared cache (caching/fragments.py):
the same HTML as a live render, and stale exactly when what they show changes."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from taggit.models import Tag

from articles import services as article_services
from articles.cache import article_tag
from articles.models import Article, Section
from articles.selectors.previews import preview_url
from caching import fragments, purges
from comments import services as comment_services
from comments.models import Comment
from tests.articles.test_images import noisy_jpeg
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
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


@pytest.fixture
def full_piece():
    """A piece with every part its page prints."""
    piece = ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”",
        dek="Japan and the United Kingdom deepen security ties",
        body=(
            "<p>Intro.</p><h2>What is the objective?</h2><p>One.</p>"
            "<h2>Why a “quasi-ally”?</h2><p>Two.</p><h2>What next?</h2><p>Three.</p>"
        ),
        authors=[
            AuthorFactory(name="Daniel Perez", job_title="News Editor"),
            AuthorFactory(name="Kenji Watanabe", job_title="Tokyo Correspondent"),
        ],
        tags=["Japan", "Defence"],
        video_url="https://www.youtube.com/watch?v=abcDEF12345",
        video_title="The U.S.–Japan Security Treaty Explained – 日米安保を読み解く",
        lead_image=SimpleUploadedFile("tokyo.jpg", noisy_jpeg((1400, 900))),
        lead_image_alt="Ministers shake hands",
        lead_image_caption="Ministers met in Tokyo.",
        lead_image_credit="Newsroom photographer",
    )
    KeyTakeawayFactory(article=piece, label="Objective", text="A lasting tie.")
    CorrectionFactory(article=piece, text="The talks were on Tuesday.")
    CommentFactory(article=piece, body="First words")
    ArticleFactory(headline="Tokyo budget", tags=["Japan"])
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
def reads(monkeypatch):
    """The keys of each read of the shared cache for fragments, from now on."""
    keys_read = []
    read = fragments._read

    def counted(keys):
        keys_read.append(keys)
        return read(keys)

    monkeypatch.setattr(fragments, "_read", counted)
    return keys_read


@pytest.fixture
def stored(monkeypatch):
    """The names of the fragments rendered (missed) from now on."""
    names = []
    value = fragments.value

    def spy(fragment, *, render, check=None):
        def counted():
            names.append(fragment.name)
            return render()

        return value(fragment, render=counted, check=check)

    monkeypatch.setattr(fragments, "value", spy)
    return names


@pytest.mark.parametrize("piece", ["article", "full_piece"])
def test_a_page_from_warm_fragments_is_the_same_html_as_a_live_one(
    client, piece, request, settings
):
    piece = request.getfixturevalue(piece)
    settings.NEWSROOM_FRAGMENT_CACHE = False
    live = page(client, piece)
    settings.NEWSROOM_FRAGMENT_CACHE = True

    cold, warm = page(client, piece), page(client, piece)

    assert live == cold == warm


def test_a_warm_page_shows_every_part_of_the_piece(client, full_piece):
    page(client, full_piece)

    warm = page(client, full_piece)

    for part in (
        '<nav class="toc"',
        "<picture",
        'property="og:image"',
        '<figure class="video"',
        '<section class="takeaways"',
        "The talks were on Tuesday.",
        'rel="author">Kenji Watanabe</a>',
        '"@type":"NewsArticle"',
        "Tokyo budget",
        "First words",
    ):
        assert part in warm


def test_the_second_render_takes_the_piece_from_the_cache(client, article, stored):
    page(client, article)
    page(client, article)

    assert stored.count("article") == 1


def test_every_fragment_of_the_page_comes_in_one_read_of_the_cache(
    client, article, reads
):
    page(client, article)
    reads.clear()

    page(client, article)

    assert len(reads) == 1
    entries = [key for key in reads[0] if key.startswith(fragments.ENTRY_PREFIX)]
    assert len(entries) == 4  # the piece, related block, comments, header


def test_a_changed_row_is_a_new_piece_even_without_a_purge(client, article):
    """The piece's key holds everything it prints: a write that purges
    nothing (a raw update) still shows on the next render."""
    page(client, article)
    Article.objects.filter(pk=article.pk).update(body="<p>Quietly rewritten.</p>")

    html = page(client, article)

    assert "Quietly rewritten." in html


def test_a_renamed_author_shows_in_the_cached_piece(client, article, commit):
    author = AuthorFactory(name="Daniel Perez")
    article.bylines.create(author=author, position=0)
    assert "Daniel Perez" in page(client, article)
    author.name = "Daniel Pérez-Ruiz"

    commit(article_services.author_save, author=author)

    html = page(client, article)
    assert "Daniel Pérez-Ruiz" in html
    assert "Daniel Perez<" not in html


def test_a_renamed_tag_and_section_show_in_the_cached_piece(client, article, commit):
    page(client, article)
    Tag.objects.filter(name="Japan").update(name="Nippon")
    section = Section.objects.get(pk=article.section_id)
    section.name = "World news"

    commit(article_services.section_save, section=section)

    html = page(client, article)
    assert 'rel="tag">Nippon</a>' in html
    kicker = re.search(r'<p class="kicker">.*?</p>', html).group(0)
    assert ">World news</a>" in kicker


def test_a_correction_shows_in_the_cached_piece(client, article, commit, editor):
    page(client, article)

    commit(
        article_services.correction_add,
        article=article,
        kind="correction",
        text="The treaty was signed in March.",
        user=editor,
    )

    html = page(client, article)
    assert "The treaty was signed in March." in html
    assert '"dateModified"' in html


def test_a_purge_of_the_piece_renders_it_afresh(client, article, stored):
    page(client, article)

    purges.purge_now(article_tag(article.pk))
    page(client, article)

    assert stored.count("article") == 2


def test_a_foreign_value_under_a_fragment_key_is_rendered_over(client, article, reads):
    """An entry of another format (an older release) or a damaged one is a
    miss, not an error."""
    good = page(client, article)
    for key in reads[0]:
        if key.startswith(fragments.ENTRY_PREFIX):
            cache.set(key, "not an entry")

    assert page(client, article) == good
    assert page(client, article) == good


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


def test_a_discussion_that_closes_with_time_renders_the_section_afresh(
    client, settings, time_machine
):
    """Whether comments are open is stored with the section, not in its key
    (the page reads the section before it can know): the same key, a minute
    later, is a section to render again."""
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 14
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    piece = ArticleFactory(publish_at=now - timedelta(days=14, seconds=-60))
    assert 'id="respond"' in page(client, piece)

    time_machine.move_to(now + timedelta(seconds=120), tick=False)
    html = page(client, piece)

    assert 'id="respond"' not in html
    assert "Comments are closed: they close 14 days after publication." in html


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
        status="draft",
        publish_at=None,
        headline="Not out yet",
        body="<p>Draft words.</p>",
        tags=["Japan"],
    )
    link = PreviewLinkFactory(article=draft)

    response = client.get(urlsplit(preview_url(link)).path)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Not out yet</h1>" in html
    assert "<p>Draft words.</p>" in html
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

    monkeypatch.setattr(fragments, "_read", down)

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
