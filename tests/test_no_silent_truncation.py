"""Nothing a person types or pastes is cut without telling them.

A ``maxlength`` attribute makes the browser drop what goes past it without a
word. Every text field of the site and the admin is walked here, found
through the registered ModelAdmins (their forms, inlines and action forms)
and every form class of our apps, so a new field is covered the day it is
added: none may carry ``maxlength``; a limited one carries ``data-maxlength``
for the counter of static/js/limits.js, and the server tells the limit.
"""

import re

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import MAX_LENGTH
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("articles.", "comments.", "core.")
FIELD_TAG = re.compile(r"<(?:input|textarea)\b[^>]*>", re.IGNORECASE)


def text_fields(html: str) -> list[str]:
    return FIELD_TAG.findall(html)


def assert_no_silent_cut(html: str, where: str) -> int:
    """The number of limited fields found, each with a counter instead."""
    limited = 0
    for tag in text_fields(html):
        assert not re.search(r"\smaxlength=", tag, re.I), f"{where}: {tag}"
        limited += "data-maxlength=" in tag
    return limited


def our_form_classes():
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in seen:
                seen.add(cls)
                todo.append(cls)
    return sorted(
        (cls for cls in seen if cls.__module__.startswith(OUR_APPS)),
        key=lambda cls: cls.__qualname__,
    )


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True)


def test_no_admin_page_cuts_text(client, root):
    """Every registered model's add and change pages, inlines and action
    forms included, as a superuser sees them."""
    ArticleFactory()
    CommentFactory()
    client.force_login(root)
    limited = 0
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls = [reverse("admin:{}_{}_add".format(*info))]
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue  # no adding comments, reports or audit entries
            limited += assert_no_silent_cut(response.content.decode(), url)
    # Headline, dek, slug, captions, takeaways, names, words, reasons …
    assert limited >= 10


def test_no_form_of_ours_cuts_text(root):
    article = ArticleFactory()
    needs = {"CommentForm": {"article": article}}
    checked = 0
    for cls in our_form_classes():
        try:
            form = cls(**needs.get(cls.__name__, {}))
        except TypeError:
            continue  # needs a request or an object: seen through its page
        assert_no_silent_cut(form.as_p(), cls.__qualname__)
        checked += 1
    assert checked >= 3


def test_no_admin_or_public_page_cuts_text(client, root):
    article = ArticleFactory()
    comment = CommentFactory(article=article)
    pages = [
        article.get_absolute_url(),
        reverse("comments:discussion", args=[article.pk]),
        reverse("comments:reply", args=[comment.pk]),
        reverse("articles:search") + "?q=treaty",
        "/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert_no_silent_cut(html, url)
    client.force_login(root)
    for url in [
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:comments_comment_changelist"),
    ]:
        html = client.get(url).content.decode()
        assert assert_no_silent_cut(html, url) > 0
        assert "js/limits.js" in html, url


def test_a_limited_field_says_its_limit_and_keeps_the_text():
    article = ArticleFactory()
    too_long = "x" * (MAX_LENGTH + 7)
    form = CommentForm(
        {"name": "Hannah", "email": "hannah@example.org", "body": too_long},
        article=article,
    )
    assert not form.is_valid()
    html = form["body"].as_widget()
    assert f'data-maxlength="{MAX_LENGTH}"' in html
    assert too_long in html  # kept, to be shortened
    message = form.errors["body"][0]
    assert str(MAX_LENGTH) in message and str(MAX_LENGTH + 7) in message


def test_the_admin_says_the_headline_limit_and_keeps_it(client, root):
    article = ArticleFactory()
    client.force_login(root)
    request = RequestFactory().get("/")
    request.user = root
    model_admin = admin.site._registry[type(article)]
    form_class = model_admin.get_form(request, article, change=True)
    headline = "H" * 500
    form = form_class(data={"headline": headline}, instance=article)
    assert not form.is_valid()
    message = form.errors["headline"][0]
    assert "255" in message and "500" in message
    assert headline in form["headline"].as_widget()
