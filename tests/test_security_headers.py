"""Security headers on real responses: public pages, cached pages, the admin,
and, with the production values, HTTPS redirects, HSTS and secure cookies."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.middleware import ContentSecurityPolicyMiddleware
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.test_deploy_settings import production_settings

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIDEO_ORIGINS = "https://www.youtube-nocookie.com https://player.vimeo.com"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def article():
    article = ArticleFactory(video_url=VIDEO, video_title="The treaty explained")
    CommentFactory(article=article)
    return article


def public_urls(article) -> list[str]:
    return [
        reverse("articles:front-page"),
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        reverse("articles:search") + "?q=treaty",
        reverse("articles:corrections"),
    ]


def test_public_pages_carry_the_strict_policy(client, article):
    for url in public_urls(article):
        response = client.get(url)
        assert response.status_code == 200, url

        policy = directives(response["Content-Security-Policy"])
        assert policy == {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "media-src": ["'self'"],
            "frame-src": VIDEO_ORIGINS.split(),
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
            "manifest-src": ["'self'"],
            "worker-src": ["'self'"],
        }, url


def test_the_policy_lists_its_directives_in_one_order_in_every_process(client, article):
    """Sorted, not in the order of a set (which follows each process's string
    hashing), so every worker sends the same bytes for the same page."""
    for url in (*public_urls(article), reverse("admin:login")):
        names = [
            part.split()[0]
            for part in client.get(url)["Content-Security-Policy"].split("; ")
        ]
        assert names == sorted(names), url


def test_no_public_page_allows_inline_code_eval_or_a_nonce(client, article):
    for url in public_urls(article):
        header = client.get(url)["Content-Security-Policy"]

        assert "unsafe-inline" not in header, url
        assert "unsafe-eval" not in header, url
        assert "unsafe-hashes" not in header, url
        assert "nonce-" not in header, url


def test_public_html_has_no_inline_script_style_or_handler(client, article):
    """The policy holds only if the pages need nothing it forbids."""
    for url in public_urls(article):
        html = client.get(url).content.decode()

        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script or "application/ld+json" in script, (url, script)
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        assert "javascript:" not in html, url


def test_a_page_cache_hit_replays_the_stored_headers(
    client, article, settings, monkeypatch
):
    """The header middleware sits inside the page cache: a miss stores the
    policy with the page, and a hit answers without running it again."""
    settings.NEWSROOM_PAGE_CACHE = True
    url = article.get_absolute_url()
    first = client.get(url)
    assert first.get("X-Page-Cache") == "miss"

    def must_not_run(*args, **kwargs):
        raise AssertionError("the CSP middleware ran on a page cache hit")

    monkeypatch.setattr(
        ContentSecurityPolicyMiddleware, "process_response", must_not_run
    )
    second = client.get(url)

    assert second.get("X-Page-Cache") == "hit"
    for header in ("Content-Security-Policy", "Permissions-Policy"):
        assert second[header] == first[header], header
    assert "nonce-" not in second["Content-Security-Policy"]


def test_other_security_headers_on_a_public_page(client, article):
    response = client.get(article.get_absolute_url())

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_permissions_policy_denies_devices_and_lets_the_video_play(client, article):
    header = client.get(article.get_absolute_url())["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in header.split(", "))

    for denied in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
        assert features[denied] == "()", denied
    players = '"https://www.youtube-nocookie.com" "https://player.vimeo.com"'
    for needed in ("autoplay", "fullscreen", "picture-in-picture", "encrypted-media"):
        assert features[needed] == f"(self {players})", needed


def test_the_admin_gets_only_what_ckeditor_needs(client, editor, article):
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])

    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    # Everything else is the public policy.
    public = directives(client.get("/")["Content-Security-Policy"])
    loosened = {"script-src", "style-src"}
    assert {k: v for k, v in policy.items() if k not in loosened} == {
        k: v for k, v in public.items() if k not in loosened
    }
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_every_admin_address_has_the_admin_policy(client, editor):
    client.force_login(editor)
    for url in (
        reverse("admin:login"),
        reverse("admin:index"),
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
    ):
        header = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self' 'unsafe-inline'" in header, url


def test_a_public_address_that_looks_like_the_admin_does_not(client, settings):
    """Only addresses under /admin/ get the admin policy, not /administer…"""
    settings.DEBUG = False  # django-csp leaves DEBUG's 404 page alone

    response = client.get("/administer/")

    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]


# With the production values ------------------------------------------------------

PRODUCTION = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture(scope="module")
def production_values():
    return production_settings(*PRODUCTION)


@pytest.fixture
def production(settings, production_values):
    """This process, with the security values a production server reads."""
    for name, value in production_values.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    settings.ALLOWED_HOSTS = ["news.example.com"]


def test_plain_http_is_redirected_to_https(production, article):
    response = Client().get(article.get_absolute_url(), HTTP_HOST="news.example.com")

    assert response.status_code == 301
    assert response["Location"] == (
        f"https://news.example.com{article.get_absolute_url()}"
    )


def test_https_through_the_proxy_gets_hsts(production, article):
    response = Client().get(
        article.get_absolute_url(),
        HTTP_HOST="news.example.com",
        HTTP_X_FORWARDED_PROTO="https",
    )

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == (
        "max-age=2592000; includeSubDomains; preload"
    )


def test_staff_cookies_are_secure_and_httponly(production):
    UserFactory(username="desk", password="a-long-desk-passphrase")
    browser = Client()
    https = {"HTTP_HOST": "news.example.com", "HTTP_X_FORWARDED_PROTO": "https"}
    browser.get(reverse("admin:login"), **https)
    csrf = browser.cookies["csrftoken"]
    response = browser.post(
        reverse("admin:login"),
        {
            "username": "desk",
            "password": "a-long-desk-passphrase",
            "csrfmiddlewaretoken": csrf.value,
        },
        HTTP_REFERER="https://news.example.com/admin/login/",
        **https,
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"]  # ends when the browser closes
    assert csrf["secure"] and csrf["httponly"]
