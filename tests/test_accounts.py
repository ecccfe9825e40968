"""Staff accounts: login lockout, password rules, sessions that end."""

from base64 import b32encode
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
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/admin/login/"
LOCKED_TEXT = "Too many failed sign-ins"


@pytest.fixture
def desk():
    return UserFactory(username="desk", password=PASSWORD)


def log_in(
    password: str,
    username: str = "desk",
    ip: str = "203.0.113.7",
    otp_token: str = "",
    **extra,
):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        LOGIN + "?next=/admin/",
        {"username": username, "password": password, "otp_token": otp_token},
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


# Two-factor sign-in ------------------------------------------------------------


def current_code(device, at) -> str:
    with time_machine.travel(at, tick=False):
        counter = TOTP(device.bin_key, device.step, device.t0, device.digits)
        return f"{counter.token():0{device.digits}d}"


@pytest.fixture
def enrolled(desk):
    """The desk has confirmed an authenticator app."""
    return TOTPDevice.objects.create(user=desk, name="Authenticator app")


def test_without_a_device_the_code_field_may_stay_empty(desk):
    _, response = log_in(PASSWORD)

    assert signed_in(response)


def test_with_a_device_the_password_alone_is_not_enough(enrolled):
    client, response = log_in(PASSWORD)

    assert response.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_with_a_device_a_wrong_code_is_refused(enrolled):
    client, response = log_in(PASSWORD, otp_token="000000")

    assert response.status_code == 200
    assert "That code is not right or has expired." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_a_device_the_right_code_signs_in_once(enrolled):
    now = timezone.now()
    code = current_code(enrolled, now)

    with time_machine.travel(now, tick=False):
        client, response = log_in(PASSWORD, otp_token=code)
        _, replayed = log_in(PASSWORD, otp_token=code, ip="198.51.100.20")

    assert signed_in(response)
    assert client.session["otp_device_id"] == enrolled.persistent_id
    # A code seen once (on the wire, over a shoulder) does not work again.
    assert replayed.status_code == 200
    assert "That code is not right or has expired." in replayed.content.decode()


def test_setting_up_two_factor_sign_in(desk):
    client = Client()
    client.force_login(desk)
    setup_url = reverse("core:two-factor-setup")

    page = client.get(setup_url)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=desk)
    assert not device.confirmed
    assert b32encode(device.bin_key).decode() in page.content.decode()
    qr = client.get(reverse("core:two-factor-qr-code"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert "no-store" in qr["Cache-Control"]
    assert b"<svg" in qr.content
    # A reload shows the same key until it is confirmed.
    client.get(setup_url)
    assert TOTPDevice.objects.get(user=desk).key == device.key

    wrong = client.post(setup_url, {"code": "000000"})
    assert "That code is not right or has expired." in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=desk).confirmed

    now = timezone.now()
    with time_machine.travel(now, tick=False):
        right = client.post(setup_url, {"code": current_code(device, now)})
    assert right.status_code == 302
    assert TOTPDevice.objects.get(user=desk).confirmed
    assert "is on" in client.get(setup_url).content.decode()

    # From now on the login asks for a code.
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        _, without_code = log_in(PASSWORD)
    assert without_code.status_code == 200


def test_the_qr_code_is_only_for_its_owner_and_only_while_setting_up(desk, enrolled):
    other = UserFactory(username="other-desk")
    TOTPDevice.objects.create(user=other, name="Authenticator app", confirmed=False)
    client = Client()
    client.force_login(desk)

    # desk has a confirmed device only: no pending key to show, and never
    # another person's.
    assert client.get(reverse("core:two-factor-qr-code")).status_code == 404
    anonymous = Client().get(reverse("core:two-factor-qr-code"))
    assert anonymous.status_code == 302
