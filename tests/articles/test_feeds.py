"""RSS and Atom feeds: only published articles, the right ones, on the canonical
origin, in a constant number of queries."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from taggit.models import Tag

from articles.feeds import FEED_ITEMS
from articles.models import Article
from tests.articles.test_images import noisy_jpeg
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SITE = "https://news.example.org"
HEADLINE = "UK Considers Security Treaty with Japan as “Quasi-Ally” – 日米安全保障条約"
ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

FORMATS = ["rss", "atom"]


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
    return response, ElementTree.fromstring(response.content)


def rss_items(root):
    assert root.tag == "rss"
    assert root.get("version") == "2.0"
    return root.findall("./channel/item")


def atom_entries(root):
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def feed_links(client, url, kind):
    """The article links of a feed, in order, read from the parsed XML."""
    _, root = fetch(client, url)
    if kind == "rss":
        return [item.findtext("link") for item in rss_items(root)]
    return [
        entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        for entry in atom_entries(root)
    ]


def canonical(article):
    return SITE + article.get_absolute_url()


@pytest.fixture
def newsroom(frozen):
    """Published pieces across two sections, tags and authors, and every kind
    of piece a reader must never see."""
    politics = SectionFactory(name="Politics", slug="politics")
    sport = SectionFactory(name="Sport", slug="sport")
    perez = AuthorFactory(name="Daniel Perez", slug="daniel-perez")
    kim = AuthorFactory(name="Mina Kim", slug="mina-kim")
    hour = timedelta(hours=1)
    treaty = ArticleFactory(
        headline=HEADLINE,
        section=politics,
        authors=[perez, kim],
        tags=["Japan", "Defence"],
        publish_at=NOW - hour,
    )
    summit = ArticleFactory(
        section=politics, authors=[kim], tags=["Japan"], publish_at=NOW - 3 * hour
    )
    match = ArticleFactory(
        section=sport, authors=[perez], tags=["Football"], publish_at=NOW - 2 * hour
    )
    hidden = [
        ArticleFactory(
            section=politics,
            authors=[perez, kim],
            tags=["Japan", "Football"],
            status=status,
            publish_at=NOW - hour,
        )
        for status in (
            Article.Status.DRAFT,
            Article.Status.REVIEW,
            Article.Status.WITHDRAWN,
        )
    ]
    hidden.append(
        ArticleFactory(  # scheduled: published, but its time has not come
            section=sport,
            authors=[perez, kim],
            tags=["Japan", "Football"],
            publish_at=NOW + timedelta(minutes=1),
        )
    )
    return {"treaty": treaty, "summit": summit, "match": match, "hidden": hidden}


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize(
    ("route", "slug", "expected"),
    [
        ("feed", None, ["treaty", "match", "summit"]),
        ("section-feed", "politics", ["treaty", "summit"]),
        ("section-feed", "sport", ["match"]),
        ("tag-feed", "japan", ["treaty", "summit"]),
        ("tag-feed", "football", ["match"]),
        ("tag-feed", "defence", ["treaty"]),
        ("author-feed", "daniel-perez", ["treaty", "match"]),
        ("author-feed", "mina-kim", ["treaty", "summit"]),
    ],
)
def test_feed_holds_exactly_the_published_articles_newest_first(
    client, newsroom, kind, route, slug, expected
):
    kwargs = {"slug": slug} if slug else {}
    url = reverse(f"articles:{route}-{kind}", kwargs=kwargs)

    links = feed_links(client, url, kind)

    assert links == [canonical(newsroom[name]) for name in expected]
    hidden = {canonical(article) for article in newsroom["hidden"]}
    assert not hidden & set(links)


def test_rss_item_carries_the_article(client, newsroom):
    treaty = newsroom["treaty"]

    _, root = fetch(client, reverse("articles:feed-rss"))

    item = rss_items(root)[0]
    assert item.findtext("title") == HEADLINE
    assert item.findtext("link") == canonical(treaty)
    assert item.findtext("description") == treaty.dek
    assert parsedate_to_datetime(item.findtext("pubDate")) == treaty.publish_at
    assert item.findtext(DC_CREATOR) == "Daniel Perez, Mina Kim"
    assert [category.text for category in item.findall("category")] == [
        "Defence",
        "Japan",
    ]
    guid = item.find("guid")
    assert guid.text == canonical(treaty)
    assert guid.get("isPermaLink") == "true"


def test_atom_entry_carries_the_article_and_its_update(client, newsroom):
    treaty = newsroom["treaty"]
    treaty.save()  # an edit after publication sets updated_at
    treaty.refresh_from_db()
    assert treaty.updated_at == NOW

    _, root = fetch(client, reverse("articles:feed-atom"))

    entry = atom_entries(root)[0]
    assert entry.findtext(f"{ATOM}title") == HEADLINE
    assert entry.findtext(f"{ATOM}id") == canonical(treaty)
    assert entry.findtext(f"{ATOM}summary") == treaty.dek
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    published = datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    updated = datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert published == treaty.publish_at
    assert updated == NOW
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Daniel Perez, Mina Kim"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [
        "Defence",
        "Japan",
    ]
    # Not updated since publication: updated is the publication time.
    summit = atom_entries(root)[2]
    assert summit.findtext(f"{ATOM}updated") == summit.findtext(f"{ATOM}published")


def test_single_author_entry_links_to_the_author_page(client, newsroom):
    _, root = fetch(client, reverse("articles:feed-atom"))

    match = atom_entries(root)[1]
    author = match.find(f"{ATOM}author")
    assert author.findtext(f"{ATOM}name") == "Daniel Perez"
    assert author.findtext(f"{ATOM}uri") == SITE + reverse(
        "articles:author-detail", args=["daniel-perez"]
    )


def test_dek_is_escaped_as_html_and_headline_kept_as_text(client, frozen):
    ArticleFactory(
        headline="Tom & Jerry's <b>feud</b>",
        dek="Cats <script>alert(1)</script> & mice",
        publish_at=NOW - timedelta(hours=1),
    )

    _, root = fetch(client, reverse("articles:feed-atom"))

    entry = atom_entries(root)[0]
    # The title is text: a reader shows exactly the headline.
    assert entry.findtext(f"{ATOM}title") == "Tom & Jerry's <b>feud</b>"
    # The summary is HTML: the editor's text arrives as text, not as markup.
    assert entry.findtext(f"{ATOM}summary") == (
        "Cats &lt;script&gt;alert(1)&lt;/script&gt; &amp; mice"
    )


@pytest.mark.parametrize(
    ("route", "slug", "title", "page"),
    [
        ("feed", None, "The Daily Test", "/"),
        ("section-feed", "politics", "Politics – The Daily Test", "/section/politics/"),
        ("tag-feed", "japan", "Japan – The Daily Test", "/tag/japan/"),
        (
            "author-feed",
            "mina-kim",
            "Mina Kim – The Daily Test",
            "/author/mina-kim/",
        ),
    ],
)
def test_feed_title_and_links(client, newsroom, route, slug, title, page):
    kwargs = {"slug": slug} if slug else {}
    rss_url = reverse(f"articles:{route}-rss", kwargs=kwargs)
    atom_url = reverse(f"articles:{route}-atom", kwargs=kwargs)

    _, rss = fetch(client, rss_url)
    _, atom = fetch(client, atom_url)

    channel = rss.find("channel")
    assert channel.findtext("title") == title
    assert channel.findtext("link") == SITE + page
    assert "The Daily Test" in channel.findtext("description")
    assert channel.findtext("language") == "en-gb"
    assert atom.findtext(f"{ATOM}title") == title
    assert atom.find(f"{ATOM}link[@rel='alternate']").get("href") == SITE + page
    assert atom.find(f"{ATOM}link[@rel='self']").get("href") == SITE + atom_url
    assert atom.findtext(f"{ATOM}subtitle") == channel.findtext("description")


def test_section_description_is_the_sections_own(client, frozen):
    SectionFactory(slug="world", name="World", description="News from abroad.")

    _, root = fetch(client, reverse("articles:section-feed-rss", args=["world"]))

    assert root.findtext("channel/description") == "News from abroad."
    assert rss_items(root) == []


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("route", ["section-feed", "tag-feed", "author-feed"])
def test_unknown_slug_is_404(client, newsroom, route, kind):
    url = reverse(f"articles:{route}-{kind}", args=["no-such-thing"])

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("kind", FORMATS)
def test_tag_known_only_from_unpublished_pieces_is_404(client, newsroom, kind):
    ArticleFactory(status=Article.Status.DRAFT, tags=["Embargoed Merger"])
    ArticleFactory(publish_at=NOW + timedelta(hours=1), tags=["Embargoed Merger"])
    assert Tag.objects.filter(slug="embargoed-merger").exists()
    url = reverse(f"articles:tag-feed-{kind}", args=["embargoed-merger"])

    assert client.get(url).status_code == 404


def test_feeds_use_the_canonical_origin_whatever_the_host(client, newsroom, settings):
    settings.ALLOWED_HOSTS = ["cdn.example.net"]
    url = reverse("articles:author-feed-atom", args=["daniel-perez"])

    response = client.get(url, HTTP_HOST="cdn.example.net", secure=False)

    body = response.content.decode()
    assert response.status_code == 200
    assert "cdn.example.net" not in body
    assert "http://" not in body.replace("http://www.w3.org/2005/Atom", "")
    assert f'href="{SITE}{url}"' in body


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_is_cacheable(client, newsroom, kind):
    response = client.get(reverse(f"articles:feed-{kind}"))

    assert response["Cache-Control"] == "public, max-age=300"
    assert "Cookie" not in response.get("Vary", "")
    assert response["Content-Type"].startswith(
        "application/rss+xml" if kind == "rss" else "application/atom+xml"
    )
    latest = parsedate_to_datetime(response["Last-Modified"])
    assert latest == NOW - timedelta(hours=1)


def test_feed_is_bounded(client, frozen):
    section = SectionFactory(slug="busy")
    articles = [
        ArticleFactory(section=section, publish_at=NOW - timedelta(minutes=n + 1))
        for n in range(FEED_ITEMS + 5)
    ]

    links = feed_links(client, reverse("articles:feed-rss"), "rss")

    assert links == [canonical(article) for article in articles[:FEED_ITEMS]]


@pytest.fixture
def grown(frozen):
    """More articles than a feed holds, each with several authors and tags."""
    section = SectionFactory(slug="grown")
    lead = AuthorFactory(slug="grown-lead")
    authors = [AuthorFactory() for _ in range(6)]
    tags = [f"Topic {n}" for n in range(6)]
    for n in range(FEED_ITEMS + 10):
        ArticleFactory(
            section=section,
            authors=[lead, authors[n % 6], authors[(n + 1) % 6]],
            tags=["Grown", tags[n % 6], tags[(n + 3) % 6]],
            publish_at=NOW - timedelta(minutes=n + 1),
        )
    return {"section": "grown", "tag": "grown", "author": "grown-lead"}


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize(
    ("route", "lookup", "budget"),
    [
        # articles, their bylines with authors, their tags
        ("feed", None, 3),
        # and the section, tag or author the feed is about
        ("section-feed", "section", 4),
        # and whether the tag or author is busy (Article.objects.tagged)
        ("tag-feed", "tag", 5),
        ("author-feed", "author", 5),
    ],
)
def test_feed_costs_a_constant_number_of_queries(
    client, grown, django_assert_max_num_queries, kind, route, lookup, budget
):
    kwargs = {"slug": grown[lookup]} if lookup else {}
    url = reverse(f"articles:{route}-{kind}", kwargs=kwargs)

    with django_assert_max_num_queries(budget):
        links = feed_links(client, url, kind)

    assert len(links) == FEED_ITEMS


def test_lead_image_is_an_enclosure_on_the_canonical_origin(client, frozen, settings):
    settings.MEDIA_URL = "/media/"
    article = ArticleFactory(
        lead_image=SimpleUploadedFile("pier.jpg", noisy_jpeg((700, 500))),
        publish_at=NOW - timedelta(hours=1),
    )
    ArticleFactory(publish_at=NOW - timedelta(hours=2))  # no image, no enclosure
    widest = max(
        (r for r in article.lead_image_renditions if r["format"] == "jpeg"),
        key=lambda r: r["width"],
    )

    _, rss = fetch(client, reverse("articles:feed-rss"))
    _, atom = fetch(client, reverse("articles:feed-atom"))

    enclosures = [item.find("enclosure") for item in rss_items(rss)]
    assert enclosures[1] is None
    assert enclosures[0].attrib == {
        "url": f"{SITE}/media/{widest['name']}",
        "length": str(default_storage.size(widest["name"])),
        "type": "image/jpeg",
    }
    link = atom_entries(atom)[0].find(f"{ATOM}link[@rel='enclosure']")
    assert link.get("href") == f"{SITE}/media/{widest['name']}"
    assert link.get("length") == enclosures[0].get("length")


def test_items_keep_the_byline_order_and_leave_out_what_a_piece_lacks(client, frozen):
    # The byline's order, not the authors' age, names them; tags by name.
    older, newer = AuthorFactory(name="Older Author"), AuthorFactory(name="New Lead")
    ArticleFactory(
        authors=[newer, older],
        tags=["Zebra crossings", "Accidents"],
        publish_at=NOW - timedelta(hours=1),
    )
    ArticleFactory(authors=[], tags=[], publish_at=NOW - timedelta(hours=2))

    _, rss = fetch(client, reverse("articles:feed-rss"))
    _, atom = fetch(client, reverse("articles:feed-atom"))

    bylined, bare = rss_items(rss)
    assert bylined.findtext(DC_CREATOR) == "New Lead, Older Author"
    assert [c.text for c in bylined.findall("category")] == [
        "Accidents",
        "Zebra crossings",
    ]
    assert bare.find(DC_CREATOR) is None
    assert bare.findall("category") == []
    # Atom: the feed's author (the publication) stands in for the bare one;
    # two names get no link, as one link cannot stand for both.
    assert atom.findtext(f"{ATOM}author/{ATOM}name") == "The Daily Test"
    assert atom_entries(atom)[1].find(f"{ATOM}author") is None
    assert atom_entries(atom)[0].find(f"{ATOM}author/{ATOM}uri") is None
