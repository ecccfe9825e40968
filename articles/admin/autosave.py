"""
Lost work in the article admin: autosaves, and the lead image after an error.

The change and add forms post the editor's fields to ``autosave_view`` every
30 seconds while they type and when they leave the page (a beacon); the row
is overwritten, never a revision (``articles.services.autosave_store``). On
return, an autosave newer than the saved article is offered back above the
form; restoring fills the form in the browser, and the normal save then goes
through ``article_update`` and its version check. A save drops the editor's
autosave in the same transaction, so a refused save keeps it.

A chosen lead image is kept across a form error (a browser never sends a
file twice): ``articles.images.kept`` holds it privately for an hour under a
signed token in a hidden field, and the field names the file kept.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles import services
from articles.images import kept
from articles.models import Article
from articles.selectors.autosaves import autosave_offer
from articles.services.autosaves import DRAFT_KEY, MAX_BYTES

# Fields the form carries for itself, never restored from an autosave.
NOT_RESTORED = ("csrfmiddlewaretoken", "loaded_version", "autosave_draft")


class AutosaveAdminMixin:
    """Goes before ``admin.ModelAdmin`` in the article admin's bases."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "autosave/",
                wrap(require_POST(self.autosave_view)),
                name=f"{prefix}_autosave_new",
            ),
            path(
                "<path:object_id>/autosave/",
                wrap(require_POST(self.autosave_view)),
                name=f"{prefix}_autosave",
            ),
            *super().get_urls(),
        ]

    def autosave_view(self, request, object_id=None):
        """Store (or, with ``discard``, forget) the editor's autosave: JSON."""
        article = None
        if object_id is not None:
            article = get_object_or_404(Article, pk=object_id)
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > MAX_BYTES + 4096:
            return JsonResponse(
                {
                    "error": _(
                        "This draft is too large to autosave (at most %(max)d KB). "
                        "Save the article to keep your work."
                    )
                    % {"max": MAX_BYTES // 1024}
                },
                status=413,
            )
        draft_key = request.POST.get("draft", "")
        try:
            if request.POST.get("discard"):
                if article is not None and not self.has_change_permission(
                    request, article
                ):
                    raise PermissionDenied
                services.autosave_discard(
                    user=request.user, article=article, draft_key=draft_key
                )
                return JsonResponse({"discarded": True})
            try:
                data = json.loads(request.POST.get("data", ""))
            except ValueError:
                return JsonResponse({"error": _("Not a form to autosave.")}, status=400)
            version = request.POST.get("version", "")
            autosave = services.autosave_store(
                user=request.user,
                article=article,
                draft_key=draft_key,
                data=data,
                base_version=int(version) if version.isdigit() else None,
            )
        except PermissionDenied:
            return JsonResponse(
                {"error": _("You may not edit this article.")}, status=403
            )
        except services.AutosaveTooLarge as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=413)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        saved_at = timezone.localtime(autosave.saved_at)
        return JsonResponse(
            {
                "saved_at": autosave.saved_at.isoformat(),
                "message": _("Autosaved at %(time)s.")
                % {"time": saved_at.strftime("%H:%M %Z")},
                "stale": bool(article and autosave.is_stale),
            }
        )

    def render_change_form(self, request, context, add=False, change=False, **kw):
        obj = kw.get("obj")
        if obj is not None:
            context["autosave_url"] = reverse(
                "admin:articles_article_autosave", args=[obj.pk]
            )
        else:
            context["autosave_url"] = reverse("admin:articles_article_autosave_new")
        if request.method == "GET":
            offer = autosave_offer(user=request.user, article=obj)
            if offer is not None:
                context["autosave_offer"] = offer
                context["autosave_data"] = {
                    name: value
                    for name, value in offer.data.items()
                    if name not in NOT_RESTORED
                }
        else:
            # A new article's form back with an error keeps its draft id, so
            # the save that follows drops the autosaves made under it.
            draft_key = request.POST.get("autosave_draft", "")
            if obj is None and DRAFT_KEY.match(draft_key):
                context["autosave_draft"] = draft_key
            self._keep_lead_image(request, context)
        return super().render_change_form(request, context, add, change, **kw)

    def _keep_lead_image(self, request, context) -> None:
        """The form came back with an error: keep the chosen lead image for
        the next try (``articles.images.kept``), and say so next to it."""
        form = getattr(context.get("adminform"), "form", None)
        if form is None or "lead_image_kept" not in form.fields:
            return
        upload = form.files.get(form.add_prefix("lead_image"))
        token = None
        if upload is not None and "lead_image" not in form.errors:
            token = kept.keep(upload, user=request.user)
            if token is None:
                form.add_error(
                    "lead_image",
                    _(
                        "Nothing was saved, and the image you chose (%(name)s) "
                        "could not be kept: choose it again before saving."
                    )
                    % {"name": upload.name},
                )
            else:
                # The admin prints help text as HTML: the file name is the
                # uploader's to choose, so it is escaped.
                note = format_html(
                    _("Your image {name} is kept; choose another to replace it."),
                    name=upload.name,
                )
                # The bound field copied the help text when validation made it.
                form.fields["lead_image"].help_text = note
                form["lead_image"].help_text = note
        # A lost or refused image's token is not sent again.
        form.data = form.data.copy()
        form.data[form.add_prefix("lead_image_kept")] = token or ""

    def save_related(self, request, form, formsets, change):
        # ArticleAdmin.save_related hands this to the service as its
        # ``save_parts``: it runs inside the write, after the version check,
        # so a refused save keeps the autosave.
        super().save_related(request, form, formsets, change)
        services.autosave_discard(
            user=request.user,
            article=form.instance if change else None,
            draft_key="" if change else request.POST.get("autosave_draft", ""),
        )
