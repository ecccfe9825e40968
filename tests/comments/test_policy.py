"""The moderation policy read from the shared cache: a change saved through the
admin (its services) applies to the very next post, and a copy read before the
change is never used after it."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import policy, services
from comments.models import Comment, ModerationSettings, ModerationWord
from tests.factories import ModerationWordFactory

pytestmark = pytest.mark.django_db


def statuses():
    return list(Comment.objects.order_by("pk").values_list("status", flat=True))


def test_a_post_reads_the_policy_without_a_query_once_it_is_cached(
    article, trusting, post_comment
):
    post_comment(email="first@example.org", ip="198.51.100.1")

    with CaptureQueriesContext(connection) as second:
        post_comment(email="second@example.org", ip="198.51.100.2")

    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "comments_moderationsettings" not in tables
    assert "comments_moderationword" not in tables
    assert statuses() == ["approved", "approved"]


@pytest.fixture
def in_the_admin(client, moderator, django_capture_on_commit_callbacks):
    """A moderator's form post, committed (its on-commit work run); the
    reader's posts that follow are anonymous again."""

    def post(url, data):
        client.force_login(moderator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data)
        client.logout()
        return response

    return post


def test_settings_saved_in_the_admin_apply_to_the_next_post(
    client, moderator, trusting, post_comment, in_the_admin
):
    post_comment(email="first@example.org", ip="198.51.100.1")
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    client.force_login(moderator)
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["premoderate_all"] = True
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}

    assert in_the_admin(url, data).status_code == 302
    post_comment(email="second@example.org", ip="198.51.100.2")

    assert statuses() == ["approved", "pending"]


def test_a_word_added_and_removed_in_the_admin_applies_to_the_next_post(
    trusting, post_comment, in_the_admin
):
    post_comment(email="first@example.org", ip="198.51.100.1", body="A casino.")
    in_the_admin(
        reverse("admin:comments_moderationword_add"),
        {"word": "casino", "kind": "disallowed", "note": ""},
    )
    post_comment(email="second@example.org", ip="198.51.100.2", body="A casino!")
    word = ModerationWord.objects.get()
    in_the_admin(
        reverse("admin:comments_moderationword_delete", args=[word.pk]),
        {"post": "yes"},
    )
    post_comment(email="third@example.org", ip="198.51.100.3", body="A casino?")

    assert statuses() == ["approved", "spam", "approved"]


def test_words_removed_in_bulk_are_forgotten(
    article, trusting, post_comment, django_capture_on_commit_callbacks
):
    ModerationWordFactory(kind="suspect", word="idiot")
    ModerationWordFactory(kind="suspect", word="fool")
    post_comment(email="first@example.org", ip="198.51.100.1", body="An idiot.")

    with django_capture_on_commit_callbacks(execute=True):
        removed = services.moderation_word_delete(words=ModerationWord.objects.all())
    post_comment(email="second@example.org", ip="198.51.100.2", body="A fool.")

    assert removed == 2
    assert statuses() == ["pending", "approved"]


def test_a_change_rolled_back_leaves_the_cached_policy_as_it_was(
    article, trusting, post_comment, django_capture_on_commit_callbacks
):
    post_comment(email="first@example.org", ip="198.51.100.1")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        config = ModerationSettings.load()
        config.premoderate_all = True
        services.moderation_settings_save(config=config)
        raise RuntimeError("the admin's request failed")
    post_comment(email="second@example.org", ip="198.51.100.2")

    assert callbacks == []
    assert statuses() == ["approved", "approved"]


def test_a_copy_read_just_before_a_change_is_not_used_after_it(
    trusting, monkeypatch, django_capture_on_commit_callbacks
):
    """A post that read the rows while a moderator's change committed stores
    the old rows under the old version; the next post reads them again."""
    load = ModerationSettings.load

    def load_then_change(cls):
        old = load()
        changed = load()
        changed.premoderate_all = True
        with django_capture_on_commit_callbacks(execute=True):
            services.moderation_settings_save(config=changed)
        return old

    monkeypatch.setattr(ModerationSettings, "load", classmethod(load_then_change))
    assert policy.current().premoderate_all is False
    monkeypatch.setattr(ModerationSettings, "load", classmethod(lambda cls: load()))

    assert policy.current().premoderate_all is True


def test_a_lost_version_never_matches_an_old_copy(
    trusting, django_capture_on_commit_callbacks
):
    assert policy.current().premoderate_all is False
    cache.delete(policy.VERSION_KEY)  # evicted, or the cache restarted
    ModerationSettings.objects.update(premoderate_all=True)

    assert policy.current().premoderate_all is True
