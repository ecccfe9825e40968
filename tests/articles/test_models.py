from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article, RelatedArticle
from articles.video import parse_video_url
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

HEADLINE = "UK Considers Security Treaty with Japan as “Quasi-Ally”"
VIDEO_TITLE = "The U.S.–Japan Security Treaty Explained – 日米安全保障条約を読み解く"


def test_unicode_round_trips_exactly():
    """Typographic quotes, dashes and Japanese survive the database unchanged."""
    author = AuthorFactory(name="Daniel Pérez", job_title="News Editor – Tokyo")
    article = ArticleFactory(
        headline=HEADLINE,
        dek="Japan and the United Kingdom – closer than ever 🇯🇵🇬🇧",
        body="<p>“Quasi-Ally” – 日米安全保障条約を読み解く</p>",
        video_url="https://youtu.be/abcDEF12345",
        video_title=VIDEO_TITLE,
        authors=[author],
        tags=["日本", "United Kingdom"],
    )

    fresh = Article.objects.get(pk=article.pk)
    assert fresh.headline == HEADLINE
    assert fresh.dek == "Japan and the United Kingdom – closer than ever 🇯🇵🇬🇧"
    assert fresh.body == "<p>“Quasi-Ally” – 日米安全保障条約を読み解く</p>"
    assert fresh.video_title == VIDEO_TITLE
    assert fresh.byline_authors[0].name == "Daniel Pérez"
    assert sorted(tag.name for tag in fresh.tags.all()) == ["United Kingdom", "日本"]
    assert Article.objects.filter(headline__contains="“Quasi-Ally”").count() == 1


def test_slug_is_made_from_the_headline_and_kept_unique():
    first = ArticleFactory(headline=HEADLINE, slug="")
    second = ArticleFactory(headline=HEADLINE, slug="")

    assert first.slug == "uk-considers-security-treaty-with-japan-as-quasi-ally"
    assert second.slug == "uk-considers-security-treaty-with-japan-as-quasi-ally-2"


def test_headline_without_latin_letters_still_gets_a_slug():
    article = ArticleFactory(headline="日米安全保障条約", slug="")

    assert article.slug == "article"


def test_canonical_url_uses_the_publication_date_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    article = ArticleFactory(
        slug="treaty", publish_at=datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
    )

    # 20:30 UTC is already the 26th in Tokyo.
    assert article.get_absolute_url() == "/news/2026/11/26/treaty/"


def test_body_is_sanitised_on_save():
    article = ArticleFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')

    assert Article.objects.get(pk=article.pk).body == "<p>Hi</p>"


def test_reading_time_counts_words():
    article = ArticleFactory(body="<p>" + "word " * 1000 + "</p>")

    assert article.reading_time == 5


def test_database_refuses_published_without_a_time():
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)


def test_an_article_cannot_be_related_to_itself():
    article = ArticleFactory()
    link = RelatedArticle(from_article=article, to_article=article)

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()
    assert "cannot be related to itself" in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()


def test_image_needs_alt_text_and_video_needs_a_title():
    article = ArticleFactory.build(
        section=SectionFactory(),
        lead_image="articles/2026/11/photo.jpg",
        video_url="https://www.youtube.com/watch?v=abcDEF12345",
    )

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert excinfo.value.message_dict["lead_image_alt"] == [
        "Describe the image for readers who cannot see it."
    ]
    assert excinfo.value.message_dict["video_title"] == [
        "Give the video a title; readers see it on the poster."
    ]


@pytest.mark.parametrize(
    ("url", "provider", "video_id"),
    [
        ("https://www.youtube.com/watch?v=abcDEF12345", "youtube", "abcDEF12345"),
        (
            "https://youtube.com/watch?feature=share&v=abcDEF12345",
            "youtube",
            "abcDEF12345",
        ),
        ("https://youtu.be/abcDEF12345?t=30", "youtube", "abcDEF12345"),
        ("https://m.youtube.com/watch?v=a-c_EF12345", "youtube", "a-c_EF12345"),
        ("https://www.youtube.com/embed/abcDEF12345", "youtube", "abcDEF12345"),
        ("https://www.youtube.com/shorts/abcDEF12345", "youtube", "abcDEF12345"),
        (
            "https://www.youtube-nocookie.com/embed/abcDEF12345",
            "youtube",
            "abcDEF12345",
        ),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
        ("https://player.vimeo.com/video/76979871", "vimeo", "76979871"),
    ],
)
def test_video_links_are_read(url, provider, video_id):
    video = parse_video_url(url)

    assert (video.provider, video.video_id) == (provider, video_id)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://dailymotion.com/video/x8abc", "Only YouTube and Vimeo videos"),
        ("https://evil.example/watch?v=abcDEF12345", "Only YouTube and Vimeo videos"),
        (
            "https://youtube.com.evil.example/watch?v=abcDEF12345",
            "Only YouTube and Vimeo",
        ),
        ("https://www.youtube.com/watch?v=short", "no valid video id"),
        ("https://www.youtube.com/watch?v=abc<script>", "no valid video id"),
        ("https://www.youtube.com/channel/UC123", "no valid video id"),
        ("https://vimeo.com/channels/staffpicks", "no valid video id"),
        ("javascript:alert(1)", "starts with https://"),
    ],
)
def test_other_video_links_get_a_clear_error(url, message):
    article = ArticleFactory.build(
        section=SectionFactory(), video_url=url, video_title="A title"
    )

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert message in " ".join(excinfo.value.message_dict["video_url"])
