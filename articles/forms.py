from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from taggit.utils import parse_tags

from .models import Article, TaggedArticle


def https_formfield(field, **kwargs):
    """Form fields for model fields, with a link pasted without a scheme as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    """The editors' article form.

    Tags are picked from existing ones with the admin's autocomplete (so a desk
    does not grow "Japan", "japan" and "JAPAN"); new ones are typed in a second
    field. Publishing is refused to anyone without ``articles.publish_article``.
    """

    WRITER_STATUSES = (Article.Status.DRAFT, Article.Status.REVIEW)
    EDITOR_STATUSES = (Article.Status.PUBLISHED, Article.Status.WITHDRAWN)

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

    def clean_status(self):
        status = self.cleaned_data["status"]
        user = self.current_user
        may_publish = user is not None and user.has_perm("articles.publish_article")
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
        if "tags" in cleaned and "new_tags" in cleaned:
            # taggit's manager takes Tag objects and names alike, and matches
            # names case-insensitively (TAGGIT_CASE_INSENSITIVE).
            cleaned["tags"] = [*cleaned["tags"], *cleaned["new_tags"]]
        return cleaned
