from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.fragments import comment_section_fragment
from comments.forms import CommentForm, ReportForm
from comments.rules import comments_open
from comments.selectors import thread_page
from comments.text import render_comment

register = template.Library()


@register.filter
def comment_text(value: str):
    """A comment's plain text as safe HTML: escaped, line breaks, nofollow links."""
    return render_comment(value or "")


def closed_note(article) -> str:
    if not article.allow_comments:
        return _("Comments are closed for this article.")
    days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
    return ngettext(
        "Comments are closed: they close %(days)d day after publication.",
        "Comments are closed: they close %(days)d days after publication.",
        days,
    ) % {"days": days}


SECTION_TEMPLATE = "comments/comment_section.html"


@register.simple_tag(takes_context=True)
def comment_section(context, article):
    """The comment section under an article: the public thread and the form.

    The same HTML for every reader, so the page can be cached whole: no CSRF
    token, no held comments; comments.js fetches those from the reader's own
    uncached endpoint. One query, however long the discussion (none for the
    count, which is a column of the article kept by comments.counts).

    On a published piece's public page (the view looked its fragments up and
    sets ``comment_fragment``) the rendered section comes from the shared
    cache until its comments or the piece change
    (``articles.fragments.comment_section_fragment``): then no query.
    """
    is_open = comments_open(article)
    per_page = settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE
    max_depth = settings.NEWSROOM_COMMENTS_MAX_DEPTH

    def render() -> str:
        values = {
            "article": article,
            "page": thread_page(article, number=1, per_page=per_page),
            "comment_count": article.comment_count,
            "open": is_open,
            "closed_note": "" if is_open else closed_note(article),
            "max_depth": max_depth,
            "form": CommentForm(article=article),
            "report_form": ReportForm(),
        }
        template = context.template.engine.get_template(SECTION_TEMPLATE)
        return str(template.render(context.new(values)))

    fragment = context.get("comment_fragment")
    if fragment is not None and article.is_published():
        html = comment_section_fragment(
            fragment,
            is_open=is_open,
            settings=(per_page, max_depth, settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS),
            render=render,
        )
        return mark_safe(html)
    return mark_safe(render())
