"""The moderators' desk in the admin: the queue, bulk actions, who may do what."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from comments.models import (
    AuditEntry,
    Ban,
    Comment,
    ModerationSettings,
    ModerationWord,
    Report,
)
from tests.factories import (
    CommentFactory,
    ModerationWordFactory,
    ReportFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def rows(response) -> list[int]:
    """The comment ids in the changelist, in order."""
    return [c.pk for c in response.context["cl"].result_list]


@pytest.fixture
def desk(article):
    """A queue's worth of comments of every kind, oldest first."""
    now = timezone.now()
    made = {}
    for age, name, status in [
        (6, "old-pending", "pending"),
        (5, "approved", "approved"),
        (4, "rejected", "rejected"),
        (3, "spam", "spam"),
        (2, "reported", "approved"),
        (1, "new-pending", "pending"),
        (0, "hidden", "approved"),
    ]:
        comment = CommentFactory(article=article, status=status, body=name)
        Comment.objects.filter(pk=comment.pk).update(
            created_at=now - timedelta(minutes=age)
        )
        made[name] = comment
    ReportFactory(comment=made["reported"], reason="spam")
    Comment.objects.filter(pk=made["hidden"].pk).update(hidden_at=now)
    return made


def test_the_queue_opens_on_what_needs_attention_newest_first(client, moderator, desk):
    client.force_login(moderator)

    response = client.get(reverse(CHANGELIST))

    assert rows(response) == [
        desk["hidden"].pk,
        desk["new-pending"].pk,
        desk["reported"].pk,
        desk["old-pending"].pk,
    ]
    assert "Needs attention" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"queue": "held"}, ["new-pending", "old-pending"]),
        ({"queue": "reported"}, ["hidden", "reported"]),
        ({"status__exact": "spam"}, ["spam"]),
        ({"q": "rejected"}, ["rejected"]),
        (
            {"queue": "all"},
            [
                "hidden",
                "new-pending",
                "reported",
                "spam",
                "rejected",
                "approved",
                "old-pending",
            ],
        ),
    ],
)
def test_other_views_of_the_queue(client, moderator, desk, query, names):
    client.force_login(moderator)

    response = client.get(reverse(CHANGELIST), query)

    assert rows(response) == [desk[name].pk for name in names]


def test_the_queue_shows_article_history_reports_and_rule(client, moderator, article):
    CommentFactory(author_email="sam@example.org", status="approved")
    CommentFactory(author_email="sam@example.org", status="approved")
    CommentFactory(author_email="sam@example.org", status="spam")
    held = CommentFactory(
        article=article,
        author_name="Sam",
        author_email="sam@example.org",
        status="pending",
        moderation_rule="links",
        moderation_reason="3 links (more than 1 allowed).",
    )
    ReportFactory(comment=held, reason="spam")
    ReportFactory(comment=held, reason="spam", weight=2)
    client.force_login(moderator)

    html = client.get(reverse(CHANGELIST)).content.decode()

    assert f'<a href="{article.get_absolute_url()}">{article.headline}</a>' in html
    assert "2 approved · 1 removed" in html
    assert (
        '<span class="commenter-name">Sam</span><small>sam@example.org</small>' in html
    )
    assert "2 <small>(weight 3)</small><br><small>Spam ×2</small>" in html
    assert (
        "<strong>links</strong><br><small>3 links (more than 1 allowed).</small>"
        in html
    )


def test_the_queues_queries_do_not_grow_with_its_rows(
    client, moderator, article, django_assert_max_num_queries
):
    client.force_login(moderator)
    CommentFactory(article=article, status="pending")
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(CHANGELIST))
    for _ in range(20):
        comment = CommentFactory(article=article, status="pending")
        ReportFactory(comment=comment)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert len(rows(response)) == 21


def test_a_moderator_bulk_approves_with_a_reason(client, moderator, desk):
    client.force_login(moderator)
    chosen = [desk["old-pending"].pk, desk["new-pending"].pk, desk["hidden"].pk]

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "approve_comments",
            ACTION_CHECKBOX_NAME: chosen,
            "reason": "Checked the thread.",
        },
        follow=True,
    )

    assert "3 comments approved." in response.content.decode()
    assert set(
        Comment.objects.public().filter(pk__in=chosen).values_list("pk", flat=True)
    ) == set(chosen)
    entries = AuditEntry.objects.filter(action="moderated")
    assert sorted(e.comment_id for e in entries) == sorted(chosen)
    assert {(e.actor, e.reason) for e in entries} == {
        (moderator, "Checked the thread.")
    }


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("reject_comments", "rejected", "2 comments rejected."),
        ("mark_spam", "spam", "2 comments marked as spam."),
    ],
)
def test_bulk_reject_and_spam(client, moderator, desk, action, status, message):
    client.force_login(moderator)
    chosen = [desk["old-pending"].pk, desk["new-pending"].pk]

    response = client.post(
        reverse(CHANGELIST),
        {"action": action, ACTION_CHECKBOX_NAME: chosen},
        follow=True,
    )

    assert message in response.content.decode()
    assert set(
        Comment.objects.filter(pk__in=chosen).values_list("status", flat=True)
    ) == {status}
    assert AuditEntry.objects.filter(action="moderated").count() == 2


def test_bulk_ban_bans_each_commenter_once(client, moderator, article):
    first = CommentFactory(
        article=article,
        author_email="troll@example.org",
        status="pending",
        ip_address="203.0.113.9",
    )
    second = CommentFactory(
        article=article, author_email="troll@example.org", status="pending"
    )
    client.force_login(moderator)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "ban_commenters",
            ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "reason": "Abuse.",
            "ban_ip": "on",
        },
        follow=True,
    )

    assert (
        "1 commenter banned; 2 waiting comments rejected." in response.content.decode()
    )
    assert sorted(Ban.objects.values_list("kind", "value")) == [
        ("email", "troll@example.org"),
        ("ip", "203.0.113.9"),
    ]


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_writers_and_editors_cannot_moderate(client, request, desk, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    pending = desk["new-pending"]

    listing = client.get(reverse(CHANGELIST))
    client.post(
        reverse(CHANGELIST),
        {"action": "approve_comments", ACTION_CHECKBOX_NAME: [pending.pk]},
    )
    change = client.post(
        reverse("admin:comments_comment_change", args=[pending.pk]),
        {
            "status": "approved",
            "body": pending.body,
            "decision_reason": "",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )

    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not AuditEntry.objects.exists()
    if role == "writer":
        assert listing.status_code == 403
    else:
        assert listing.status_code == 200
        assert "approve_comments" not in listing.content.decode()
        assert change.status_code == 403


def test_a_status_change_in_the_form_goes_through_the_service(client, moderator, desk):
    client.force_login(moderator)
    pending = desk["new-pending"]

    response = client.post(
        reverse("admin:comments_comment_change", args=[pending.pk]),
        {
            "status": "approved",
            "body": "new-pending, with a typo fixed",
            "decision_reason": "Fine after the fix.",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.body) == (
        "approved",
        "new-pending, with a typo fixed",
    )
    assert sorted(AuditEntry.objects.values_list("action", "reason")) == [
        ("edited", "Fine after the fix."),
        ("moderated", "Fine after the fix."),
    ]


def test_the_change_form_shows_reports_and_the_audit_trail(client, moderator, desk):
    client.force_login(moderator)
    reported = desk["reported"]
    AuditEntry.objects.create(
        action="decided",
        rule="default",
        comment_id=reported.pk,
        to_status="approved",
        reason="Passed every rule.",
    )

    html = client.get(
        reverse("admin:comments_comment_change", args=[reported.pk])
    ).content.decode()

    assert "Passed every rule." in html
    assert "rule: default" in html
    assert "Spam" in html


def test_deleting_in_the_admin_is_logged(client, moderator, desk):
    client.force_login(moderator)
    comment = desk["spam"]

    client.post(
        reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"}
    )

    assert not Comment.objects.filter(pk=comment.pk).exists()
    entry = AuditEntry.objects.get(action="deleted")
    assert (entry.comment_id, entry.actor, entry.from_status) == (
        comment.pk,
        moderator,
        "spam",
    )


def test_the_audit_log_is_read_only_even_for_superusers(client, desk):
    root = UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    entry = AuditEntry.objects.create(action="decided", rule="default", reason="x")

    listing = client.get(reverse("admin:comments_auditentry_changelist"))
    change = client.post(
        reverse("admin:comments_auditentry_change", args=[entry.pk]), {"reason": "y"}
    )
    add = client.get(reverse("admin:comments_auditentry_add"))
    delete = client.post(
        reverse("admin:comments_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert (change.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    entry.refresh_from_db()
    assert entry.reason == "x"


def test_a_moderator_tunes_the_policy_without_a_deploy(client, moderator, article):
    client.force_login(moderator)
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"premoderate_all": "on", "report_threshold": "2"})
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    config = ModerationSettings.load()
    assert (config.premoderate_all, config.report_threshold) == (True, 2)
    assert (
        client.get(reverse("admin:comments_moderationsettings_add")).status_code == 403
    )
    html = client.get(url).content.decode()
    assert "<code>closed</code> → <code>honeypot</code>" in html


def test_a_ban_made_by_hand_is_checked_and_logged(client, moderator):
    client.force_login(moderator)
    url = reverse("admin:comments_ban_add")

    bad = client.post(url, {"kind": "network", "value": "10.0.0.0/8", "reason": ""})
    good = client.post(
        url, {"kind": "network", "value": "203.0.113.7/24", "reason": "Bot farm."}
    )

    assert "That network is too wide to ban." in bad.content.decode()
    assert good.status_code == 302
    ban = Ban.objects.get()
    assert (ban.value, ban.created_by) == ("203.0.113.0/24", moderator)
    assert AuditEntry.objects.get(action="banned").actor == moderator


def test_word_lists_are_edited_in_the_admin(client, moderator):
    client.force_login(moderator)

    client.post(
        reverse("admin:comments_moderationword_add"),
        {"word": "  Casino*  ", "kind": "disallowed", "note": "Gambling spam"},
    )

    assert list(ModerationWord.objects.values_list("word", "kind")) == [
        ("casino*", "disallowed")
    ]


@pytest.mark.parametrize("role", ["Moderators", "Editors"])
def test_every_comments_admin_page_and_action_as_each_role(client, role, desk):
    user = UserFactory(username=role.lower(), groups=[role])
    client.force_login(user)
    ModerationWordFactory()
    Ban.objects.create(kind="ip", value="198.51.100.1")
    AuditEntry.objects.create(action="decided", rule="default", reason="x")
    request = RequestFactory().get("/")
    request.user = user
    opened = 0
    for model in [Comment, Report, AuditEntry, Ban, ModerationWord, ModerationSettings]:
        model_admin = admin.site._registry[model]
        obj = model._default_manager.order_by("pk").first()
        info = model._meta.app_label, model._meta.model_name
        pages = {
            "changelist": (
                reverse("admin:{}_{}_changelist".format(*info)),
                model_admin.has_view_or_change_permission(request),
            ),
            "add": (
                reverse("admin:{}_{}_add".format(*info)),
                model_admin.has_add_permission(request),
            ),
            "change": (
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
                model_admin.has_view_or_change_permission(request, obj),
            ),
            "delete": (
                reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]),
                model_admin.has_delete_permission(request, obj),
            ),
            "history": (
                reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
                model_admin.has_view_or_change_permission(request, obj),
            ),
        }
        for kind, (url, allowed) in pages.items():
            response = client.get(url)
            opens = 200
            if kind == "changelist" and model is ModerationSettings:
                opens = 302  # its one row's form, not a list of one
            assert response.status_code == (opens if allowed else 403), (
                role,
                kind,
                url,
            )
            opened += allowed
        for name in model_admin.get_actions(request):
            response = client.post(
                pages["changelist"][0] + "?queue=all"
                if model is Comment
                else pages["changelist"][0],
                {"action": name, ACTION_CHECKBOX_NAME: [obj.pk]},
            )
            assert response.status_code in (200, 302), (role, model, name)
    assert opened > 0
    if role == "Moderators":
        actions = admin.site._registry[Comment].get_actions(request)
        assert {
            "approve_comments",
            "reject_comments",
            "mark_spam",
            "ban_commenters",
            "export_commenter_data",
            "erase_commenter_data",
        } <= set(actions)
    else:
        assert admin.site._registry[Comment].get_actions(request) == {}


def test_the_audit_log_shows_the_articles_headline_linked(client, moderator, article):
    client.force_login(moderator)
    AuditEntry.objects.create(
        action="decided", rule="default", reason="x", article_id=article.pk
    )

    html = client.get(reverse("admin:comments_auditentry_changelist")).content.decode()

    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f'<a href="{change}">{article.headline}</a>' in html


def test_moderation_settings_open_on_the_form_with_help_in_place(client, moderator):
    client.force_login(moderator)

    response = client.get(reverse("admin:comments_moderationsettings_changelist"))

    row = ModerationSettings.load()
    form = reverse("admin:comments_moderationsettings_change", args=[row.pk])
    assert (response.status_code, response["Location"]) == (302, form)
    html = client.get(form).content.decode()
    assert "README" not in html
    assert "upheld adds 0.5" in html
