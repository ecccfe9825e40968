"""
Preview links in the article admin: listed on the change form, with their
absolute addresses to copy, a button that makes one and one that revokes each.

``PreviewLinksAdminMixin`` goes before ``admin.ModelAdmin`` in the article
admin's bases; its change form template includes
``admin/articles/article/preview_links.html`` after the form; the article
admin's own template puts it in the workflow box, beside the actions, where an
editor looks (another admin with a template of its own includes it likewise).
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from articles import zone
from articles.models import PreviewLink
from articles.selectors.previews import link_state, preview_url
from articles.services import preview_link_create, preview_link_revoke
from articles.workflow import PREVIEW_PERMISSION, may_preview, may_share


class PreviewLinksAdminMixin:
    """Preview links for a ``ModelAdmin`` of ``Article``."""

    change_form_template = "admin/articles/article/change_form_previews.html"
    preview_links_shown = 20

    def get_urls(self):
        create = self.admin_site.admin_view(require_POST(self.preview_create_view))
        revoke = self.admin_site.admin_view(require_POST(self.preview_revoke_view))
        return [
            path(
                "<path:object_id>/previews/",
                create,
                name="articles_article_preview_create",
            ),
            path(
                "<path:object_id>/previews/<uuid:link_id>/revoke/",
                revoke,
                name="articles_article_preview_revoke",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, **kw):
        obj = kw.get("obj")
        if obj is not None and obj.pk is not None:
            context.update(self.preview_links_context(request, obj))
        return super().render_change_form(request, context, add, change, **kw)

    def preview_links_context(self, request, article) -> dict:
        now = timezone.now()
        links = article.preview_links.select_related("created_by")[
            : self.preview_links_shown
        ]
        sharer = may_share(request.user, article)
        return {
            "preview_links": [
                {
                    "link": link,
                    # The address is for those who may share the piece; others
                    # see that links exist, not how to open them.
                    "url": preview_url(link) if sharer else "",
                    "state": link_state(link, now=now),
                }
                for link in links
            ],
            "preview_may_create": sharer and may_preview(article),
            "preview_may_revoke": request.user.has_perm(PREVIEW_PERMISSION),
            "preview_is_published": article.is_published(),
            "preview_zone": zone.label(),
        }

    def _preview_article(self, request, object_id):
        """The article, if this user may see it here; its change form's URL."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(_("No such article."))
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        return article, change_url

    def preview_create_view(self, request, object_id):
        article, change_url = self._preview_article(request, object_id)
        try:
            link = preview_link_create(article=article, user=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                _("Preview link made; it works until %(when)s: %(url)s")
                % {
                    "when": zone.when(link.expires_at),
                    "url": preview_url(link),
                },
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url + "#preview-links")

    def preview_revoke_view(self, request, object_id, link_id):
        article, change_url = self._preview_article(request, object_id)
        link = get_object_or_404(PreviewLink, pk=link_id, article=article)
        preview_link_revoke(link=link, user=request.user)
        self.message_user(request, _("Preview link revoked."), messages.SUCCESS)
        return HttpResponseRedirect(change_url + "#preview-links")
