"""Every admin save is a revision: history, a readable diff, and restore."""

import re

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from tests.articles.test_roles import article_form
from tests.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _bound_values(form, data):
    for bound in form:
        value = bound.value()
        if value is None or bound.field.disabled or isinstance(value, FieldFile):
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [getattr(v, "pk", v) for v in value]
        else:
            data[bound.html_name] = getattr(value, "pk", value)


def form_data(response) -> dict:
    """What a browser would post back: the admin form and its inlines as shown."""
    data: dict = {}
    _bound_values(response.context["adminform"].form, data)
    for inline_formset in response.context["inline_admin_formsets"]:
        formset = inline_formset.formset
        _bound_values(formset.management_form, data)
        for form in formset.forms:
            _bound_values(form, data)
    return data


def inline(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data


@pytest.fixture
def edited(client, editor):
    """An article saved twice in the admin: headline, byline, takeaway, tag changed."""
    client.force_login(editor)
    section = SectionFactory()
    first, second = AuthorFactory(name="Daniel Perez"), AuthorFactory(name="Kenji Sato")
    data = (
        article_form(
            section,
            headline="Treaty talks begin",
            body="<p>Officials met on Monday.</p>",
            new_tags="Japan",
        )
        | inline("bylines", [{"author": first.pk, "position": 0}])
        | inline(
            "takeaways", [{"position": 0, "label": "Start", "text": "Talks began."}]
        )
    )
    assert client.post(reverse("admin:articles_article_add"), data).status_code == 302
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    html = client.get(change).content.decode()
    ids = dict(re.findall(r'name="(bylines-0-id|takeaways-0-id)" value="(\d+)"', html))
    data = (
        article_form(
            section,
            headline="Treaty talks stall",
            body="<p>Officials met on Tuesday.</p>",
            new_tags="Defence",
            loaded_version=article.version,
        )
        | inline(
            "bylines",
            [{"author": second.pk, "position": 0, "id": ids["bylines-0-id"]}],
        )
        | inline(
            "takeaways",
            [
                {
                    "position": 0,
                    "label": "Stall",
                    "text": "Talks stalled.",
                    "id": ids["takeaways-0-id"],
                }
            ],
        )
    )
    data["bylines-INITIAL_FORMS"] = data["takeaways-INITIAL_FORMS"] = "1"
    assert client.post(change, data).status_code == 302
    return Article.objects.get()


def test_each_admin_save_is_a_revision_with_author_and_time(edited, editor):
    versions = Version.objects.get_for_object(edited)

    assert versions.count() == 2
    assert {v.revision.user for v in versions} == {editor}
    assert all(v.revision.date_created for v in versions)


def test_history_page_lists_revisions_with_compare_choices(client, edited):
    html = client.get(reverse("admin:articles_article_history", args=[edited.pk]))

    assert html.status_code == 200
    assert html.content.decode().count('name="from"') == 2
    assert "Compare the chosen revisions" in html.content.decode()


def test_history_page_names_the_zone_of_its_times(client, edited, settings):
    """Issue 14, point 4: every time an editor reads says whose time it is."""
    settings.TIME_ZONE = "Europe/London"
    html = client.get(
        reverse("admin:articles_article_history", args=[edited.pk])
    ).content.decode()

    assert "Date/time (Europe/London (" in html
    assert html.count(" GMT</a>") + html.count(" BST</a>") == 2


def test_diff_between_two_revisions_is_readable(client, edited):
    newer, older = Version.objects.get_for_object(edited)

    response = client.get(
        reverse("admin:articles_article_compare", args=[edited.pk]),
        {"from": older.pk, "to": newer.pk},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Treaty talks <del>begin</del> <ins>stall</ins>" in html
    assert "Officials met on <del>Monday.</del> <ins>Tuesday.</ins>" in html
    assert "<del>Daniel Perez</del> <ins>Kenji Sato</ins>" in html
    assert "<del>Start:</del> <ins>Stall:</ins> Talks <del>began.</del>" in html
    assert "<ins>Defence</ins>" in html


def test_restoring_a_revision_brings_back_bylines_takeaways_and_tags_as_a_new_revision(
    client, edited
):
    _newer, older = Version.objects.get_for_object(edited)
    url = reverse("admin:articles_article_revision", args=[edited.pk, older.pk])
    form = client.get(url)
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="Treaty talks begin"' in html
    # Looking at an old revision changes nothing.
    assert Article.objects.get().headline == "Treaty talks stall"

    response = client.post(url, form_data(form))

    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.headline == "Treaty talks begin"
    assert [a.name for a in article.byline_authors] == ["Daniel Perez"]
    assert [t.label for t in article.takeaways.all()] == ["Start"]
    assert [t.name for t in article.tags.all()] == ["Japan"]
    assert Version.objects.get_for_object(article).count() == 3


def test_restoring_a_revision_keeps_the_comment_count_and_moves_the_version_on(
    client, edited
):
    Article.objects.filter(pk=edited.pk).update(comment_count=7)
    _newer, older = Version.objects.get_for_object(edited)
    url = reverse("admin:articles_article_revision", args=[edited.pk, older.pk])
    form = client.get(url)
    assert form.context["adminform"].form["loaded_version"].value() == 2

    assert client.post(url, form_data(form)).status_code == 302

    article = Article.objects.get()
    assert article.headline == "Treaty talks begin"
    assert (article.comment_count, article.version) == (7, 3)


# What the body diff sees -------------------------------------------------------


def _saved_twice(client, editor, old_body, new_body, **changed):
    """An article added with ``old_body``, then saved with ``new_body``."""
    client.force_login(editor)
    section = SectionFactory()
    add = article_form(section, headline="Treaty talks begin", body=old_body)
    assert client.post(reverse("admin:articles_article_add"), add).status_code == 302
    article = Article.objects.get()
    edit = article_form(
        section,
        headline=changed.get("headline", "Treaty talks begin"),
        body=new_body,
        loaded_version=article.version,
    )
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert client.post(change, edit).status_code == 302
    return article


def _compare(client, article) -> str:
    newer, older = Version.objects.get_for_object(article).order_by("-pk")
    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": older.pk, "to": newer.pk},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_an_added_image_shows_in_the_diff_with_its_address_and_alt_text(client, editor):
    article = _saved_twice(
        client,
        editor,
        "<p>Officials met.</p>",
        '<p>Officials met.</p><p><img src="/media/uploads/map.jpg" alt="A map"></p>',
    )

    html = _compare(client, article)

    assert "The two revisions are the same" not in html
    assert "<ins>[image /media/uploads/map.jpg, alt “A map”]</ins>" in html


def test_a_changed_link_target_shows_in_the_diff(client, editor):
    article = _saved_twice(
        client,
        editor,
        '<p>See <a href="https://example.org/old">the report</a>.</p>',
        '<p>See <a href="https://example.org/new">the report</a>.</p>',
    )

    html = _compare(client, article)

    assert "<del>[link to https://example.org/old]</del>" in html
    assert "<ins>[link to https://example.org/new]</ins>" in html


def test_a_paragraph_made_a_heading_shows_in_the_diff(client, editor):
    article = _saved_twice(
        client,
        editor,
        "<p>What is the objective?</p>",
        "<h2>What is the objective?</h2>",
    )

    assert "<ins>[heading 2]</ins>" in _compare(client, article)


def test_an_embed_is_a_token_of_the_body_diff():
    from articles.selectors.body_diff import body_tokens

    tokens = body_tokens('<p>Watch</p><iframe src="https://video.example/1"></iframe>')

    assert tokens == ["Watch", "[embed iframe https://video.example/1]"]


def test_markup_in_the_body_diff_is_escaped(client, editor):
    article = _saved_twice(
        client,
        editor,
        "<p>Officials met.</p>",
        "<p>Officials met.</p>"
        '<img src="/media/uploads/a.jpg" alt="<script>x</script>">',
    )

    html = _compare(client, article)

    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_a_save_that_only_reflows_the_body_does_not_log_changed_body(client, editor):
    article = _saved_twice(
        client,
        editor,
        "<p>Officials met.</p><p>Talks began.</p>",
        # What CKEditor posts back: the same body with its layout whitespace.
        "<p>Officials met.</p>\n\n<p>Talks began.</p>\n",
        headline="Treaty talks stall",
    )

    latest = Version.objects.get_for_object(article).order_by("-pk").first()

    assert "Headline" in latest.revision.get_comment()
    assert "Body" not in latest.revision.get_comment()


def test_the_compare_form_opens_on_previous_to_latest(client, edited):
    newer, older = Version.objects.get_for_object(edited).order_by("-pk")

    html = client.get(
        reverse("admin:articles_article_history", args=[edited.pk])
    ).content.decode()

    assert re.search(rf'name="from" value="{older.pk}"[^>]*checked', html)
    assert re.search(rf'name="to" value="{newer.pk}"[^>]*checked', html)
