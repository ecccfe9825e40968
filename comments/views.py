"""
The reader's comment endpoints.

The article page (owned by the articles app, cacheable, the same for every
reader) shows the public thread and an empty form. Everything personal
happens here, on pages that are never cached: posting, the reader's own held
comments, the CSRF token, reporting, and the no-JavaScript reply, confirm and
discussion pages.
"""

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article

from . import services
from .csrf import post_verified
from .forms import CommentForm, ReportForm
from .models import Comment, public_filter
from .notifications import UNSUBSCRIBE_SALT
from .readers import (
    address_block,
    client_ip,
    ip_digest,
    reader_from_request,
    reader_set_cookie,
)
from .rules import comments_open
from .selectors import Node, add_held, article_for_posting, page_of, thread_page


class HttpResponseSeeOther(HttpResponseRedirect):
    """POST/redirect/GET: the browser follows with a GET whatever it posted."""

    status_code = 303


def _article(article_id: int) -> Article:
    return get_object_or_404(Article.objects.published(), pk=article_id)


def _per_page() -> int:
    return settings.NEWSROOM_COMMENTS_THREADS_PER_PAGE


def own_comments(request, article) -> list[Comment]:
    """The reader's own comments under ``article`` that only they can see.

    Held ones, and ones a rule marked as spam or rejected (shown to their
    author as held: a spammer learns nothing). Gone once a moderator rejects
    them.
    """
    reader = reader_from_request(request)
    if not reader.posted:
        return []
    return list(
        Comment.objects.filter(pk__in=reader.posted, article=article)
        .exclude(public_filter())
        .exclude(
            reviewed_at__isnull=False,
            status__in=[Comment.Status.REJECTED, Comment.Status.SPAM],
        )
        .order_by("created_at", "pk")
    )


def _private(response):
    patch_vary_headers(response, ["Cookie"])
    return response


def _form_page(request, article, form, *, status=200, parent=None, **context):
    get_token(request)  # the page carries a fresh token
    response = render(
        request,
        "comments/form_page.html",
        {
            "article": article,
            "form": form,
            "parent": parent,
            "open": comments_open(article),
            "max_depth": settings.NEWSROOM_COMMENTS_MAX_DEPTH,
            **context,
        },
        status=status,
    )
    return _private(response)


@never_cache
@require_GET
def discussion(request, article_id: int):
    """All of an article's comments, page by page, with the reader's held ones.

    Where long discussions continue, and where a reader without JavaScript
    lands after posting a comment that waits for review.
    """
    article = _article(article_id)
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = thread_page(article, number=number, per_page=_per_page(), count_pages=True)
    add_held(
        page,
        own_comments(request, article),
        last_page=page.number == page.num_pages,
    )
    get_token(request)
    response = render(
        request,
        "comments/discussion.html",
        {
            "article": article,
            "page": page,
            "open": comments_open(article),
            "max_depth": settings.NEWSROOM_COMMENTS_MAX_DEPTH,
            "form": CommentForm(article=article),
            "report_form": ReportForm(),
            "comment_count": article.comment_count,
        },
    )
    return _private(response)


@never_cache
@require_GET
def reply(request, comment_id: int):
    """The reply form for one comment, for readers without JavaScript."""
    parent = get_object_or_404(
        Comment.objects.public().select_related("article"), pk=comment_id
    )
    article = _article(parent.article_id)
    form = CommentForm(article=article, initial={"parent": parent.pk})
    return _form_page(request, article, form, parent=parent)


@csrf_exempt  # checked in the view: see comments.csrf
@never_cache
@require_POST
def post(request, article_id: int):
    article = article_for_posting(article_id)
    if article is None:
        raise Http404
    form = CommentForm(request.POST, article=article)
    valid = form.is_valid()
    parent = form.cleaned_data.get("parent") if valid else None
    if not post_verified(request):
        return _form_page(request, article, form, parent=parent, confirm=True)
    if not valid:
        # On a closed article say so first: there is nothing to correct.
        closed = not comments_open(article)
        return _form_page(
            request,
            article,
            form,
            parent=parent,
            status=403 if closed else 200,
            refusal=_("Comments on this article are closed.") if closed else "",
        )

    data = form.cleaned_data
    outcome = services.comment_create(
        article=article,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        parent=parent,
        notify_replies=data["notify_replies"],
        honeypot=data["website"],
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=request.user,
    )
    decision = outcome.decision
    if decision.refused:
        response = _form_page(
            request,
            article,
            form,
            parent=parent,
            refusal=_refusal_message(decision),
            status=decision.http_status,
        )
        if decision.retry_after:
            response["Retry-After"] = str(decision.retry_after)
        return response

    comment = outcome.comment
    reader = reader_from_request(request)
    reader.remember(comment.pk)
    anchor = f"#comment-{comment.pk}"
    if comment.is_public or request.POST.get("js") == "1":
        # The page's script shows a held comment to its author in place.
        target = article.get_absolute_url() + anchor
    else:
        page = page_of(comment, per_page=_per_page())
        target = reverse("comments:discussion", args=[article.pk])
        target += (f"?page={page}" if page > 1 else "") + anchor
    response = HttpResponseSeeOther(target)
    reader_set_cookie(response, reader)
    return response


def _refusal_message(decision) -> str:
    if decision.http_status == 429:
        return _(
            "You are commenting faster than we allow. Please wait %(seconds)d "
            "seconds and post again; your text is still here."
        ) % {"seconds": decision.retry_after}
    if decision.http_status == 409:
        return _(
            "It looks as though you have already said that: the same comment "
            "is already posted here."
        )
    return _("Comments on this article are closed: %(reason)s") % {
        "reason": decision.reason
    }


@never_cache
@require_GET
def reader_state(request, article_id: int):
    """What the article page's script needs for this reader, never cached:
    a CSRF token, and their own comments that the cached page cannot show."""
    article = _article(article_id)
    reader = reader_from_request(request)
    own = own_comments(request, article)
    # Their approved comments too: a cached page may not show them yet.
    recent_public = list(
        Comment.objects.public()
        .filter(pk__in=reader.posted, article=article)
        .order_by("created_at", "pk")
    )
    entries = [
        {
            "id": comment.pk,
            "parent": comment.parent_id,
            "held": not comment.is_public,
            "html": render_to_string(
                "comments/comment.html",
                {
                    "node": Node(comment=comment, held=not comment.is_public),
                    "open": comments_open(article),
                    "max_depth": settings.NEWSROOM_COMMENTS_MAX_DEPTH,
                },
                request=request,
            ),
        }
        for comment in sorted(
            [*own, *recent_public], key=lambda c: (c.created_at, c.pk)
        )
    ]
    return _private(
        JsonResponse({"csrfToken": get_token(request), "comments": entries})
    )


def _address_block(ip: str | None) -> str | None:
    return address_block(ip) if ip else None


def _reportable(comment_id: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.public().select_related("article"), pk=comment_id
    )
    if not comment.article.is_published():
        raise Http404
    return comment


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # checked in the view: see comments.csrf
@never_cache
@require_http_methods(["GET", "POST"])
def report(request, comment_id: int):
    """Report a comment: the page without JavaScript, the endpoint with it."""
    if request.method == "GET" and request.GET.get("sent"):
        # The comment may have left view since the report (enough reports hide
        # it), but the page names its article: a piece readers may not see is
        # not named to whoever guesses a comment's number.
        comment = get_object_or_404(
            Comment.objects.select_related("article").filter(
                article__in=Article.objects.published()
            ),
            pk=comment_id,
        )
        return _report_page(request, comment, ReportForm(), sent=True)
    comment = _reportable(comment_id)
    if request.method == "GET":
        return _report_page(request, comment, ReportForm())

    form = ReportForm(request.POST)
    if not post_verified(request):
        form.is_valid()
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "message": _("Please try again.")}, status=403
            )
        return _report_page(request, comment, form, confirm=True)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "message": _("Please choose a reason.")}, status=400
            )
        return _report_page(request, comment, form)

    reader = reader_from_request(request)
    outcome = services.comment_report(
        comment=comment,
        reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"],
        reporter_key=reader.key,
        ip_hash=ip_digest(_address_block(client_ip(request))),
    )
    message = {
        "": _("Thank you. A moderator will look at this comment."),
        "already": _("You have already reported this comment. Thank you."),
        "rate-limit": _(
            "You have sent many reports in a short time. Please try again later."
        ),
        "gone": _("This comment is no longer shown."),
    }[outcome.refused]
    if _wants_json(request):
        response = JsonResponse(
            {"ok": not outcome.refused, "message": message, "hidden": outcome.hidden},
            status=outcome.http_status,
        )
    elif outcome.refused:
        response = _report_page(
            request, comment, form, message=message, status=outcome.http_status
        )
    else:
        response = HttpResponseSeeOther(
            reverse("comments:report", args=[comment.pk]) + "?sent=1"
        )
    if outcome.retry_after:
        response["Retry-After"] = str(outcome.retry_after)
    if reader.is_new:
        reader_set_cookie(response, reader)
    return _private(response)


def _report_page(request, comment, form, *, status=200, **context):
    get_token(request)
    return _private(
        render(
            request,
            "comments/report_page.html",
            {"comment": comment, "article": comment.article, "form": form, **context},
            status=status,
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Stop reply emails, from the link in one. A GET only asks (mail scanners
    open links); the button posts."""
    try:
        comment_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=comment_id
    )
    done = request.method == "POST"
    if done:
        services.commenter_unsubscribe(comment=comment)
    return render(
        request, "comments/unsubscribe.html", {"comment": comment, "done": done}
    )
