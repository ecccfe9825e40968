from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelectMultiple
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from taggit.utils import parse_tags

from .images import kept
from .models import Article, TaggedArticle
from .sanitize import same_body
from .workflow import TRANSITIONS, action_for, is_editor, may_transition
from .zone import label as zone_label


def https_formfield(field, **kwargs):
    """Form fields for model fields, with a link pasted without a scheme as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    """The editors' article form.

    Tags are picked from existing ones with the admin's autocomplete (so a desk
    does not grow "Japan", "japan" and "JAPAN"); new ones are typed in a second
    field. A change of status is a workflow transition, checked against the
    role matrix (articles.workflow) here and carried out by articles.services.
    ``loaded_version`` is the version the editor opened: a save on top of a
    newer one is refused with what changed, and the editor's text stays.
    """

    WRITER_STATUSES = (Article.Status.DRAFT, Article.Status.REVIEW)
    EDITOR_STATUSES = (Article.Status.PUBLISHED, Article.Status.WITHDRAWN)
    COMPARED_FIELDS = ("headline", "slug", "dek", "body", "section", "status")

    # Set per request by ArticleAdmin.get_form.
    current_user = None

    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(
            TaggedArticle._meta.get_field("tag"), admin.site
        ),
    )
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        max_length=500,
        help_text=_("Tags that do not exist yet, separated by commas."),
    )

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The lead image chosen before a form error (articles.images.kept).
    lead_image_kept = forms.CharField(widget=forms.HiddenInput, required=False)
    transition_note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when returning a piece to draft, unpublishing or withdrawing it."
        ),
    )

    class Meta:
        model = Article
        fields = [
            "headline",
            "slug",
            "dek",
            "body",
            "lead_image",
            "lead_image_alt",
            "lead_image_caption",
            "lead_image_credit",
            "video_url",
            "video_title",
            "section",
            "tags",
            "status",
            "publish_at",
            "allow_comments",
        ]
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read before the form writes its data into the instance.
        self._previous_status = (
            self.instance.status if self.instance.pk else Article.Status.DRAFT
        )
        if "loaded_version" in self.fields and self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version
        self._kept_image_lost = False
        if self.is_bound and "lead_image" in self.fields:
            self._take_kept_lead_image()
        if "body" in self.fields:
            # The admin's change message ("Changed Body") and the revision
            # comment come from changed_data: compare what would be stored.
            self.fields["body"].has_changed = self._body_has_changed

    def _take_kept_lead_image(self) -> None:
        """With no new file chosen, the one kept from the last try is the upload:
        validated by content like any other."""
        field = self.add_prefix("lead_image")
        token = self.data.get(self.add_prefix("lead_image_kept"))
        if not token or self.files.get(field) or self.data.get(f"{field}-clear"):
            return
        upload = kept.take(token, user=self.current_user)
        if upload is None:
            self._kept_image_lost = True
            return
        self.files = self.files.copy()
        self.files[field] = upload

    def clean_lead_image(self):
        if self._kept_image_lost:
            raise forms.ValidationError(
                _(
                    "The image you chose before is no longer kept (after an hour, "
                    "or the page was altered): choose it again, or save again "
                    "without it."
                ),
                code="kept_image_lost",
            )
        return self.cleaned_data.get("lead_image")

    @staticmethod
    def _body_has_changed(initial, data) -> bool:
        return not same_body(initial, data)

    @property
    def previous_status(self) -> str:
        return self._previous_status

    def clean_status(self):
        status = self.cleaned_data["status"]
        user = self.current_user
        may_publish = user is not None and is_editor(user)
        unchanged = self.instance.pk is not None and self.instance.status == status
        if status in self.EDITOR_STATUSES and not may_publish and not unchanged:
            raise forms.ValidationError(
                _(
                    "Only editors can publish or withdraw a piece. Save it as a "
                    "draft or submit it for review, and an editor will publish it."
                ),
                code="publish_permission",
            )
        return status

    def clean_loaded_version(self):
        loaded = self.cleaned_data.get("loaded_version")
        if self.instance.pk is None or loaded is None:
            return loaded
        current = Article.objects.filter(pk=self.instance.pk).values("version").first()
        if current and current["version"] != loaded:
            raise forms.ValidationError(self.conflict_message(), code="conflict")
        return loaded

    def conflict_message(self) -> str:
        saved = (
            Article.objects.select_related("last_edited_by")
            .filter(pk=self.instance.pk)
            .first()
        )
        who = saved.last_edited_by.get_username() if saved.last_edited_by else "?"
        changed = [
            str(capfirst(Article._meta.get_field(name).verbose_name))
            for name in self.COMPARED_FIELDS
            if name in self.data
            and str(getattr(saved, f"{name}_id", getattr(saved, name)) or "")
            != str(self.data.get(name, "")).strip()
        ]
        return _(
            "%(who)s saved this article at %(when)s, after you opened it. "
            "Your text is still in the form below; nothing was saved. "
            "Fields that now differ from yours: %(fields)s. Copy what you need, "
            "reload the page to see their version, and save again."
        ) % {
            "who": who,
            "when": saved.modified_at.astimezone().strftime("%H:%M:%S, %d %b %Y")
            if saved.modified_at
            else "?",
            "fields": ", ".join(changed) or _("none of the main fields"),
        }

    def clean_new_tags(self):
        names = parse_tags(self.cleaned_data["new_tags"])
        too_long = [name for name in names if len(name) > 100]
        if too_long:
            raise forms.ValidationError(
                _("A tag may be at most 100 characters: “%(tag)s” is longer."),
                params={"tag": too_long[0]},
                code="tag_too_long",
            )
        return names

    def clean(self):
        cleaned = super().clean()
        self._clean_transition(cleaned)
        if "tags" in cleaned and "new_tags" in cleaned:
            # taggit's manager takes Tag objects and names alike, and matches
            # names case-insensitively (TAGGIT_CASE_INSENSITIVE).
            cleaned["tags"] = [*cleaned["tags"], *cleaned["new_tags"]]
        return cleaned

    def _clean_transition(self, cleaned) -> None:
        """Which transition this save asks for, and whether it may happen."""
        self.transition = None
        status = cleaned.get("status")
        if status is None or "status" in self.errors:
            return
        action = action_for(self.previous_status, status, cleaned.get("publish_at"))
        if action is None and status != self.previous_status:
            self.add_error(
                "status",
                _("A piece cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": Article.Status(self.previous_status).label,
                    "to": Article.Status(status).label,
                },
            )
            return
        if action is None:
            return
        if self.instance.pk and not may_transition(
            self.current_user, self.instance, action
        ):
            self.add_error("status", _("You may not do that to this article."))
            return
        if TRANSITIONS[action].needs_note and not cleaned.get("transition_note"):
            self.add_error(
                "transition_note",
                _("Say why, in a few words; the note is kept with the piece."),
            )
            return
        self.transition = action


class ScheduleForm(forms.Form):
    """The one place to schedule a piece: the workflow box's Schedule button.

    The admin's own date and time fields, so the date reads as the site's
    locale writes it (en-gb: dd/mm/yyyy) with the calendar beside it, and the
    time is taken in the site's zone, which the label names.
    """

    publish_at = forms.SplitDateTimeField(
        label=_("Publish at"), widget=AdminSplitDateTime, localize=True
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_schedule_%s")
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = _("Time in %(zone)s.") % {
            "zone": zone_label()
        }
