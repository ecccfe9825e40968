"""Preview links: signed, expiring, revocable, private, and showing one
unpublished piece to whoever holds the link, never another."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.models import Article, PreviewLink, RelatedArticle
from articles.selectors.previews import SALT, preview_token, preview_url
from articles.services import preview_link_create, preview_link_revoke
from tests.factories import (
    ArticleFactory,
    CorrectionFactory,
    PreviewLinkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SITE = "https://news.example.org"
BANNER = "Preview — not published"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_SITE_URL = SITE


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(frozen):
    return ArticleFactory(
        headline="UK Considers Security Treaty with Japan as “Quasi-Ally”",
        status=Article.Status.DRAFT,
        publish_at=None,
        tags=["Japan"],
        body="<p>The embargoed text.</p>",
    )


def path_of(link: PreviewLink) -> str:
    return preview_url(link).removeprefix(SITE)


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def create_url(article) -> str:
    return reverse("admin:articles_article_preview_create", args=[article.pk])


def revoke_url(link) -> str:
    return reverse(
        "admin:articles_article_preview_revoke", args=[link.article_id, link.pk]
    )


# Making and listing links in the admin.


def test_editor_makes_a_link_listed_with_its_absolute_address(client, editor, draft):
    client.force_login(editor)

    response = client.post(create_url(draft))

    assert response.status_code == 302
    assert response["Location"] == change_url(draft) + "#preview-links"
    link = PreviewLink.objects.get(article=draft)
    assert link.created_by == editor
    assert link.expires_at == NOW + timedelta(hours=48)
    page = client.get(change_url(draft)).content.decode()
    assert f'value="{preview_url(link)}"' in page
    assert preview_url(link).startswith(f"{SITE}/preview/")
    assert revoke_url(link) in page
    assert "Make a preview link" in page
    entry = LogEntry.objects.get(object_id=str(draft.pk))
    assert entry.user == editor
    assert "preview link" in entry.get_change_message()


def test_the_lifetime_is_a_setting(settings, editor, draft):
    settings.NEWSROOM_PREVIEW_HOURS = 2

    link = preview_link_create(article=draft, user=editor)

    assert link.expires_at == NOW + timedelta(hours=2)


def test_a_published_piece_gets_no_link(client, editor, frozen):
    article = ArticleFactory()
    client.force_login(editor)

    response = client.post(create_url(article), follow=True)

    assert not PreviewLink.objects.exists()
    assert "Only an unpublished piece" in response.content.decode()
    assert "Make a preview link" not in response.content.decode()
    with pytest.raises(ValidationError):
        preview_link_create(article=article, user=editor)
    withdrawn = ArticleFactory(status=Article.Status.WITHDRAWN)
    with pytest.raises(ValidationError):
        preview_link_create(article=withdrawn, user=editor)


def test_a_scheduled_piece_can_be_previewed_until_its_time(client, editor, frozen):
    scheduled = ArticleFactory(publish_at=NOW + timedelta(hours=3))
    link = preview_link_create(article=scheduled, user=editor)

    response = client.get(path_of(link))
    assert response.status_code == 200
    assert "Scheduled for" in response.content.decode()

    frozen.move_to(NOW + timedelta(hours=3))
    response = client.get(path_of(link))
    assert response.status_code == 302
    assert response["Location"] == scheduled.get_absolute_url()


def test_writers_may_share_their_drafts_moderators_may_not(
    client, writer, moderator, draft
):
    draft.created_by = writer
    draft.save()
    link = preview_link_create(article=draft, user=writer)
    assert link.created_by == writer

    with pytest.raises(PermissionDenied):
        preview_link_create(article=draft, user=moderator)
    with pytest.raises(PermissionDenied):
        preview_link_revoke(link=link, user=moderator)
    client.force_login(moderator)
    assert client.post(create_url(draft)).status_code == 403
    assert client.post(revoke_url(link)).status_code == 403
    assert PreviewLink.objects.get().revoked_at is None
    assert PreviewLink.objects.count() == 1


def test_a_writer_may_not_share_a_colleagues_draft(client, writer, editor, draft):
    draft.created_by = UserFactory(username="colleague")
    draft.save()
    link = preview_link_create(article=draft, user=editor)
    client.force_login(writer)

    with pytest.raises(PermissionDenied) as refused:
        preview_link_create(article=draft, user=writer)
    page = client.get(change_url(draft)).content.decode()
    response = client.post(create_url(draft))

    assert str(refused.value) == "You may not share previews of this article."
    assert response.status_code == 403
    assert PreviewLink.objects.get() == link
    # The writer reads the draft, but is not given the editor's link to pass on.
    assert preview_token(link) not in page
    assert "Make a preview link" not in page


def test_readers_cannot_reach_the_admin_views(client, draft):
    link = PreviewLinkFactory(article=draft)

    response = client.post(create_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(revoke_url(link)).status_code == 302
    assert PreviewLink.objects.count() == 1
    assert PreviewLink.objects.get().revoked_at is None


def test_making_a_link_needs_a_post(client, editor, draft):
    client.force_login(editor)

    assert client.get(create_url(draft)).status_code == 405
    assert not PreviewLink.objects.exists()


# What a holder of the link sees.


def test_works_logged_out_with_banner_noindex_and_no_caching(client, draft):
    link = PreviewLinkFactory(article=draft)

    response = client.get(path_of(link))

    assert response.status_code == 200
    html = response.content.decode()
    assert draft.headline in html
    assert "The embargoed text." in html
    assert BANNER in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "noindex" in response["X-Robots-Tag"]
    cache_control = response["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control
    assert "public" not in cache_control
    assert response["Referrer-Policy"] == "no-referrer"
    # Not a page of the site yet: no canonical address, card or JSON-LD.
    assert 'rel="canonical"' not in html
    assert "og:url" not in html
    assert "application/ld+json" not in html


def test_no_one_may_comment_under_a_preview(client, draft):
    link = PreviewLinkFactory(article=draft)

    html = client.get(path_of(link)).content.decode()

    assert "Comments open when the piece is published." in html
    assert 'id="comments-title"' not in html
    assert "Leave a Comment" not in html


def test_other_drafts_are_never_shown(client, draft, frozen):
    other_draft = ArticleFactory(
        headline="Another embargoed piece",
        status=Article.Status.DRAFT,
        publish_at=None,
        tags=["Japan"],
    )
    scheduled = ArticleFactory(
        headline="A piece scheduled for tomorrow",
        publish_at=NOW + timedelta(days=1),
        tags=["Japan"],
    )
    published = ArticleFactory(headline="A piece readers can see", tags=["Japan"])
    for position, pick in enumerate([other_draft, scheduled, published]):
        RelatedArticle.objects.create(
            from_article=draft, to_article=pick, position=position
        )
    link = PreviewLinkFactory(article=draft)

    html = client.get(path_of(link)).content.decode()

    assert published.headline in html
    assert other_draft.headline not in html
    assert scheduled.headline not in html


def test_a_preview_shows_the_pieces_public_corrections(client, draft, frozen):
    # Out once, then pulled back to a draft.
    Article.objects.filter(pk=draft.pk).update(first_published_at=NOW - timedelta(2))
    kept = CorrectionFactory(article=draft, text="The summit is on Tuesday.")
    CorrectionFactory(
        article=draft,
        text="A removed correction.",
        removed_at=NOW,
        removal_reason="Duplicate",
    )
    link = PreviewLinkFactory(article=draft)

    html = client.get(path_of(link)).content.decode()

    assert kept.text in html
    assert "A removed correction." not in html


def test_the_preview_costs_a_fixed_number_of_queries(
    client, draft, django_assert_max_num_queries
):
    link = PreviewLinkFactory(article=draft)

    with django_assert_max_num_queries(14):
        assert client.get(path_of(link)).status_code == 200


# Links that no longer work.


def test_an_expired_link_answers_410(client, draft, frozen):
    link = PreviewLinkFactory(article=draft, expires_at=NOW + timedelta(hours=48))

    frozen.move_to(NOW + timedelta(hours=47, minutes=59))
    assert client.get(path_of(link)).status_code == 200

    frozen.move_to(NOW + timedelta(hours=48))
    response = client.get(path_of(link))

    assert response.status_code == 410
    html = response.content.decode()
    assert "This preview link has expired" in html
    assert draft.headline not in html
    assert "The embargoed text." not in html
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]


def test_a_revoked_link_answers_410(client, editor, draft):
    link = PreviewLinkFactory(article=draft)
    assert client.get(path_of(link)).status_code == 200
    client.force_login(editor)

    response = client.post(revoke_url(link))

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at == NOW
    client.logout()
    response = client.get(path_of(link))
    assert response.status_code == 410
    assert "This preview link was revoked" in response.content.decode()
    assert draft.headline not in response.content.decode()
    assert LogEntry.objects.filter(
        object_id=str(draft.pk), change_message="Revoked a preview link."
    ).exists()


def test_the_change_form_lists_a_revoked_link_without_its_address(
    client, editor, draft
):
    link = PreviewLinkFactory(article=draft)
    preview_link_revoke(link=link, user=editor)
    preview_link_revoke(link=link, user=editor)  # twice changes nothing more
    client.force_login(editor)

    html = client.get(change_url(draft)).content.decode()

    assert "Revoked" in html
    assert preview_url(link) not in html
    assert revoke_url(link) not in html
    assert (
        LogEntry.objects.filter(change_message="Revoked a preview link.").count() == 1
    )


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
            id="signature",
        ),
        pytest.param(lambda token: "x" + token, id="payload"),
        pytest.param(lambda token: uuid.uuid4().hex + token[32:], id="another-id"),
        pytest.param(lambda token: token.split(":")[0], id="unsigned"),
        pytest.param(lambda token: "not-a-token", id="made-up"),
    ],
)
def test_a_tampered_link_answers_404(client, draft, tamper):
    link = PreviewLinkFactory(article=draft)
    path = reverse("articles:preview", kwargs={"token": tamper(preview_token(link))})

    response = client.get(path)

    assert response.status_code == 404
    assert "This preview link is not valid" in response.content.decode()
    assert draft.headline not in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]


def test_a_token_signed_for_something_else_answers_404(client, draft):
    link = PreviewLinkFactory(article=draft)
    for token in [
        signing.Signer().sign(link.pk.hex),  # the default salt
        signing.Signer(salt=SALT + "x").sign(link.pk.hex),
        signing.dumps(link.pk.hex, salt=SALT),  # another format
        signing.Signer(salt=SALT).sign("not-a-uuid"),
        signing.Signer(salt=SALT).sign(uuid.uuid4().hex),  # no such link
    ]:
        path = reverse("articles:preview", kwargs={"token": token})
        assert client.get(path).status_code == 404, token


def test_a_link_to_a_piece_now_published_redirects_to_it(client, draft, frozen):
    link = PreviewLinkFactory(article=draft)
    Article.objects.filter(pk=draft.pk).update(
        status=Article.Status.PUBLISHED, publish_at=NOW
    )
    draft.refresh_from_db()

    response = client.get(path_of(link))

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_a_link_to_a_withdrawn_piece_answers_410(client, frozen):
    withdrawn = ArticleFactory(status=Article.Status.WITHDRAWN)
    link = PreviewLinkFactory(article=withdrawn)

    response = client.get(path_of(link))

    assert response.status_code == 410
    assert withdrawn.headline not in response.content.decode()


def test_the_preview_page_only_answers_get(client, draft):
    link = PreviewLinkFactory(article=draft)

    assert client.post(path_of(link)).status_code == 405


def test_other_users_links_are_not_listed_on_other_articles(client, editor, draft):
    other = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    other_link = PreviewLinkFactory(article=other)
    client.force_login(editor)

    html = client.get(change_url(draft)).content.decode()

    assert preview_url(other_link) not in html
    # A link belongs to its article: revoking it through another is refused.
    wrong = reverse(
        "admin:articles_article_preview_revoke", args=[draft.pk, other_link.pk]
    )
    assert client.post(wrong).status_code == 404
