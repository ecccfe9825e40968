"""
Two app servers behind HAProxy behave as one site (issue 13, "Several app
servers"): whatever one server records, the other knows.

Each test acts through one server and looks through the other, by their own
ports, the way round-robin would send a browser's requests; the balancer
itself is tested by the reader and purge tests and by test_server_killed.py.
"""

import base64
import re
import time
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp

from tests.faults.clients import Reader
from tests.faults.stack import ARTICLE_COUNT
from tests.stack.browser import Browser
from tests.stack.cluster import forwarded_for

pytestmark = pytest.mark.stack

PASSWORD = "newsroom-demo"  # seed_demo's, in a throwaway database
PURGE_DEADLINE = 1.0  # seconds: the bound for a change to reach readers
SECRET = re.compile(r"<code>([A-Z2-7]+)</code>")


def ports(cluster) -> tuple[int, int]:
    return cluster.servers["app1"].port, cluster.servers["app2"].port


def wait_until(check, *, timeout: float, step: float = 0.02) -> float | None:
    """Seconds until ``check()`` is true, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return round(time.monotonic() - started, 3)
        time.sleep(step)
    return None


def test_a_login_through_one_server_is_a_session_and_a_csrf_token_on_the_other(
    cluster,
):
    one, other = ports(cluster)
    staff = Browser(ip="10.61.0.1")
    assert staff.log_in(one, "admin", PASSWORD).status == 302
    change = f"/admin/articles/article/{cluster.article_id}/change/"
    page = staff.get(other, change)
    assert page.status == 200, page.status
    token = staff.get(one, change).csrf_token
    presence = f"/admin/articles/article/{cluster.article_id}/presence/"
    assert staff.post(other, presence, {"csrfmiddlewaretoken": token}).status == 200
    # The token is checked, not waved through.
    assert staff.post(other, presence, {"csrfmiddlewaretoken": "x" * 64}).status == 403
    # Signing out through the second server ends the session on the first.
    assert staff.post(other, "/admin/logout/", {"csrfmiddlewaretoken": token}).status
    assert staff.get(one, "/admin/").status == 302


def test_an_editor_on_one_server_sees_who_has_the_article_open_on_the_other(cluster):
    one, other = ports(cluster)
    admin, editor = Browser(ip="10.62.0.1"), Browser(ip="10.62.0.2")
    assert admin.log_in(one, "admin", PASSWORD).status == 302
    assert editor.log_in(other, "editor", PASSWORD).status == 302
    change = f"/admin/articles/article/{cluster.article_id}/change/"
    presence = f"/admin/articles/article/{cluster.article_id}/presence/"
    token = admin.get(one, change).csrf_token
    assert admin.post(one, presence, {"csrfmiddlewaretoken": token}).status == 200
    token = editor.get(other, change).csrf_token
    answer = editor.post(other, presence, {"csrfmiddlewaretoken": token})
    assert answer.status == 200
    assert '"name": "admin"' in answer.text, answer.text


def test_two_factor_set_up_on_one_server_is_asked_for_and_spent_on_both(cluster):
    one, other = ports(cluster)
    writer = Browser(ip="10.63.0.1")
    assert writer.log_in(one, "writer", PASSWORD).status == 302
    setup = writer.get(one, "/admin/two-factor/")
    key = SECRET.search(setup.text).group(1)
    secret = base64.b32decode(key)
    confirmed = writer.post(
        other,
        "/admin/two-factor/",
        {"csrfmiddlewaretoken": setup.csrf_token, "code": f"{totp(secret):06d}"},
    )
    assert confirmed.status == 302, confirmed.text[:500]

    without_code = Browser(ip="10.63.0.2").log_in(other, "writer", PASSWORD)
    assert without_code.status == 200
    assert "Enter the 6-digit code" in without_code.text
    # The next period's code (the device allows one step of clock drift).
    code = f"{totp(secret, drift=1):06d}"
    assert Browser(ip="10.63.0.3").log_in(one, "writer", PASSWORD, code).status == 302
    replayed = Browser(ip="10.63.0.4").log_in(other, "writer", PASSWORD, code)
    assert replayed.status == 200
    assert "That code is not right" in replayed.text


def test_failed_logins_through_both_servers_count_towards_one_lockout(cluster):
    one, other = ports(cluster)
    guesser = Browser(ip="10.64.0.1")
    statuses = [
        guesser.log_in(port, "moderator", "not-the-password").status
        for port in (one, other, one, other)
    ]
    assert statuses == [200, 200, 200, 200]
    assert guesser.log_in(one, "moderator", "not-the-password").status == 429
    # Locked on both, even with the right password now.
    assert guesser.log_in(other, "moderator", PASSWORD).status == 429
    assert guesser.log_in(one, "moderator", PASSWORD).status == 429
    # The pair is locked, not the account: the moderator elsewhere signs in.
    assert Browser(ip="10.64.0.2").log_in(other, "moderator", PASSWORD).status == 302


def test_the_comment_rate_limit_counts_an_address_once_across_servers(cluster):
    one, other = ports(cluster)
    address = forwarded_for("10.65.0.1")
    first = Reader(port=one, article_id=cluster.article_id).post_comment(
        email="first@rate.appservers.invalid",
        name="First",
        body="A first view on the treaty, through one server.",
        ip=address,
    )
    assert first.status == 303, first
    second = Reader(port=other, article_id=cluster.article_id).post_comment(
        email="second@rate.appservers.invalid",
        name="Second",
        body="A second view on the treaty, through the other server.",
        ip=address,
    )
    assert second.status == 429, second
    elsewhere = Reader(port=other, article_id=cluster.article_id).post_comment(
        email="third@rate.appservers.invalid",
        name="Third",
        body="A view from another address altogether.",
        ip=forwarded_for("10.65.0.2"),
    )
    assert elsewhere.status == 303, elsewhere


def test_a_preview_link_made_on_one_server_opens_on_every_server(cluster):
    path = urlsplit(cluster.fixtures["preview_url"]).path
    anyone = Browser(ip="10.66.0.1")
    for port in (*ports(cluster), cluster.port):
        page = anyone.get(port, path)
        assert page.status == 200, (port, page.status)
        assert cluster.fixtures["draft_title"] in page.text
        assert anyone.get(port, path[:-3] + "xx/").status == 404


def _shown_count(port: int, path: str) -> int | None:
    page = Browser(ip="10.67.0.9").get(port, path)
    found = ARTICLE_COUNT.search(page.text) if page.status == 200 else None
    return int(found.group(1)) if found else None


def test_an_approved_comment_shows_through_every_server_within_a_second(
    cluster, figures
):
    one, other = ports(cluster)
    held = Reader(port=cluster.port, article_id=cluster.article_id).post_comment(
        email="links@purge.appservers.invalid",
        name="Linker",
        body="See https://example.com/a and https://example.com/b on this.",
        ip="10.67.0.1",
    )
    assert held.status == 303, held
    comment_id = cluster.scalar(
        "SELECT id FROM comments_comment WHERE author_email = %s "
        "AND status = 'pending'",
        ["links@purge.appservers.invalid"],
    )
    path = cluster.article_url
    before = {port: _shown_count(port, path) for port in (one, other)}
    before = {port: _shown_count(port, path) for port in (one, other)}  # cached
    assert len(set(before.values())) == 1, before
    moderator = Browser(ip="10.67.0.2")
    assert moderator.log_in(one, "moderator", PASSWORD).status == 302
    changelist = moderator.get(one, "/admin/comments/comment/")
    decided = moderator.post(
        one,
        "/admin/comments/comment/",
        {
            "csrfmiddlewaretoken": changelist.csrf_token,
            "action": "approve_comments",
            "_selected_action": str(comment_id),
            "index": "0",
        },
    )
    assert decided.status == 302, decided.text[:300]
    wanted = before[one] + 1
    seconds = {
        f"app{number}": wait_until(
            lambda port=port: _shown_count(port, path) == wanted,
            timeout=PURGE_DEADLINE,
        )
        for number, port in enumerate((one, other, cluster.port), start=1)
    }
    seconds["balancer"] = seconds.pop("app3")
    figures["approval_seconds_to_readers"] = seconds
    assert None not in seconds.values(), seconds


def test_a_withdrawn_piece_is_gone_from_every_server_within_a_second(cluster, figures):
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from articles.models import Article\n"
        "from articles.services import article_withdraw\n"
        "article = Article.objects.get(slug='indo-pacific-shipping-insurance-costs')\n"
        "print(article.get_absolute_url())\n"
    )
    path = cluster.manage("shell", "-c", script).strip().splitlines()[-1]
    servers = (*ports(cluster), cluster.port)
    for _ in range(2):  # the second read of each is a page-cache hit
        assert all(Browser(ip="10.68.0.1").get(p, path).status == 200 for p in servers)
    withdraw = script.replace(
        "print(article.get_absolute_url())\n",
        "article_withdraw(article=article, user=get_user_model().objects.get("
        "username='editor'), note='A legal takedown, tested.')\n",
    )
    cluster.manage("shell", "-c", withdraw)
    seconds = {
        name: wait_until(
            lambda port=port: Browser(ip="10.68.0.2").get(port, path).status == 410,
            timeout=PURGE_DEADLINE,
        )
        for name, port in zip(("app1", "app2", "balancer"), servers, strict=True)
    }
    figures["withdrawal_seconds_to_readers"] = seconds
    assert None not in seconds.values(), seconds
