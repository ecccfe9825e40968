"""The whole-page cache: hits cost nothing, changes purge exactly their pages."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import services as article_services
from comments import services as comment_services
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


def state(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("X-Page-Cache", "live")


@pytest.fixture
def newsroom():
    defence = SectionFactory(name="Defence", slug="defence")
    business = SectionFactory(name="Business", slug="business")
    author = AuthorFactory(name="Daniel Perez", slug="daniel-perez")
    report = ArticleFactory(section=defence, authors=[author], tags=["Japan"])
    other = ArticleFactory(section=business, tags=["Energy"])
    return {"report": report, "other": other, "defence": defence, "business": business}


def urls(newsroom):
    return {
        "report": newsroom["report"].get_absolute_url(),
        "other": newsroom["other"].get_absolute_url(),
        "front": reverse("articles:front-page"),
        "defence": newsroom["defence"].get_absolute_url(),
        "business": newsroom["business"].get_absolute_url(),
        "japan": reverse("articles:tag-detail", args=["japan"]),
        "energy": reverse("articles:tag-detail", args=["energy"]),
        "author": reverse("articles:author-detail", args=["daniel-perez"]),
        "rss": reverse("articles:feed-rss"),
    }


def warm(client, pages) -> None:
    for url in pages.values():
        client.get(url)
    assert all(state(client, url) == "hit" for url in pages.values())


def test_a_hit_costs_no_query(client, newsroom, django_assert_num_queries):
    url = newsroom["report"].get_absolute_url()
    assert state(client, url) == "miss"

    with django_assert_num_queries(0):
        response = client.get(url)

    assert response["X-Page-Cache"] == "hit"
    assert "public" in response["Cache-Control"]
    assert "s-maxage=600" in response["Cache-Control"]
    assert "stale-while-revalidate=60" in response["Cache-Control"]
    assert not response.cookies
    assert "Vary" not in response or "Cookie" not in response["Vary"]


def test_matching_etag_answers_304(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    first = client.get(url)
    etag = first["ETag"]

    cached = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert cached.status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_hit_is_the_stored_page_with_the_headers_of_a_miss(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    miss = client.get(url)
    hit = client.get(url)

    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit.content == miss.content
    for name in (
        "Content-Type",
        "Content-Length",
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert hit[name] == miss[name], name
    assert int(hit["Content-Length"]) == len(hit.content)


def test_a_hit_is_answered_before_sessions_and_routing(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    client.get(url)
    hit = client.get(url)

    assert hit["X-Page-Cache"] == "hit"
    # Neither the session nor the auth middleware ran for it.
    assert not hasattr(hit.wsgi_request, "session")
    assert not hasattr(hit.wsgi_request, "user")


def test_a_head_request_gets_the_headers_without_the_body(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    length = len(client.get(url).content)

    head = client.head(url)

    assert head["X-Page-Cache"] == "hit"
    assert head.content == b""
    assert int(head["Content-Length"]) == length


def test_a_cached_page_answers_if_modified_since(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    stamp = client.get(url)["Last-Modified"]

    assert client.get(url, HTTP_IF_MODIFIED_SINCE=stamp).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=older).status_code == 200


def test_live_pages_cost_no_cache_lookup(client, newsroom, monkeypatch):
    from caching import pages as pagecache

    lookups = []
    monkeypatch.setattr(pagecache, "_lookup", lambda key: lookups.append(key))
    client.get(reverse("articles:search"), {"q": "treaty"})
    client.get(reverse("comments:reader-state", args=[newsroom["report"].pk]))
    client.get("/no-such-page/")
    assert lookups == []

    monkeypatch.undo()
    assert state(client, newsroom["report"].get_absolute_url()) == "miss"


def test_logged_in_staff_always_see_live_pages(client, newsroom, editor):
    url = newsroom["report"].get_absolute_url()
    client.get(url)  # cached for readers
    client.force_login(editor)

    response = client.get(url)

    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_approving_a_comment_purges_that_article_page_only(
    client, newsroom, commit, moderator
):
    pages = urls(newsroom)
    warm(client, pages)
    held = CommentFactory(
        article=newsroom["report"], status="pending", body="Held words"
    )

    commit(comment_services.comment_approve, comment=held, actor=moderator)

    assert state(client, pages["report"]) == "miss"
    assert "Held words" in client.get(pages["report"]).content.decode()
    for name in ("other", "front", "defence", "business", "japan", "author", "rss"):
        assert state(client, pages[name]) == "hit", name


def test_publishing_purges_the_lists_it_joins_and_no_others(
    client, newsroom, commit, editor
):
    pages = urls(newsroom)
    warm(client, pages)
    draft = ArticleFactory(
        status="draft",
        publish_at=None,
        section=newsroom["defence"],
        tags=["Japan"],
        headline="Fresh defence story",
    )

    commit(article_services.article_publish, article=draft, user=editor)

    for name in ("front", "defence", "japan", "rss"):
        assert state(client, pages[name]) == "miss", name
        assert "Fresh defence story" in client.get(pages[name]).content.decode()
    for name in ("business", "energy", "other"):
        assert state(client, pages[name]) == "hit", name


def test_renaming_an_author_purges_their_bylines(client, newsroom, commit):
    pages = urls(newsroom)
    warm(client, pages)
    author = newsroom["report"].byline_authors[0]
    author.name = "Daniel Pérez"

    commit(article_services.author_save, author=author)

    for name in ("report", "author", "front", "defence", "rss"):
        assert state(client, pages[name]) == "miss", name
    assert "Daniel Pérez" in client.get(pages["report"]).content.decode()
    for name in ("other", "business"):
        assert state(client, pages[name]) == "hit", name


def test_withdrawing_purges_and_the_address_answers_410(
    client, newsroom, commit, editor
):
    pages = urls(newsroom)
    warm(client, pages)

    commit(
        article_services.article_withdraw,
        article=newsroom["report"],
        user=editor,
        note="Legal advice.",
    )

    assert client.get(pages["report"]).status_code == 410
    assert (
        newsroom["report"].headline not in client.get(pages["front"]).content.decode()
    )


def test_a_scheduled_piece_appears_on_time_in_a_cached_list(client, newsroom, editor):
    soon = timezone.now() + timedelta(minutes=10)
    ArticleFactory(section=newsroom["defence"], publish_at=soon, headline="On the hour")
    front = reverse("articles:front-page")

    assert "On the hour" not in client.get(front).content.decode()
    assert state(client, front) == "hit"
    with time_machine.travel(soon + timedelta(seconds=2)):
        html = client.get(front).content.decode()

    assert "On the hour" in html


def test_the_comment_form_posts_from_a_cached_page_with_csrf_enforced(newsroom):
    browser = Client(enforce_csrf_checks=True)
    article = newsroom["report"]
    page = browser.get(article.get_absolute_url())
    assert not page.cookies  # nothing per reader in the cached page
    assert browser.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    forged = Client(enforce_csrf_checks=True).post(
        reverse("comments:post", args=[article.pk]),
        {"name": "Mallory", "email": "m@example.org", "body": "From elsewhere."},
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    posted = browser.post(
        reverse("comments:post", args=[article.pk]),
        {"name": "Hannah", "email": "hannah@example.org", "body": "Good piece."},
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert posted.status_code in (302, 303)
    assert Comment.objects.filter(body="Good piece.").exists()
    assert not Comment.objects.filter(body="From elsewhere.").exists()
    assert forged.status_code not in (302, 303)


def test_a_held_comment_never_enters_the_shared_cache(newsroom):
    reader = Client()
    article = newsroom["report"]
    reader.post(
        reverse("comments:post", args=[article.pk]),
        {"name": "New reader", "email": "new@example.org", "body": "My held words"},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert Comment.objects.get(body="My held words").status == "pending"

    own = reader.get(article.get_absolute_url())
    anyone = Client().get(article.get_absolute_url())

    assert "My held words" not in own.content.decode()
    assert "My held words" not in anyone.content.decode()
    state_url = reverse("comments:reader-state", args=[article.pk])
    personal = reader.get(state_url)
    assert "My held words" in personal.content.decode()
    assert "no-store" in personal["Cache-Control"]


def test_pages_are_served_when_the_cache_is_down(newsroom, settings):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=dead):
        response = Client().get(newsroom["report"].get_absolute_url())

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_search_and_previews_are_never_cached(client, newsroom):
    response = client.get(reverse("articles:search"), {"q": "Headline"})

    assert "X-Page-Cache" not in response


def test_staff_session_cookie_bypasses_even_without_login(client, newsroom):
    url = newsroom["report"].get_absolute_url()
    client.get(url)
    client.cookies["sessionid"] = "anything"

    assert "X-Page-Cache" not in client.get(url)


def test_an_unknown_query_string_is_not_cached(client, newsroom):
    url = newsroom["report"].get_absolute_url()

    client.get(url, {"utm_source": "x"})
    response = client.get(url, {"utm_source": "x"})

    assert "X-Page-Cache" not in response


def test_the_sections_menu_costs_no_query_and_follows_renames(
    client, newsroom, commit, django_assert_max_num_queries
):
    url = newsroom["report"].get_absolute_url()
    client.get(reverse("articles:front-page"))  # reads the menu once
    with django_assert_max_num_queries(7):
        client.get(url)  # a miss: the article page, the menu from the cache
    section = newsroom["business"]
    section.name = "Markets"

    commit(article_services.section_save, section=section)

    html = client.get(url).content.decode()
    assert ">Markets</a>" in html
    assert ">Business</a>" not in html


def test_a_hit_is_one_read_of_the_cache(client, newsroom, monkeypatch):
    """The page and the purge epoch together (one MGET on Redis), nothing else."""
    from caching import pages as pagecache

    url = newsroom["report"].get_absolute_url()
    client.get(url)
    calls, real = [], pagecache.cache

    class Recorder:
        def __getattr__(self, name):
            method = getattr(real, name)

            def recorded(*args, **kwargs):
                calls.append((name, args))
                return method(*args, **kwargs)

            return recorded

    monkeypatch.setattr(pagecache, "cache", Recorder())

    assert client.get(url)["X-Page-Cache"] == "hit"

    assert len(calls) == 1
    name, (keys,) = calls[0]
    assert name == "get_values"
    assert keys[1] == pagecache.EPOCH_KEY
