"""The article page is the same for every reader; posting stays CSRF-safe.

The page may be cached whole (a later issue adds the cache), so nothing
personal is in it: no CSRF token, no held comments. Forms post to the comments
app, which accepts Django's token, or the browser's own same-origin headers,
and otherwise asks the reader to confirm on an uncached page with a token.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, Report
from tests.comments.conftest import comment_data
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w+)"')


@pytest.fixture
def strict():
    """A browser-like client: Django's CSRF check is on."""
    return Client(enforce_csrf_checks=True)


def post(client, article, **headers):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(),
        REMOTE_ADDR="198.51.100.7",
        headers=headers,
    )


def test_the_article_page_is_the_same_for_every_reader(article, config):
    CommentFactory(article=article, body="A public comment.")
    commenter, stranger = Client(), Client()
    post(commenter, article, **{"Sec-Fetch-Site": "same-origin"})
    held = Comment.objects.get(status="pending")
    commenter.get(reverse("comments:reader-state", args=[article.pk]))  # csrftoken

    seen_by_commenter = commenter.get(article.get_absolute_url())
    seen_by_stranger = stranger.get(article.get_absolute_url())

    assert "csrftoken" in commenter.cookies
    assert seen_by_commenter.content == seen_by_stranger.content
    html = seen_by_commenter.content.decode()
    assert not TOKEN.search(html)
    assert held.body not in html
    assert "Awaiting moderation" not in html
    assert not seen_by_commenter.cookies  # sets no cookie
    assert "Cookie" not in seen_by_commenter.get("Vary", "")


def test_without_token_or_browser_headers_the_reader_confirms_and_nothing_is_lost(
    strict, article, trusting
):
    response = post(strict, article)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Check your comment</h1>" in html
    assert "Is there any sign of a mutual defence clause?" in html
    assert not Comment.objects.exists()

    confirmed = strict.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(csrfmiddlewaretoken=TOKEN.search(html).group(1)),
        REMOTE_ADDR="198.51.100.7",
    )

    assert confirmed.status_code == 303
    assert Comment.objects.get().body == "Is there any sign of a mutual defence clause?"


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    ],
    ids=["fetch-metadata", "origin", "both"],
)
def test_the_browsers_same_origin_headers_vouch_for_a_post(
    strict, article, trusting, headers
):
    response = post(strict, article, **headers)

    assert response.status_code == 303
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://blog.testserver"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "same-site", "foreign-origin", "null-origin"],
)
def test_a_cross_site_post_stores_nothing(strict, article, trusting, headers):
    response = post(strict, article, **headers)

    assert response.status_code == 200
    assert "<h1>Check your comment</h1>" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_cross_site_post_with_a_stolen_token_still_stores_nothing(
    strict, article, trusting
):
    strict.get(reverse("comments:reader-state", args=[article.pk]))
    token = strict.cookies["csrftoken"].value

    response = strict.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(csrfmiddlewaretoken=token),
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_the_token_from_the_readers_endpoint_lets_a_post_through(
    strict, article, trusting
):
    state = strict.get(reverse("comments:reader-state", args=[article.pk]))
    token = state.json()["csrfToken"]

    response = strict.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(csrfmiddlewaretoken=token),
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 303
    assert "no-store" in state["Cache-Control"]
    assert "private" in state["Cache-Control"]
    assert "Cookie" in state["Vary"]


def test_a_wrong_token_is_refused_by_djangos_check(strict, article, trusting):
    strict.get(reverse("comments:reader-state", args=[article.pk]))

    response = strict.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(csrfmiddlewaretoken="x" * 64),
    )

    assert "<h1>Check your comment</h1>" in response.content.decode()
    assert not Comment.objects.exists()


def test_a_browser_that_vouches_is_not_refused_for_a_stale_token(
    strict, article, trusting
):
    # A token the page's script fetched before the cookie changed: Django's
    # check would refuse it, but the browser's own header says the form was
    # on this site, which is enough (and is asked first).
    strict.get(reverse("comments:reader-state", args=[article.pk]))

    response = strict.post(
        reverse("comments:post", args=[article.pk]),
        comment_data(csrfmiddlewaretoken="x" * 64),
        REMOTE_ADDR="198.51.100.7",
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_reports_follow_the_same_rules(strict, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", args=[comment.pk])

    forged = strict.post(
        url, {"reason": "spam"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    without = strict.post(url, {"reason": "spam"})
    vouched = strict.post(
        url, {"reason": "spam"}, headers={"Sec-Fetch-Site": "same-origin"}
    )

    assert "Your browser did not confirm" in forged.content.decode()
    assert "Your browser did not confirm" in without.content.decode()
    assert TOKEN.search(without.content.decode())
    assert vouched.status_code == 303
    assert Report.objects.count() == 1


def test_personal_pages_are_never_cached(client, article):
    comment = CommentFactory(article=article)
    for url in [
        reverse("comments:discussion", args=[article.pk]),
        reverse("comments:reply", args=[comment.pk]),
        reverse("comments:report", args=[comment.pk]),
        reverse("comments:reader-state", args=[article.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
