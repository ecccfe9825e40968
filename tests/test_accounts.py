"""Staff accounts: login lockout, password rules, sessions that end."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/admin/login/"
LOCKED_TEXT = "Too many failed sign-ins"


@pytest.fixture
def desk():
    return UserFactory(username="desk", password=PASSWORD)


def log_in(password: str, username: str = "desk", ip: str = "203.0.113.7", **extra):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        LOGIN + "?next=/admin/",
        {"username": username, "password": password},
        **extra,
    )
    return client, response


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(times: int, **kwargs) -> list[int]:
    return [log_in("wrong-password", **kwargs)[1].status_code for _ in range(times)]


def test_four_failures_still_let_the_right_password_in(desk):
    fail(4)

    _, response = log_in(PASSWORD)

    assert signed_in(response)
    # A success clears the pair's record: the next mistakes start from zero.
    assert not AccessAttempt.objects.filter(username="desk").exists()


def test_five_failures_lock_the_pair_out_even_with_the_right_password(desk):
    # Four times the form again with its error; the fifth is the lockout page.
    assert fail(5) == [200, 200, 200, 200, 429]

    client, response = log_in(PASSWORD)

    assert response.status_code == 429
    text = response.content.decode()
    assert LOCKED_TEXT in text
    assert "failed 5 times in a row, so it is paused" in text
    assert "Try again in 30 minutes" in text
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="desk")
    assert attempt.ip_address == "203.0.113.7"
    assert attempt.failures_since_start >= 5


def test_the_lockout_page_looks_the_same_for_a_username_that_does_not_exist():
    fail(5, username="nobody")

    _, response = log_in("anything", username="nobody")

    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()


def test_the_lock_is_per_username_and_address(desk):
    """A mistyping colleague behind the same office address does not lock
    the desk out, and guessing at a name from one machine does not lock its
    owner out elsewhere."""
    UserFactory(username="colleague", password=PASSWORD)
    fail(5)

    _, same_address_other_user = log_in(PASSWORD, username="colleague")
    _, same_user_other_address = log_in(PASSWORD, ip="198.51.100.20")

    assert signed_in(same_address_other_user)
    assert signed_in(same_user_other_address)


def test_the_lock_lifts_after_thirty_minutes(desk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(5)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        _, response = log_in(PASSWORD)

    assert signed_in(response)


def test_trying_during_the_lock_starts_the_wait_again(desk):
    """Each try while locked restarts the 30 minutes (so a script that keeps
    hammering stays locked out)."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(5)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        _, during = log_in(PASSWORD)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        _, after_first_wait = log_in(PASSWORD)
    with time_machine.travel(start + timedelta(minutes=31 + 31), tick=False):
        _, after_second_wait = log_in(PASSWORD)

    assert during.status_code == 429
    assert after_first_wait.status_code == 429
    assert signed_in(after_second_wait)


def test_behind_a_proxy_the_lock_uses_the_forwarded_address(desk, settings):
    """With one proxy in front, every request comes from the proxy's address;
    the client's is the last X-Forwarded-For entry. A client writing its own
    X-Forwarded-For cannot pick the address it is counted under."""
    settings.NEWSROOM_COMMENTS_PROXY_COUNT = 1
    proxy = {"ip": "10.0.0.2"}
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        log_in(
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7",
            **proxy,
        )

    _, attacker = log_in(PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    _, colleague = log_in(PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)

    assert attacker.status_code == 429
    assert signed_in(colleague)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.7"
    }


def test_the_lockout_adds_no_query_to_public_pages(client):
    article = ArticleFactory()

    with CaptureQueriesContext(connection) as queries:
        for url in ("/", article.get_absolute_url()):
            assert client.get(url).status_code == 200

    assert not [q["sql"] for q in queries if "axes_" in q["sql"]]


# Passwords ---------------------------------------------------------------------


@pytest.fixture
def admin_client_for_password(db):
    admin = get_user_model().objects.create_superuser(
        "chief", "chief@example.com", PASSWORD
    )
    client = Client()
    client.force_login(admin)
    return client, admin


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "Short-pass1",
            "This password is too short. It must contain at least 12 characters.",
        ),
        ("password1234", "This password is too common."),
        ("204919377561", "This password is entirely numeric."),
        ("desk@example.com", "The password is too similar to the email address."),
    ],
)
def test_a_weak_password_is_refused_with_its_reason(
    admin_client_for_password, desk, password, message
):
    client, _ = admin_client_for_password
    before = get_user_model().objects.get(pk=desk.pk).password

    response = client.post(
        reverse("admin:auth_user_password_change", args=[desk.pk]),
        {"password1": password, "password2": password},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert get_user_model().objects.get(pk=desk.pk).password == before


def test_a_long_unusual_password_is_accepted(admin_client_for_password, desk):
    client, _ = admin_client_for_password

    response = client.post(
        reverse("admin:auth_user_password_change", args=[desk.pk]),
        {"password1": "quiet-harbour-lanterns", "password2": "quiet-harbour-lanterns"},
    )

    assert response.status_code == 302
    desk.refresh_from_db()
    assert desk.check_password("quiet-harbour-lanterns")


# Sessions ----------------------------------------------------------------------


def test_a_session_ends_ten_hours_after_signing_in(desk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client, response = log_in(PASSWORD)
        assert signed_in(response)
        # No Max-Age: the cookie also ends when the browser closes.
        assert not response.cookies["sessionid"]["max-age"]
        assert not response.cookies["sessionid"]["expires"]

    with time_machine.travel(start + timedelta(hours=9, minutes=59), tick=False):
        working = client.get("/admin/")
    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        expired = client.get("/admin/")

    assert working.status_code == 200
    assert expired.status_code == 302
    assert expired["Location"].startswith("/admin/login/")


def test_working_all_day_does_not_stretch_the_session(desk):
    """The ten hours count from signing in, not from the last click."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client, _ = log_in(PASSWORD)
    for hour in range(1, 10):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            assert client.get("/admin/").status_code == 200

    with time_machine.travel(start + timedelta(hours=10, minutes=1), tick=False):
        assert client.get("/admin/").status_code == 302
