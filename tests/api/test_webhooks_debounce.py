"""article.updated waits for its window (WEBHOOKS_UPDATE_WINDOW): the edits
of a published piece within it make one delivery, with the piece as it is
when the window closes. The window is a row and a queued job in the
database; published, corrected and withdrawn never wait. Time is moved by
time-machine; the jobs run through the real worker, to a loopback receiver."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook

from api.webhooks.models import WebhookDelivery, WebhookHeldEvent
from articles.models import Article
from articles.services import corrections, transitions
from articles.services.articles import article_update
from tests.api import test_webhooks_delivery as delivery
from tests.core.test_jobs import run_worker
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The delivery tests' database queue (autouse) and loopback receiver.
queue, receiver = delivery.queue, delivery.receiver
subscribe, work_until_done = delivery.subscribe, delivery.work_until_done

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def window(settings):
    settings.WEBHOOKS_UPDATE_WINDOW = 60


def edit(piece, user, headline):
    piece.refresh_from_db()
    return article_update(
        article=piece,
        user=user,
        expected_version=piece.version,
        fields={"headline": headline},
    )


def sent(handler):
    return [json.loads(body) for _, _, body, _ in handler.calls]


def test_three_edits_in_the_window_make_one_delivery_with_the_last_headline(
    receiver, editor
):
    url, handler = receiver
    with time_machine.travel(START, tick=False) as clock:
        subscription = subscribe(url, events=["article.updated"])
        piece = ArticleFactory(headline="First words")
        for seconds, headline in ((0, "Second"), (20, "Third"), (50, "Fourth")):
            clock.move_to(START + timedelta(seconds=seconds))
            edit(piece, editor, headline)
        run_worker()
        assert handler.calls == []  # the window is still open
        held = WebhookHeldEvent.objects.get()
        assert (held.object_id, held.changes) == (piece.pk, 3)
        assert held.due_at == START + timedelta(seconds=60)

        clock.move_to(START + timedelta(seconds=61))
        work_until_done()

        ((_, headers, body, _),) = handler.calls
        payload = Webhook(subscription.secret).verify(body, headers)
        assert payload["type"] == "article.updated"
        assert payload["data"]["headline"] == "Fourth"
        # Stamped with the last edit the delivery stands for.
        assert payload["timestamp"].startswith("2026-11-25T09:00:50")
        assert not WebhookHeldEvent.objects.exists()

        # The next edit opens a new window.
        clock.move_to(START + timedelta(seconds=90))
        edit(piece, editor, "Fifth")
        run_worker()
        assert len(handler.calls) == 1
        clock.move_to(START + timedelta(seconds=151))
        work_until_done()
    assert [each["data"]["headline"] for each in sent(handler)] == ["Fourth", "Fifth"]
    assert WebhookDelivery.objects.count() == 2


def test_a_correction_and_a_withdrawal_go_at_once_while_updates_wait(receiver, editor):
    url, handler = receiver
    events = ["article.updated", "article.corrected", "article.withdrawn"]
    with time_machine.travel(START, tick=False) as clock:
        subscribe(url, events=events)
        piece = ArticleFactory()
        edit(piece, editor, "Edited once")
        corrections.correction_add(
            article=piece, kind="correction", text="Tuesday.", user=editor
        )
        work_until_done()
        assert [each["type"] for each in sent(handler)] == ["article.corrected"]

        transitions.article_withdraw(article=piece, user=editor, note="Legal")
        work_until_done()
        clock.move_to(START + timedelta(seconds=61))
        run_worker()
    # The update waited, and when its window closed the piece was gone:
    # nothing public to say, so nothing was sent.
    assert [each["type"] for each in sent(handler)] == [
        "article.corrected",
        "article.withdrawn",
    ]
    assert not WebhookHeldEvent.objects.exists()


def test_a_window_of_zero_sends_every_edit(receiver, editor, settings):
    settings.WEBHOOKS_UPDATE_WINDOW = 0
    url, handler = receiver
    subscribe(url, events=["article.updated"])
    piece = ArticleFactory()
    edit(piece, editor, "One")
    edit(piece, editor, "Two")
    work_until_done()
    assert sorted(each["data"]["headline"] for each in sent(handler)) == [
        "Two",
        "Two",
    ]
    assert not WebhookHeldEvent.objects.exists()


def test_a_window_whose_job_was_lost_is_opened_again_by_the_next_edit(receiver, editor):
    url, handler = receiver
    with time_machine.travel(START, tick=False) as clock:
        subscribe(url, events=["article.updated"])
        piece = ArticleFactory(status=Article.Status.PUBLISHED)
        edit(piece, editor, "Lost")
        DBTaskResult.objects.all().delete()  # the queue dropped its job

        clock.move_to(START + timedelta(seconds=150))
        edit(piece, editor, "Found")
        held = WebhookHeldEvent.objects.get()
        assert held.due_at == START + timedelta(seconds=210)
        clock.move_to(START + timedelta(seconds=211))
        work_until_done()
    assert [each["data"]["headline"] for each in sent(handler)] == ["Found"]
