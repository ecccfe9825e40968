from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_LENGTH, Comment, Report


class CommentForm(forms.Form):
    """What a reader sends: name, email, text, and the comment it answers."""

    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        error_messages={
            "required": _("Please tell us your name."),
            "max_length": _("Please keep your name under %(limit_value)d characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Never shown. Used only to email you about replies, if you ask."),
        error_messages={
            "required": _("Please give your email address; it is never shown."),
            "invalid": _("Please check your email address, e.g. name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    body = forms.CharField(
        label=_("Comment"),
        max_length=MAX_LENGTH,
        error_messages={
            "required": _("Please write your comment."),
            "max_length": _(
                "Please keep your comment under %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    notify_replies = forms.BooleanField(
        label=_("Email me when someone replies"), required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people by the stylesheet, labelled for those
    # whose browser shows it anyway. Software that fills every field fills it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, article, **kwargs):
        kwargs.setdefault("auto_id", "id_comment_%s")
        super().__init__(*args, **kwargs)
        self.article = article

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = (
            Comment.objects.public()
            .filter(pk=parent_id, article=self.article)
            .select_related("parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                _(
                    "The comment you are replying to is no longer shown. "
                    "Your text is still here: post it as a new comment."
                )
            )
        return parent


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose a reason.")},
    )
    note = forms.CharField(
        label=_("Anything a moderator should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "report_%s")
        super().__init__(*args, **kwargs)
