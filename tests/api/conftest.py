"""A small newsroom for the API tests: the reference report with every part,
another piece, and the unpublished ones that must never show."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    CorrectionFactory,
    KeyTakeawayFactory,
    SectionFactory,
    UserFactory,
)


@pytest.fixture
def newsroom(db):
    defence = SectionFactory(name="Defence", slug="defence")
    business = SectionFactory(name="Business", slug="business")
    user = UserFactory(username="dperez-login", email="dperez@newsroom.example")
    perez = AuthorFactory(
        name="Daniel Perez", slug="daniel-perez", job_title="News Editor", user=user
    )
    report = ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”",
        slug="uk-japan-treaty",
        dek="Japan and the United Kingdom deepen security ties",
        body="<h2>What is the objective?</h2><p>Closer ties.</p>",
        section=defence,
        authors=[perez],
        tags=["Japan", "United Kingdom"],
        video_url="https://www.youtube.com/watch?v=abcdefghijk",
        video_title="The treaty explained – 日米安全保障条約を読み解く",
        lead_image_alt="Two flags",
        lead_image_caption="Flags in London",
        lead_image_credit="Agency",
    )
    KeyTakeawayFactory(article=report, label="Strategy", text="Ties deepen.")
    CorrectionFactory(article=report, text="The talks were on Tuesday.")
    CommentFactory(
        article=report,
        author_name="Reader One",
        author_email="one@reader.example",
        ip_address="203.0.113.9",
        body="Approved words.",
    )
    CommentFactory(
        article=report,
        author_name="Held Reader",
        author_email="held@reader.example",
        body="HELD-COMMENT-MARKER",
        status=Comment.Status.PENDING,
    )
    other = ArticleFactory(
        section=business,
        tags=["Energy"],
        publish_at=timezone.now() - timedelta(hours=2),
    )
    draft = ArticleFactory(
        headline="DRAFT-MARKER",
        slug="draft-piece",
        section=defence,
        status=Article.Status.DRAFT,
        publish_at=None,
        tags=["Secret-Draft-Tag"],
    )
    scheduled = ArticleFactory(
        headline="SCHEDULED-MARKER",
        slug="scheduled-piece",
        section=defence,
        publish_at=timezone.now() + timedelta(days=1),
    )
    withdrawn = ArticleFactory(
        headline="WITHDRAWN-MARKER",
        slug="withdrawn-piece",
        section=defence,
        status=Article.Status.WITHDRAWN,
        first_published_at=timezone.now() - timedelta(days=2),
    )
    return {
        "report": report,
        "other": other,
        "draft": draft,
        "scheduled": scheduled,
        "withdrawn": withdrawn,
        "perez": perez,
        "defence": defence,
        "business": business,
    }


@pytest.fixture
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


@pytest.fixture
def trusting(db):
    """Moderation settings under which a clean comment is approved as it is
    posted (and no moderator is mailed)."""
    from comments.models import ModerationSettings

    config = ModerationSettings.load()
    config.trusted_after_approved = 0
    config.notify_moderators = False
    config.save()
    return config


def reader_posts(article, n: int = 1):
    """Reader number ``n`` posts a clean comment through the service, from an
    address and an email of their own (no rate limit or duplicate applies)."""
    from comments.services.posting import comment_create

    return comment_create(
        article=article,
        name=f"Reader {n}",
        email=f"reader{n}@reader.example",
        body=f"A clean thought, number {n}.",
        ip=f"198.51.100.{n}",
    ).comment


@pytest.fixture(autouse=True)
def _no_leases():
    """Each test starts with no rate-limit lease in this process, as the cache
    it was counted in starts empty (tests/conftest.py)."""
    from api import throttle

    throttle.forget_leases()
    yield
    throttle.forget_leases()
