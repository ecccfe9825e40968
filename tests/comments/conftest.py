import pytest
from django.urls import reverse

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
