"""SSRF: a webhook never goes to a private, loopback, link-local or reserved
address unless ``WEBHOOKS_ALLOW_PRIVATE`` says so, checked when saved and
again at every attempt."""

import pytest
from django.core.exceptions import ValidationError

from api.webhooks import sending, services
from api.webhooks.addresses import RefusedTarget, target_check
from api.webhooks.models import WebhookSubscription


@pytest.fixture(autouse=True)
def private_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://localhost:8000/hook",  # a name that resolves to loopback
        "file:///etc/passwd",
        "gopher://example.org/",
    ],
)
def test_a_private_or_odd_target_is_refused(url):
    with pytest.raises(RefusedTarget):
        target_check(url)


def test_a_public_address_is_accepted_and_is_the_one_to_connect_to():
    assert target_check("https://93.184.215.14/hook") == ["93.184.215.14"]


def test_the_setting_lets_a_loopback_receiver_in(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    target_check("http://127.0.0.1:8000/hook")


@pytest.mark.django_db
def test_saving_a_subscription_to_a_private_address_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.webhook_subscription_save(
            subscription=WebhookSubscription(
                name="Inside", url="http://10.0.0.5/hook", events=["article.published"]
            )
        )
    assert "private or reserved" in str(refused.value)
    assert not WebhookSubscription.objects.exists()


def test_an_attempt_checks_the_address_again_and_sends_nothing():
    outcome = sending.post(
        url="http://127.0.0.1:9/hook",
        secret="whsec_" + "A" * 32,
        message_id="msg_1",
        body="{}",
    )
    assert not outcome.ok
    assert outcome.response_code is None
    assert "private or reserved" in outcome.error


def test_the_attempt_connects_to_the_checked_address_not_a_second_lookup(
    monkeypatch,
):
    """DNS rebinding: a name that resolves to a public address when checked
    and to loopback a moment later still gets the checked address."""
    answers = iter(["93.184.215.14", "127.0.0.1"])
    connected = []

    def resolve(host, port, *args, **kwargs):
        return [(2, 1, 6, "", (next(answers), port))]

    def connect(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError("not in a test")

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    monkeypatch.setattr("socket.create_connection", connect)
    outcome = sending.post(
        url="https://partner.example/hook",
        secret="whsec_" + "A" * 32,
        message_id="msg_1",
        body="{}",
    )
    assert connected == [("93.184.215.14", 443)]
    assert "unreachable" in outcome.error


def test_the_deploy_check_warns_when_private_targets_are_allowed(settings):
    from api.webhooks.checks import webhooks_stay_outside

    assert webhooks_stay_outside() == []
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    [warning] = webhooks_stay_outside()
    assert warning.id == "api.W001"
