"""
Corrections in the admin: an inline on the article and a page of their own.

A correction, once out, is never edited or deleted: it can only be removed from
public view with a reason, through ``correction_remove``, which keeps the row
and writes the admin log. Editors (``articles.publish_article``) add and remove;
whoever may view articles may read them; nobody deletes.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Correction
from articles.services import correction_add, correction_check, correction_remove
from articles.workflow import may_correct

VIEW_PERMISSION = "articles.view_article"


class CorrectionForm(forms.ModelForm):
    class Meta:
        model = Correction
        fields = ["article", "kind", "text", "published_at"]

    def clean(self):
        cleaned = super().clean()
        article = cleaned.get("article") or getattr(self.instance, "article", None)
        published_at = cleaned.get("published_at")
        if self.instance._state.adding and article and published_at:
            try:
                correction_check(article=article, published_at=published_at)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class RemovalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for removal"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Kept with the correction and in the log. Readers no longer see it."
        ),
        error_messages={
            "required": _("Say why this correction is removed; readers relied on it.")
        },
    )


class CorrectionPermissions:
    """Read by whoever may view articles; added and removed by editors; never
    changed or deleted."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_PERMISSION) or may_correct(request.user)

    def has_add_permission(self, request, obj=None):
        return may_correct(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _removal_link(correction: Correction) -> str:
    if correction.removed_at is not None:
        return format_html(
            "{} {}: {}",
            _("Removed"),
            timezone.localtime(correction.removed_at).strftime("%Y-%m-%d %H:%M"),
            correction.removal_reason,
        )
    if correction.pk is None:
        return ""
    url = reverse("admin:articles_correction_remove", args=[correction.pk])
    return format_html('<a href="{}">{}</a>', url, _("Remove…"))


class PublicFilter(admin.SimpleListFilter):
    title = _("public")
    parameter_name = "public"

    def lookups(self, request, model_admin):
        return [("yes", _("Public")), ("no", _("Removed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.public()
        if self.value() == "no":
            return queryset.filter(removed_at__isnull=False)
        return queryset


class CorrectionFormSet(forms.BaseInlineFormSet):
    """New rows go through ``correction_add``; existing ones are never saved."""

    user = None  # set per request by CorrectionInline.get_formset

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        total = f"{self.prefix}-{TOTAL_FORM_COUNT}"
        if self.is_bound and total not in self.data:
            # A post without this inline (a script, another form's test) adds
            # no correction and, as ever, changes none: not an error.
            self.data = self.data.copy()
            self.data.update({total: "0", f"{self.prefix}-{INITIAL_FORM_COUNT}": "0"})

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if i < self.initial_form_count():
            # Whatever a POST says, a correction that is out stays as it was.
            for field in form.fields.values():
                field.disabled = True
        return form

    def save_new(self, form, commit=True):
        data = form.cleaned_data
        return correction_add(
            article=self.instance,
            kind=data["kind"],
            text=data["text"],
            user=self.user,
            published_at=data.get("published_at"),
        )

    def save_existing(self, form, obj, commit=True):
        return obj


class CorrectionInline(CorrectionPermissions, admin.StackedInline):
    model = Correction
    form = CorrectionForm
    formset = CorrectionFormSet
    fields = ["kind", "text", "published_at", "editor", "public"]
    readonly_fields = ["editor", "public"]
    extra = 0
    verbose_name = _("correction, clarification or update")
    verbose_name_plural = _("corrections, clarifications and updates (public)")

    # A new article has nothing to correct: no inline on the add page.

    def has_view_permission(self, request, obj=None):
        return obj is not None and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        # Only a piece that has been out can be corrected.
        live = obj is not None and obj.first_published_at is not None
        return live and super().has_add_permission(request, obj)

    def get_queryset(self, request):
        # Not super(): it asks has_view_permission without an article, which
        # is the add page's question, and would hide every correction.
        corrections = Correction.objects.select_related("editor", "removed_by")
        if not CorrectionPermissions.has_view_permission(self, request):
            return corrections.none()
        return corrections

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    @admin.display(description=_("public"))
    def public(self, correction):
        return _removal_link(correction)


@admin.register(Correction)
class CorrectionAdmin(CorrectionPermissions, admin.ModelAdmin):
    form = CorrectionForm
    list_display = ["article", "kind", "published_at", "editor", "status"]
    list_filter = [PublicFilter, "kind"]
    list_select_related = ["article", "editor"]
    search_fields = ["text", "article__headline"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["article"]
    actions = ["remove_corrections"]
    readonly_fields = ["editor", "created_at", "status"]
    fieldsets = [
        (None, {"fields": ["article", "kind", "text", "published_at"]}),
        (
            _("Record"),
            {"fields": ["editor", "created_at", "status"]},
        ),
    ]

    def has_remove_permission(self, request, obj=None):
        return may_correct(request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets[:1]
        return self.fieldsets

    def get_urls(self):
        remove = self.admin_site.admin_view(self.remove_view)
        return [
            path("<path:object_id>/remove/", remove, name="articles_correction_remove"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        # Only adding reaches here: nobody may change a correction.
        created = correction_add(
            article=obj.article,
            kind=obj.kind,
            text=obj.text,
            user=request.user,
            published_at=obj.published_at,
        )
        # The admin goes on with ``obj`` (log, message, redirect): make it the
        # stored row.
        obj.pk = created.pk
        obj.editor = created.editor
        obj.created_at = created.created_at
        obj._state.adding = False

    @admin.display(description=_("status"), ordering="removed_at")
    def status(self, correction):
        return _removal_link(correction) or _("Public")

    # Removal: one page for one correction, an action for several; both ask
    # for a reason and call correction_remove for each.

    def _remove(self, request, corrections, form_url, context):
        form = RemovalForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            removed = 0
            with transaction.atomic():
                for correction in corrections:
                    try:
                        correction_remove(
                            correction=correction,
                            user=request.user,
                            reason=form.cleaned_data["reason"],
                        )
                    except ValidationError as error:
                        if error.code != "removed":
                            raise
                        continue  # another editor was quicker
                    removed += 1
            self.message_user(
                request,
                ngettext(
                    "Removed %(count)d correction from public view.",
                    "Removed %(count)d corrections from public view.",
                    removed,
                )
                % {"count": removed},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/articles/correction/remove.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Remove from public view"),
                "corrections": corrections,
                "form": form,
                "form_url": form_url,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                **context,
            },
        )

    @admin.action(
        permissions=["remove"], description=_("Remove from public view (with a reason)")
    )
    def remove_corrections(self, request, queryset):
        corrections = list(
            queryset.filter(removed_at__isnull=True).select_related("article")
        )
        if not corrections:
            self.message_user(
                request, _("Those corrections were removed already."), messages.INFO
            )
            return None
        return self._remove(request, corrections, "", {"action": "remove_corrections"})

    def remove_view(self, request, object_id):
        if not self.has_remove_permission(request):
            raise PermissionDenied
        correction = self.get_object(request, unquote(object_id))
        if correction is None:
            raise Http404
        if correction.removed_at is not None:
            self.message_user(
                request, _("This correction was removed already."), messages.INFO
            )
        else:
            response = self._remove(request, [correction], request.path, {})
            if response is not None:
                return response
        change_url = reverse("admin:articles_correction_change", args=[correction.pk])
        return HttpResponseRedirect(change_url)
