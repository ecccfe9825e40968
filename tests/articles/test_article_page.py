"""Every part of the article page's anatomy, from structured fields."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from articles.models import Article, RelatedArticle
from tests.articles.test_images import noisy_jpeg
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

VIDEO_TITLE = "The U.S.–Japan Security Treaty Explained – 日米安全保障条約を読み解く"
BODY = (
    "<p>Intro.</p><h2>What is the objective?</h2><p>One.</p>"
    "<h2>Why a “quasi-ally”?</h2><p>Two.</p><h2>What next?</h2><p>Three.</p>"
)


def jsonld_blocks(html: str) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    return [json.loads(block) for block in blocks]


@pytest.fixture
def article():
    return ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”",
        dek="Japan and the United Kingdom deepen security ties",
        body=BODY,
        authors=[
            AuthorFactory(
                name="Daniel Perez", slug="daniel-perez", job_title="News Editor"
            ),
            AuthorFactory(
                name="Kenji Watanabe", slug="kenji", job_title="Tokyo Correspondent"
            ),
        ],
        tags=["Japan", "Defence"],
        video_url="https://www.youtube.com/watch?v=abcDEF12345",
        video_title=VIDEO_TITLE,
        lead_image=SimpleUploadedFile("tokyo.jpg", noisy_jpeg((1400, 900))),
        lead_image_alt="Ministers shake hands",
        lead_image_caption="Ministers met in Tokyo.",
        lead_image_credit="Newsroom photographer",
    )


def get(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_byline_names_every_author_with_title_and_link(client, article):
    html = get(client, article)

    assert re.search(
        r'by <a href="/author/daniel-perez/" rel="author">Daniel Perez</a>'
        r" – News Editor"
        r' and <a href="/author/kenji/" rel="author">Kenji Watanabe</a>'
        r" – Tokyo Correspondent",
        html,
    )


def test_dates_are_in_time_elements_and_updated_shows_only_after_edits(
    client, article, settings
):
    settings.TIME_ZONE = "Asia/Tokyo"
    published = timezone.localtime(article.publish_at)
    html = get(client, article)
    assert f'<time datetime="{published.isoformat()}">' in html
    assert "Updated" not in html

    article.dek = "A sharper dek."
    article.save()
    html = get(client, article)
    updated = timezone.localtime(article.updated_at).isoformat()
    assert f'Updated <time datetime="{updated}">' in html
    assert "+09:00" in updated


def test_lead_image_is_a_picture_of_renditions_never_the_upload(client, article):
    html = get(client, article)

    picture = re.search(r"<picture>.*?</picture>", html, re.DOTALL).group(0)
    assert '<source type="image/webp" srcset="' in picture
    assert "320w" in picture and "1280w" in picture
    assert 'alt="Ministers shake hands"' in picture
    assert article.lead_image.url not in html
    assert "Ministers met in Tokyo." in html
    assert "Photo: Newsroom photographer" in html


def test_table_of_contents_links_to_anchored_headings(client, article):
    html = get(client, article)

    assert '<a href="#what-is-the-objective">What is the objective?</a>' in html
    assert '<a href="#why-a-quasi-ally">Why a “quasi-ally”?</a>' in html
    assert '<h2 id="what-next">What next?</h2>' in html


def test_no_table_of_contents_under_three_headings(client):
    article = ArticleFactory(body="<h2>One</h2><p>x</p><h2>Two</h2>")

    html = get(client, article)

    assert "In this article" not in html
    assert '<h2 id="one">One</h2>' in html


def test_video_is_a_poster_with_a_link_and_no_provider_request(client, article):
    html = get(client, article)

    assert (
        '<a class="video-poster" href="https://www.youtube.com/watch?v=abcDEF12345"'
        in (html)
    )
    assert "日米安全保障条約を読み解く" in html
    assert 'data-embed-url="https://www.youtube-nocookie.com/embed/abcDEF12345' in html
    # Nothing on the page loads from the provider by itself.
    assert "<iframe" not in html
    assert not re.search(r'(src|srcset)="https://[^"]*(youtube|ytimg|vimeo)', html)


def test_takeaways_are_an_ordered_list_of_label_and_text(client, article):
    article.takeaways.create(position=2, label="Early Stage", text="No text yet.")
    article.takeaways.create(
        position=1, label="Strategic Diversification", text="More."
    )

    html = get(client, article)

    assert (
        "<ol>\n      <li><strong>Strategic Diversification:</strong> More.</li>"
        "<li><strong>Early Stage:</strong> No text yet.</li>" in html
    )


def test_related_posts_picks_first_then_shared_tags_never_self_or_unpublished(
    client, article
):
    other_section = SectionFactory()
    pick = ArticleFactory(headline="Editor's pick", section=other_section)
    RelatedArticle.objects.create(from_article=article, to_article=pick, position=0)
    unpublished_pick = ArticleFactory(
        headline="Pick in draft", status="draft", publish_at=None
    )
    RelatedArticle.objects.create(
        from_article=article, to_article=unpublished_pick, position=1
    )
    two_tags = ArticleFactory(headline="Shares two tags", tags=["Japan", "Defence"])
    ArticleFactory(headline="Shares one tag, newer", tags=["Japan"])
    ArticleFactory(
        headline="Shares one tag, older",
        tags=["Defence"],
        publish_at=timezone.now() - timedelta(days=3),
    )
    ArticleFactory(
        headline="Shares one tag, oldest",
        tags=["Japan"],
        publish_at=timezone.now() - timedelta(days=9),
    )
    ArticleFactory(
        headline="Scheduled with tags",
        tags=["Japan", "Defence"],
        publish_at=timezone.now() + timedelta(hours=2),
    )
    ArticleFactory(headline="No shared tags", tags=["Energy"])

    html = get(client, article)
    related = re.search(r'<aside class="related".*?</aside>', html, re.DOTALL).group(0)
    headlines = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', related)

    assert headlines == [
        "Editor&#x27;s pick",
        two_tags.headline,
        "Shares one tag, newer",
        "Shares one tag, older",
    ]


def test_open_graph_and_twitter_tags(client, article, settings):
    html = get(client, article)
    canonical = settings.NEWSROOM_SITE_URL + article.get_absolute_url()

    assert f'<link rel="canonical" href="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert re.search(
        r'<meta property="og:image" content="http://[^"]+-1280w\.jpg">', html
    )
    assert (
        f'<meta property="article:published_time" '
        f'content="{timezone.localtime(article.publish_at).isoformat()}">' in html
    )
    assert html.count('<meta property="article:author"') == 2
    assert '<meta property="article:section"' in html
    assert '<meta property="article:tag" content="Japan">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_json_ld_news_article_and_breadcrumbs(client, article, settings):
    blocks = jsonld_blocks(get(client, article))
    news, crumbs = blocks
    canonical = settings.NEWSROOM_SITE_URL + article.get_absolute_url()

    assert news["@type"] == "NewsArticle"
    assert news["headline"] == article.headline
    assert news["description"] == article.dek
    assert news["datePublished"] == timezone.localtime(article.publish_at).isoformat()
    assert news["dateModified"] == news["datePublished"]
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": canonical}
    assert news["publisher"]["name"] == settings.NEWSROOM_SITE_NAME
    assert news["image"][0].startswith(
        settings.NEWSROOM_SITE_URL + "/media/renditions/"
    )
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Daniel Perez",
            "url": settings.NEWSROOM_SITE_URL + "/author/daniel-perez/",
            "jobTitle": "News Editor",
        },
        {
            "@type": "Person",
            "name": "Kenji Watanabe",
            "url": settings.NEWSROOM_SITE_URL + "/author/kenji/",
            "jobTitle": "Tokyo Correspondent",
        },
    ]
    assert crumbs["@type"] == "BreadcrumbList"
    assert [item["name"] for item in crumbs["itemListElement"]] == [
        settings.NEWSROOM_SITE_NAME,
        article.section.name,
        article.headline,
    ]
    assert crumbs["itemListElement"][-1]["item"] == canonical


def test_json_ld_cannot_be_broken_out_of(client):
    article = ArticleFactory(headline="</script><script>alert(1)</script> & more")

    html = get(client, article)

    assert "<script>alert(1)" not in html
    news = jsonld_blocks(html)[0]
    assert news["headline"] == "</script><script>alert(1)</script> & more"


def test_author_page_has_person_json_ld(client, article, settings):
    author = article.byline_authors[0]
    author.bio = "Runs the news desk."
    author.save()

    html = client.get(author.get_absolute_url()).content.decode()

    person = jsonld_blocks(html)[0]
    assert person == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Daniel Perez",
        "url": settings.NEWSROOM_SITE_URL + "/author/daniel-perez/",
        "jobTitle": "News Editor",
        "description": "Runs the news desk.",
    }
    assert "<h1>Daniel Perez</h1>" in html
    assert article.headline in html


def test_withdrawn_article_is_not_shown(client, article):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)

    assert client.get(article.get_absolute_url()).status_code in (404, 410)
