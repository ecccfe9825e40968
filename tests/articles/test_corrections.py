"""Corrections: public and dated on the article, on /corrections/ and in a
feed; part of dateModified; added and removed only by editors, never deleted,
and never removed without a reason that the log keeps."""

import json
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from articles import metadata
from articles.admin.corrections import CorrectionInline
from articles.models import Article, Correction
from articles.services import correction_add, correction_remove
from tests.factories import ArticleFactory, CorrectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SITE = "https://news.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
HEADLINE = "UK Considers Security Treaty with Japan as “Quasi-Ally”"
TEXT = "An earlier version said the talks were in Tokyo. They were in London."


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_SITE_URL = SITE
    settings.NEWSROOM_SITE_NAME = "The Daily Test"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def article(frozen):
    return ArticleFactory(headline=HEADLINE, publish_at=NOW - timedelta(days=2))


@pytest.fixture
def corrected(article):
    """The article with a correction, a later clarification and a removed one."""
    first = CorrectionFactory(
        article=article, text=TEXT, published_at=NOW - timedelta(days=1)
    )
    second = CorrectionFactory(
        article=article,
        kind=Correction.Kind.CLARIFICATION,
        text="The treaty is not a formal alliance.",
        published_at=NOW - timedelta(hours=2),
    )
    CorrectionFactory(
        article=article,
        text="Removed: not a correction after all.",
        published_at=NOW - timedelta(hours=1),
        removed_at=NOW,
        removal_reason="Posted on the wrong article.",
    )
    return article, [second, first]


def canonical(article) -> str:
    return SITE + article.get_absolute_url()


def jsonld_article(html: str) -> dict:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL
    )
    return next(
        data for data in map(json.loads, blocks) if data.get("@type") == "NewsArticle"
    )


# Readers: the article page.


def test_the_include_shows_each_correction_dated(corrected):
    _article, corrections = corrected

    html = render_to_string(
        "articles/includes/corrections.html", {"corrections": corrections}
    )

    assert 'id="corrections"' in html
    clarification, correction = corrections
    assert html.index(clarification.text) < html.index(TEXT)
    assert (
        f'<li id="correction-{correction.pk}"><strong>Correction</strong>, '
        '<time datetime="2026-11-24T09:30:00+00:00">24 November 2026, 09:30 GMT'
        f"</time>: {TEXT}</li>"
    ) in html
    assert "<strong>Clarification</strong>" in html
    assert (
        render_to_string(
            "articles/includes/corrections.html", {"corrections": []}
        ).strip()
        == ""
    )


def test_the_text_is_escaped(article):
    correction = CorrectionFactory(article=article, text="<b>Bold</b>\nsecond line")

    html = render_to_string(
        "articles/includes/corrections.html", {"corrections": [correction]}
    )

    assert "&lt;b&gt;Bold&lt;/b&gt;<br>second line" in html


def test_the_article_page_shows_public_corrections(client, corrected):
    article, corrections = corrected

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'id="corrections"' in html
    for correction in corrections:
        assert f'id="correction-{correction.pk}"' in html
        assert correction.text in html
    assert "Removed: not a correction after all." not in html


def test_date_modified_is_the_newest_public_correction(client, corrected):
    article, _corrections = corrected

    data = jsonld_article(client.get(article.get_absolute_url()).content.decode())

    assert data["datePublished"] == "2026-11-23T09:30:00+00:00"
    # The clarification two hours ago; the removed one an hour ago does not count.
    assert data["dateModified"] == "2026-11-25T07:30:00+00:00"


def test_date_modified_rule(article):
    assert metadata.date_modified(article) == article.publish_at
    article.updated_at = NOW - timedelta(hours=5)
    assert metadata.date_modified(article) == NOW - timedelta(hours=5)
    later = CorrectionFactory.build(article=article, published_at=NOW)
    removed = CorrectionFactory.build(
        article=article, published_at=NOW + timedelta(hours=1), removed_at=NOW
    )
    assert metadata.date_modified(article, [later, removed]) == NOW
    assert metadata.date_modified(article, corrected_at=NOW) == NOW
    jsonld = metadata.article_jsonld(article, corrections=[later])
    assert jsonld["dateModified"] == "2026-11-25T09:30:00+00:00"
    assert metadata.article_jsonld(article)["dateModified"] == (
        "2026-11-25T04:30:00+00:00"
    )


# Readers: /corrections/.


def test_the_corrections_page_lists_public_corrections_of_published_pieces(
    client, corrected, frozen
):
    article, (clarification, correction) = corrected
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    scheduled = ArticleFactory(publish_at=NOW + timedelta(days=1))
    withdrawn = ArticleFactory(status=Article.Status.WITHDRAWN)
    for hidden in (draft, scheduled, withdrawn):
        CorrectionFactory(article=hidden, text=f"Hidden: {hidden.headline}")

    response = client.get(reverse("articles:corrections"))

    assert response.status_code == 200
    assert list(response.context["corrections"]) == [clarification, correction]
    html = response.content.decode()
    assert html.count(f'href="{article.get_absolute_url()}#corrections"') == 2
    assert "Hidden:" not in html
    assert "Removed: not a correction" not in html
    assert '<time datetime="2026-11-24T09:30:00+00:00">' in html
    assert reverse("articles:corrections-feed-atom") in html


def test_the_corrections_page_is_paginated_and_bounded(client, article):
    for hours in range(25):
        CorrectionFactory(article=article, published_at=NOW - timedelta(hours=hours))
    url = reverse("articles:corrections")

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(first.context["corrections"]) == 20
    assert len(second.context["corrections"]) == 5
    assert first.context["corrections"][0].published_at == NOW
    assert client.get(url, {"page": 3}).status_code == 404
    assert client.get(url, {"page": 101}).status_code == 404


@pytest.mark.parametrize("count", [3, 40])
def test_the_corrections_page_costs_constant_queries(
    client, frozen, count, django_assert_num_queries
):
    for number in range(count):
        CorrectionFactory(published_at=NOW - timedelta(minutes=number))

    # Count, page, and the menu's sections.
    with django_assert_num_queries(3):
        assert client.get(reverse("articles:corrections")).status_code == 200


def test_an_empty_corrections_page_says_so(client):
    response = client.get(reverse("articles:corrections"))

    assert response.status_code == 200
    assert "No corrections so far." in response.content.decode()


# Readers: the corrections feed.


def test_the_rss_feed_lists_exact_items(client, corrected):
    article, (clarification, correction) = corrected

    response = client.get(reverse("articles:corrections-feed-rss"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    root = ElementTree.fromstring(response.content)
    assert root.findtext("./channel/title") == "Corrections – The Daily Test"
    assert root.findtext("./channel/link") == f"{SITE}/corrections/"
    items = [
        {
            "title": item.findtext("title"),
            "link": item.findtext("link"),
            "guid": item.findtext("guid"),
            "description": item.findtext("description"),
        }
        for item in root.findall("./channel/item")
    ]
    assert items == [
        {
            "title": f"Clarification to: {HEADLINE}",
            "link": canonical(article) + "#corrections",
            "guid": canonical(article) + f"#correction-{clarification.pk}",
            "description": "<p>The treaty is not a formal alliance.</p>",
        },
        {
            "title": f"Correction to: {HEADLINE}",
            "link": canonical(article) + "#corrections",
            "guid": canonical(article) + f"#correction-{correction.pk}",
            "description": f"<p>{TEXT}</p>",
        },
    ]


def test_the_atom_feed_lists_exact_entries(client, corrected):
    article, (clarification, correction) = corrected

    response = client.get(reverse("articles:corrections-feed-atom"))

    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}updated") == "2026-11-25T07:30:00+00:00"
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        f"Clarification to: {HEADLINE}",
        f"Correction to: {HEADLINE}",
    ]
    assert [entry.findtext(f"{ATOM}id") for entry in entries] == [
        canonical(article) + f"#correction-{clarification.pk}",
        canonical(article) + f"#correction-{correction.pk}",
    ]
    assert {
        entry.find(f"{ATOM}link[@rel='alternate']").get("href") for entry in entries
    } == {canonical(article) + "#corrections"}


def test_the_feed_leaves_out_unpublished_pieces(client, frozen):
    CorrectionFactory(
        article=ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    )
    CorrectionFactory(article=ArticleFactory(publish_at=NOW + timedelta(hours=1)))

    root = ElementTree.fromstring(
        client.get(reverse("articles:corrections-feed-rss")).content
    )

    assert root.findall("./channel/item") == []


@pytest.mark.parametrize("count", [2, 40])
def test_the_feed_costs_one_query(client, frozen, count, django_assert_num_queries):
    for number in range(count):
        CorrectionFactory(published_at=NOW - timedelta(minutes=number))

    with django_assert_num_queries(1):
        client.get(reverse("articles:corrections-feed-atom"))


def test_a_correction_moves_the_article_feeds_updated(client, corrected):

    root = ElementTree.fromstring(client.get(reverse("articles:feed-atom")).content)

    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}updated") == "2026-11-25T07:30:00+00:00"
    assert root.findtext(f"{ATOM}updated") == "2026-11-25T07:30:00+00:00"


# Editors: adding.


def test_editors_add_corrections(editor, article):
    correction = correction_add(
        article=article, kind="correction", text=f"  {TEXT}  ", user=editor
    )

    assert correction.text == TEXT
    assert correction.editor == editor
    assert correction.published_at == NOW


def test_writers_and_moderators_may_not_add_or_remove(writer, moderator, article):
    correction = CorrectionFactory(article=article)
    for user in (writer, moderator):
        with pytest.raises(PermissionDenied):
            correction_add(article=article, kind="correction", text=TEXT, user=user)
        with pytest.raises(PermissionDenied):
            correction_remove(correction=correction, user=user, reason="Because.")
    assert Correction.objects.count() == 1
    assert Correction.objects.public().count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "   "}, "Say what was wrong and what is right."),
        ({"kind": "retraction"}, "Choose correction, clarification or update."),
        (
            {"published_at": NOW + timedelta(minutes=1)},
            "A correction cannot be dated in the future.",
        ),
    ],
)
def test_a_bad_correction_is_refused(editor, article, change, message):
    values = {"kind": "correction", "text": TEXT} | change

    with pytest.raises(ValidationError) as refused:
        correction_add(article=article, user=editor, **values)

    assert refused.value.messages == [message]
    assert not Correction.objects.exists()


def test_a_piece_never_published_cannot_be_corrected(editor, frozen):
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    scheduled = ArticleFactory(publish_at=NOW + timedelta(hours=1))

    for piece in (draft, scheduled):
        with pytest.raises(ValidationError, match="change the draft instead"):
            correction_add(article=piece, kind="update", text=TEXT, user=editor)
    assert not Correction.objects.exists()


def post_add_page(client, article, *, kind: str, day: str):
    return client.post(
        reverse("admin:articles_correction_add"),
        {
            "article": article.pk,
            "kind": kind,
            "text": TEXT,
            "published_at_0": day,
            "published_at_1": "09:00:00",
        },
    )


def test_the_admin_add_page_goes_through_the_service(client, editor, article):
    client.force_login(editor)

    response = post_add_page(client, article, kind="update", day="2026-11-25")

    assert response.status_code == 302
    correction = Correction.objects.get()
    assert (correction.article, correction.kind, correction.editor) == (
        article,
        "update",
        editor,
    )
    assert correction.published_at == NOW - timedelta(minutes=30)


def test_the_admin_add_page_shows_the_error_at_the_field(client, editor, article):
    client.force_login(editor)

    response = post_add_page(client, article, kind="correction", day="2026-11-26")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "published_at": ["A correction cannot be dated in the future."]
    }
    assert not Correction.objects.exists()


def test_the_inline_adds_through_the_service(editor, article):
    request = RequestFactory().post("/")
    request.user = editor
    inline = CorrectionInline(Article, admin.site)
    existing = CorrectionFactory(article=article, published_at=NOW - timedelta(1))
    formset_class = inline.get_formset(request, article)
    prefix = formset_class.get_default_prefix()
    formset = formset_class(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-0-id": existing.pk,
            f"{prefix}-0-article": article.pk,
            f"{prefix}-0-text": "An attempt to rewrite history.",
            f"{prefix}-1-kind": "clarification",
            f"{prefix}-1-text": TEXT,
            f"{prefix}-1-published_at_0": "2026-11-25",
            f"{prefix}-1-published_at_1": "09:00:00",
        },
        instance=article,
        prefix=prefix,
    )

    assert formset.is_valid(), formset.errors
    formset.save()

    added = Correction.objects.exclude(pk=existing.pk).get()
    assert (added.kind, added.text, added.editor) == ("clarification", TEXT, editor)
    existing.refresh_from_db()
    assert existing.text != "An attempt to rewrite history."


def test_the_inline_is_read_only_to_writers_and_absent_for_moderators(
    writer, moderator, editor, article
):
    inline = CorrectionInline(Article, admin.site)
    request = RequestFactory().get("/")
    request.user = writer
    assert inline.has_view_permission(request, article)
    assert not inline.has_add_permission(request, article)
    assert not inline.has_change_permission(request, article)
    assert not inline.has_delete_permission(request, article)
    request.user = moderator
    assert not inline.has_view_permission(request, article)
    request.user = editor
    assert inline.has_add_permission(request, article)
    assert not inline.has_delete_permission(request, article)
    draft = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    assert not inline.has_add_permission(request, draft)


def test_the_article_change_form_lists_corrections_with_a_remove_link(
    client, editor, corrected
):
    article, (clarification, _correction) = corrected
    client.force_login(editor)

    html = client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()

    assert clarification.text in html
    assert reverse("admin:articles_correction_remove", args=[clarification.pk]) in html
    assert "Posted on the wrong article." in html


# Editors: removing.


def remove_url(correction) -> str:
    return reverse("admin:articles_correction_remove", args=[correction.pk])


def log_entries(correction):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Correction),
        object_id=str(correction.pk),
    )


def test_removal_without_a_reason_shows_the_error_at_the_field(client, editor, article):
    correction = CorrectionFactory(article=article)
    client.force_login(editor)

    assert client.get(remove_url(correction)).status_code == 200
    response = client.post(remove_url(correction), {"reason": "   "})

    assert response.status_code == 200
    html = response.content.decode()
    # Next to the field, and tied to it for screen readers.
    assert (
        '<ul class="errorlist" id="id_reason_error"><li>Say why this correction '
        "is removed; readers relied on it.</li></ul>"
    ) in html
    assert 'aria-describedby="id_reason_helptext id_reason_error"' in html
    correction.refresh_from_db()
    assert correction.removed_at is None
    assert not log_entries(correction).exists()


def test_removal_with_a_reason_keeps_the_row_and_logs_it(client, editor, article):
    correction = CorrectionFactory(article=article)
    client.force_login(editor)

    response = client.post(remove_url(correction), {"reason": " Wrong article. "})

    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.removed_at == NOW
    assert correction.removed_by == editor
    assert correction.removal_reason == "Wrong article."
    (entry,) = log_entries(correction)
    assert entry.user == editor
    assert entry.action_flag == CHANGE
    assert "Wrong article." in entry.get_change_message()
    assert not Correction.objects.public().exists()


def test_a_removed_correction_cannot_be_removed_again(editor, article):
    correction = CorrectionFactory(article=article)
    correction_remove(correction=correction, user=editor, reason="Duplicate.")

    with pytest.raises(ValidationError, match="removed already"):
        correction_remove(correction=correction, user=editor, reason="Again.")

    correction.refresh_from_db()
    assert correction.removal_reason == "Duplicate."
    assert log_entries(correction).count() == 1


def test_the_remove_action_asks_for_a_reason_then_removes_each(client, editor, article):
    corrections = CorrectionFactory.create_batch(2, article=article)
    client.force_login(editor)
    changelist = reverse("admin:articles_correction_changelist")
    selected = {
        "action": "remove_corrections",
        ACTION_CHECKBOX_NAME: [c.pk for c in corrections],
    }

    asked = client.post(changelist, selected)
    refused = client.post(changelist, {**selected, "reason": ""})
    done = client.post(changelist, {**selected, "reason": "Merged into one."})

    assert asked.status_code == 200
    assert "Reason for removal" in asked.content.decode()
    assert asked.context["form"].errors == {}
    assert refused.context["form"].errors == {
        "reason": ["Say why this correction is removed; readers relied on it."]
    }
    assert done.status_code == 302
    assert not Correction.objects.public().exists()
    for correction in corrections:
        assert log_entries(correction).count() == 1


def test_nobody_deletes_a_correction(client, editor, article):
    correction = CorrectionFactory(article=article)
    root = UserFactory(username="root", is_superuser=True)
    delete = reverse("admin:articles_correction_delete", args=[correction.pk])
    changelist = reverse("admin:articles_correction_changelist")

    for user in (editor, root):
        client.force_login(user)
        assert client.post(delete, {"post": "yes"}).status_code == 403
        client.post(
            changelist,
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [correction.pk]},
        )
        actions = client.get(changelist).context["action_form"].fields["action"]
        assert [name for name, _label in actions.choices] == [
            "",
            "remove_corrections",
        ]
    assert Correction.objects.filter(pk=correction.pk).exists()
    # Nor goes with its article.
    with pytest.raises(ProtectedError):
        article.delete()


def test_nobody_edits_a_correction(client, editor, article):
    correction = CorrectionFactory(article=article, text=TEXT)
    client.force_login(editor)
    url = reverse("admin:articles_correction_change", args=[correction.pk])

    page = client.get(url)
    client.post(url, {"article": article.pk, "kind": "update", "text": "Rewritten."})

    assert page.status_code == 200
    assert remove_url(correction) in page.content.decode()
    correction.refresh_from_db()
    assert (correction.kind, correction.text) == ("correction", TEXT)


@pytest.mark.parametrize(
    ("role", "changelist", "add", "remove"),
    [
        ("Editors", 200, 200, 302),
        ("Writers", 200, 403, 403),
        ("Moderators", 403, 403, 403),
    ],
)
def test_admin_pages_per_role(client, article, role, changelist, add, remove):
    correction = CorrectionFactory(article=article)
    client.force_login(UserFactory(username=role.lower(), groups=[role]))

    assert (
        client.get(reverse("admin:articles_correction_changelist")).status_code
        == changelist
    )
    assert client.get(reverse("admin:articles_correction_add")).status_code == add
    assert client.post(remove_url(correction), {"reason": "x"}).status_code == remove
    correction.refresh_from_db()
    assert (correction.removed_at is not None) == (role == "Editors")
