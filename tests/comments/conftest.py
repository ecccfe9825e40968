import pytest
from django.urls import reverse

from comments import services
from comments.models import ModerationSettings
from tests.factories import ArticleFactory


@pytest.fixture
def article(db):
    return ArticleFactory(headline="UK Considers Security Treaty with Japan")


@pytest.fixture
def config(db):
    """The moderation settings row, with the defaults the migration made."""
    return ModerationSettings.load()


@pytest.fixture
def save_policy(django_capture_on_commit_callbacks):
    """Save the settings as the admin does: posts see them from the next one
    (the cached copy is renewed on commit, which tests must run by hand)."""

    def save(config):
        with django_capture_on_commit_callbacks(execute=True):
            services.moderation_settings_save(config=config)
        return config

    return save


@pytest.fixture
def trusting(config):
    """Settings under which a clean comment is approved at once."""
    config.trusted_after_approved = 0
    config.save()
    return config


def comment_data(**overrides):
    data = {
        "name": "Hannah M.",
        "email": "hannah@example.org",
        "body": "Is there any sign of a mutual defence clause?",
        "parent": "",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post_comment(client, article):
    """Post the comment form as a browser would, from a given address."""

    def post(target=None, ip="198.51.100.7", **overrides):
        target = target or article
        return client.post(
            reverse("comments:post", args=[target.pk]),
            comment_data(**overrides),
            REMOTE_ADDR=ip,
        )

    return post
