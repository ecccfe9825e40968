"""States, roles and transitions: the whole matrix, and what each move does."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleConflict, ArticleTransition
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=6)

STATES = {
    "draft": {"status": "draft", "publish_at": None},
    "review": {"status": "review", "publish_at": None},
    "scheduled": {"status": "published", "publish_at": NOW + timedelta(hours=2)},
    "published": {"status": "published", "publish_at": NOW - timedelta(hours=2)},
    "withdrawn": {"status": "withdrawn", "publish_at": NOW - timedelta(days=2)},
}
ACTIONS = [
    "submit",
    "return_to_draft",
    "publish",
    "schedule",
    "unpublish",
    "withdraw",
    "restore",
]
# The matrix, written out by hand: (role, state) -> actions allowed.
WRITER_OWN = {"draft": {"submit"}, "review": {"return_to_draft"}}
EDITOR = {
    "draft": {"submit", "publish", "schedule"},
    "review": {"return_to_draft", "publish", "schedule"},
    "scheduled": {"unpublish", "withdraw"},
    "published": {"unpublish", "withdraw"},
    "withdrawn": {"restore"},
}
ALLOWED = {
    "writer (own piece)": WRITER_OWN,
    "writer (colleague's piece)": {},
    "editor": EDITOR,
    "moderator": {},
}


@pytest.fixture
def people(writer, editor, moderator):
    colleague = UserFactory(username="colleague", groups=["Writers"])
    return {
        "writer (own piece)": writer,
        "writer (colleague's piece)": colleague,
        "editor": editor,
        "moderator": moderator,
    }


def edit(article: Article, user, **fields) -> Article:
    return services.article_update(
        article=article, user=user, expected_version=article.version, fields=fields
    )


def make(state: str, owner) -> Article:
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        article = ArticleFactory(status="draft", publish_at=None, created_by=owner)
    fields = STATES[state]
    Article.objects.filter(pk=article.pk).update(
        first_published_at=fields["publish_at"] if state != "review" else None, **fields
    )
    article.refresh_from_db()
    return article


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("action", ACTIONS)
def test_role_state_transition_matrix(people, writer, role, state, action):
    user = people[role]
    article = make(state, owner=writer)
    allowed = action in ALLOWED[role].get(state, set())

    with time_machine.travel(NOW, tick=False):
        try:
            services.article_transition(
                article=article,
                user=user,
                action=action,
                publish_at=LATER,
                note="Because.",
            )
        except PermissionDenied:
            outcome = False
        else:
            outcome = True

    assert outcome is allowed, f"{role} {action} on {state}"
    written = ArticleTransition.objects.filter(article=article).count()
    assert written == (1 if allowed else 0)


def test_forged_transition_post_is_refused_with_403(client, writer):
    article = make("review", owner=writer)
    client.force_login(writer)

    response = client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "publish"])
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == "review"


def test_the_admin_shows_only_the_buttons_a_user_may_press(client, writer, editor):
    article = make("review", owner=writer)
    url = reverse("admin:articles_article_change", args=[article.pk])

    client.force_login(writer)
    writer_html = client.get(url).content.decode()
    client.force_login(editor)
    editor_html = client.get(url).content.decode()

    assert 'value="return_to_draft"' in writer_html
    assert 'value="publish"' not in writer_html
    assert 'value="schedule"' not in writer_html
    for name in ("return_to_draft", "publish", "schedule"):
        assert f'value="{name}"' in editor_html
    assert 'value="withdraw"' not in editor_html


def test_editor_publishes_through_the_button(client, editor, writer):
    article = make("review", owner=writer)
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("admin:articles_article_transition", args=[article.pk, "publish"]),
            {"version": article.version},
        )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    assert article.publish_at == NOW
    assert article.first_published_at == NOW
    assert article.is_published() is False or article.publish_at <= NOW
    log = ArticleTransition.objects.get(article=article)
    assert (log.from_status, log.to_status, log.user) == ("review", "published", editor)


def test_scheduled_piece_appears_on_time_with_no_worker(client, editor, writer):
    article = make("review", owner=writer)
    with time_machine.travel(NOW, tick=False):
        services.article_schedule(article=article, user=editor, publish_at=LATER)
        assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(LATER - timedelta(seconds=1), tick=False):
        assert not Article.objects.published().filter(pk=article.pk).exists()
    with time_machine.travel(LATER, tick=False):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_scheduling_needs_a_time_in_the_future(editor, writer):
    article = make("draft", owner=writer)

    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as error:
        services.article_schedule(
            article=article, user=editor, publish_at=NOW - timedelta(minutes=1)
        )

    assert "Choose a time in the future" in str(error.value)
    article.refresh_from_db()
    assert article.status == "draft"


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("review", "return_to_draft"),
        ("published", "withdraw"),
        ("published", "unpublish"),
    ],
)
def test_moves_back_need_a_note(editor, writer, state, action):
    article = make(state, owner=writer)

    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as error:
        services.article_transition(
            article=article, user=editor, action=action, note=" "
        )

    assert error.value.message_dict["note"] == [
        "Say why, in a few words; the note is kept with the piece."
    ]
    assert not ArticleTransition.objects.exists()


def test_withdrawn_piece_answers_410_gone(client, editor, writer):
    article = make("published", owner=writer)
    url = article.get_absolute_url()
    with time_machine.travel(NOW, tick=False):
        assert client.get(url).status_code == 200
        services.article_withdraw(article=article, user=editor, note="Legal advice.")
        response = client.get(url)

    assert response.status_code == 410
    assert "This article has been withdrawn" in response.content.decode()
    assert article.headline not in response.content.decode()


def test_an_old_address_of_a_withdrawn_piece_answers_410_too(client, editor, writer):
    article = make("published", owner=writer)
    old_url = article.get_absolute_url()
    edit(article, editor, slug="a-later-slug")
    with time_machine.travel(NOW, tick=False):
        services.article_withdraw(article=article, user=editor, note="Legal advice.")
        response = client.get(old_url)

    assert response.status_code == 410
    assert "This article has been withdrawn" in response.content.decode()


def test_an_unknown_address_next_to_a_withdrawn_piece_is_still_404(client, writer):
    make("withdrawn", owner=writer)

    assert client.get("/news/2026/11/23/no-such-piece/").status_code == 404


def test_draft_url_answers_404_not_410(client, writer):
    article = make("draft", owner=writer)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_unscheduling_clears_the_planned_time(editor, writer):
    article = make("scheduled", owner=writer)

    with time_machine.travel(NOW, tick=False):
        services.article_unpublish(article=article, user=editor, note="Hold it.")

    article.refresh_from_db()
    assert (article.status, article.publish_at) == ("draft", None)


def test_a_writer_may_edit_own_drafts_only(client, writer):
    own = make("draft", owner=writer)
    colleague = make("draft", owner=UserFactory(username="colleague"))
    bylined = make("draft", owner=None)
    bylined.bylines.create(author=AuthorFactory(user=writer))
    client.force_login(writer)

    def status(article):
        url = reverse("admin:articles_article_change", args=[article.pk])
        html = client.get(url).content.decode()
        return "Save and continue editing" in html

    assert status(own) is True
    assert status(bylined) is True
    assert status(colleague) is False


def test_changing_status_in_the_form_goes_through_the_matrix(client, editor, writer):
    from tests.articles.test_roles import article_form

    article = make("draft", owner=writer)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_form(
        article.section,
        headline=article.headline,
        slug=article.slug,
        status="withdrawn",
        loaded_version=article.version,
    )

    response = client.post(url, data)

    assert response.status_code == 200
    assert "A piece cannot go from “Draft” to “Withdrawn”." in response.content.decode()

    data["status"] = "published"
    with time_machine.travel(NOW, tick=False):
        response = client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    assert ArticleTransition.objects.get(article=article).to_status == "published"


# Saves that never overwrite each other -------------------------------------------


def test_a_stale_service_save_is_refused_and_writes_nothing(editor, writer):
    article = make("draft", owner=writer)
    first = Article.objects.get(pk=article.pk)
    second = Article.objects.get(pk=article.pk)

    services.article_update(
        article=first,
        user=editor,
        expected_version=first.version,
        fields={"headline": "First editor's headline"},
    )
    with pytest.raises(ArticleConflict):
        services.article_update(
            article=second,
            user=editor,
            expected_version=second.version,
            fields={"headline": "Second editor's headline"},
        )

    article.refresh_from_db()
    assert article.headline == "First editor's headline"
    assert article.version == 2


def test_a_stale_copy_is_refused_without_an_expected_version_too(editor, writer):
    article = make("draft", owner=writer)
    stale = Article.objects.get(pk=article.pk)
    edit(article, editor, dek="Saved first.")

    with pytest.raises(ArticleConflict), transaction.atomic():
        # The version the copy was loaded at is the one it expects.
        services.article_update(
            article=stale, user=editor, expected_version=None, fields={"dek": "2nd"}
        )
    assert Article.objects.get(pk=article.pk).dek == "Saved first."


def test_a_model_save_never_writes_the_version_or_the_comment_count(writer):
    article = make("published", owner=writer)
    stale = Article.objects.get(pk=article.pk)
    Article.objects.filter(pk=article.pk).update(version=5, comment_count=3)

    stale.dek = "Saved by a script."
    stale.save()

    saved = Article.objects.get(pk=article.pk)
    assert (saved.dek, saved.version, saved.comment_count) == (
        "Saved by a script.",
        5,
        3,
    )


def test_two_editors_posting_the_same_form_second_sees_the_conflict(
    client, editor, writer
):
    from django.test import Client

    from tests.articles.test_roles import article_form

    other = UserFactory(username="second-editor", groups=["Editors"])
    article = make("draft", owner=writer)
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = client, Client()
    first.force_login(editor)
    second.force_login(other)
    first.get(url)
    second.get(url)
    base = {"slug": article.slug, "loaded_version": article.version}

    response = first.post(
        url, article_form(article.section, headline="The first take", **base)
    )
    assert response.status_code == 302
    response = second.post(
        url, article_form(article.section, headline="The second take", **base)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "editor saved this article at" in html
    assert "Your text is still in the form below; nothing was saved." in html
    assert "Headline" in html.split("Fields that now differ from yours:")[1][:200]
    assert 'value="The second take"' in html
    article.refresh_from_db()
    assert article.headline == "The first take"


def test_the_change_form_shows_who_else_has_it_open(client, editor, writer):
    other = UserFactory(username="second-editor", groups=["Editors"])
    article = make("draft", owner=writer)
    presence_url = reverse("admin:articles_article_presence", args=[article.pk])
    client.force_login(other)
    client.post(presence_url)

    client.force_login(editor)
    answer = client.post(presence_url).json()
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert [other["name"] for other in answer["others"]] == ["second-editor"]
    assert "Also open by:" in page.content.decode()
    assert "<strong>second-editor</strong>" in page.content.decode()


# URLs that never break -----------------------------------------------------------


def test_a_changed_slug_leaves_a_301_and_chains_collapse(client, editor, writer):
    article = make("published", owner=writer)
    first_url = article.get_absolute_url()
    edit(article, editor, slug="second-slug")
    second_url = article.get_absolute_url()
    edit(article, editor, slug="third-slug")

    for old in (first_url, second_url):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_new_date_in_the_path_leaves_a_301(client, editor, writer):
    article = make("scheduled", owner=writer)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        old = article.get_absolute_url()
        article.first_published_at = NOW + timedelta(hours=2)
        edit(article, editor, publish_at=NOW + timedelta(days=2))
        response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url() != old


def test_a_new_article_may_not_take_a_path_that_still_redirects(editor, writer):
    article = make("published", owner=writer)
    old_slug = article.slug
    edit(article, editor, slug="renamed")
    newcomer = ArticleFactory.build(section=article.section, slug=old_slug)

    with pytest.raises(ValidationError) as error:
        newcomer.full_clean()

    assert "still leads readers to" in error.value.message_dict["slug"][0]


def test_going_back_to_an_old_slug_makes_it_live_again(client, editor, writer):
    article = make("published", owner=writer)
    original = article.get_absolute_url()
    edit(article, editor, slug="temporary")
    edit(article, editor, slug=original.rstrip("/").rsplit("/", 1)[1])

    assert client.get(original).status_code == 200
    assert article.old_paths.count() == 1  # the temporary address


# The editors' desk -----------------------------------------------------------------


def test_editors_desk_lists_in_constant_queries(
    client, editor, django_assert_max_num_queries
):
    def grow():
        ArticleFactory(status="draft", publish_at=None, created_by=editor)
        ArticleFactory(status="review", publish_at=None)
        ArticleFactory(publish_at=datetime.now(UTC) + timedelta(hours=3))
        ArticleFactory()

    grow()
    client.force_login(editor)
    with django_assert_max_num_queries(20) as small:
        html = client.get(reverse("admin:index")).content.decode()
    for _ in range(5):
        grow()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("admin:index"))

    for title in (
        "My drafts",
        "Waiting for review",
        "Scheduled, next 24 hours",
        "Recently published",
    ):
        assert title in html
    assert "Comments waiting" not in html or editor.has_perm("comments.view_comment")


def test_a_confirmation_says_what_happened_and_what_comes_next(client, writer):
    article = make("draft", owner=writer)
    client.force_login(writer)

    response = client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "submit"]),
        {"version": article.version},
        follow=True,
    )

    message = str(next(iter(response.context["messages"])))
    assert "Submit for review" not in message
    assert "is waiting for review" in message
    assert "An editor will publish it" in message


# One way to schedule ---------------------------------------------------------------


def test_the_schedule_form_reads_dates_as_the_site_writes_them():
    from articles.forms import ScheduleForm

    form = ScheduleForm({"publish_at_0": "25/12/2026", "publish_at_1": "14:00"})
    american = ScheduleForm({"publish_at_0": "12/25/2026", "publish_at_1": "14:00"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["publish_at"] == datetime(2026, 12, 25, 14, tzinfo=UTC)
    assert not american.is_valid()
    assert "Europe/London (GMT, UTC+00:00)" in str(form["publish_at"].help_text)


def test_a_draft_is_scheduled_in_one_place_with_the_zone_named(client, editor, writer):
    article = make("review", owner=writer)
    client.force_login(editor)

    with time_machine.travel(NOW, tick=False):
        html = client.get(
            reverse("admin:articles_article_change", args=[article.pk])
        ).content.decode()
        response = client.post(
            reverse("admin:articles_article_transition", args=[article.pk, "schedule"]),
            {
                "version": article.version,
                "publish_at_0": (NOW + timedelta(days=1)).strftime("%d/%m/%Y"),
                "publish_at_1": "09:30",
            },
        )

    # One pair of date and time fields on the page: the workflow box's.
    assert html.count('name="publish_at_0"') == 1
    assert 'id="id_schedule_publish_at_0"' in html
    assert 'type="datetime-local"' not in html
    schedule_form = html.split('id="id_schedule_publish_at_0"', 1)[1]
    assert "Europe/London (GMT, UTC+00:00)" in schedule_form.split("</form>")[0]
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    local = timezone.localtime(article.publish_at)
    assert (local.date(), local.hour, local.minute) == (
        (NOW + timedelta(days=1)).date(),
        9,
        30,
    )


def test_a_schedule_in_the_wrong_format_is_refused_with_a_message(
    client, editor, writer
):
    article = make("review", owner=writer)
    client.force_login(editor)

    response = client.post(
        reverse("admin:articles_article_transition", args=[article.pk, "schedule"]),
        {"version": article.version, "publish_at_0": "12/25/2026", "publish_at_1": "9"},
        follow=True,
    )

    assert "Not scheduled" in str(next(iter(response.context["messages"])))
    article.refresh_from_db()
    assert article.status == "review"
