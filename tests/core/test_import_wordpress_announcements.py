"""An import is not news: it announces no piece to outside listeners (the
webhooks), neither on its first run nor when an edited export updates a
published piece; an editor's own publication afterwards is announced."""

import pytest

from articles import signals
from articles.models import Article
from articles.services import transitions
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SIGNALS = (
    signals.article_published,
    signals.article_updated,
    signals.article_corrected,
    signals.article_withdrawn,
)


@pytest.fixture
def heard():
    sent = []

    def receiver(sender, *, signal, article_id, **kwargs):
        sent.append((signal, article_id))

    for signal in SIGNALS:
        signal.connect(receiver, weak=False, dispatch_uid="test-import-heard")
    try:
        yield sent
    finally:
        for signal in SIGNALS:
            signal.disconnect(dispatch_uid="test-import-heard")


def test_an_import_and_its_update_announce_no_piece(
    run_import, wxr_copy, heard, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import("basic.xml")
    published = Article.objects.published().filter(slug="ferry-returns")
    assert published.exists()
    edited = wxr_copy(
        "basic.xml", ("The ferry is back.", "The ferry is back, on time.")
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(edited)
    assert report.counts["post"]["updated"] == 1
    assert heard == []

    piece = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.article_publish(article=piece, user=editor)
    assert heard == [(signals.article_published, piece.pk)]
