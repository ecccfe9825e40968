"""
Optional two-factor sign-in for staff: a code from an authenticator app (TOTP).

A staff member turns it on for themselves on the admin's "Two-factor sign-in"
page: scan the code, type the current six digits to confirm. From then on the
admin login asks for a code as well as the password. Staff without a
confirmed device sign in with their password as before. A superuser can
remove a lost phone's device under *OTP_TOTP > TOTP devices*; its owner then
signs in with the password alone and sets up a new one.

django-otp keeps the devices and checks the codes (each code once, with its
own back-off after wrong codes); this project adds the login form field here,
and the set-up page and the QR code image in ``core.views``.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

CODE_REQUIRED = _("Enter the 6-digit code from your authenticator app.")
CODE_WRONG = _(
    "That code is not right or has expired. Enter the code your authenticator "
    "app shows now."
)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class AdminLoginForm(OTPAuthenticationFormMixin, AdminAuthenticationForm):
    """The admin login: username and password, and a code for those who set
    up two-factor sign-in."""

    otp_token = forms.CharField(
        label=_("Authenticator code"),
        required=False,
        max_length=8,
        help_text=_("Only if you have set up two-factor sign-in."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
            }
        ),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": CODE_REQUIRED,
        "invalid_token": CODE_WRONG,
    }

    def clean(self):
        cleaned_data = super().clean()
        user = self.get_user()
        if user is not None and confirmed_device(user) is not None:
            self.clean_otp(user)
        return cleaned_data

    def _chosen_device(self, user):
        # One device per person here: the one they confirmed.
        return TOTPDevice.objects.select_for_update().get(pk=confirmed_device(user).pk)


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            if not device.verify_token(code):
                raise forms.ValidationError(CODE_WRONG)
        return code


class WordPressImportForm(forms.Form):
    """An export to import, checked before anything is queued.

    The checks that need the file's content (well-formed XML, a WordPress
    export) run in ``core.importers.wordpress.jobs.wordpress_upload_check``,
    which keeps the file; the view puts its refusal on the ``export`` field.
    """

    export = forms.FileField(
        label=_("WordPress export (WXR file)"),
        help_text=_(
            "The .xml file WordPress makes under Tools → Export. At most %(size)s."
        ),
        error_messages={"required": _("Choose the export file to import.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,text/xml"}),
    )
    fetch_media = forms.BooleanField(
        label=_("Download images from the old site"),
        required=False,
        help_text=_(
            "Fetches every attachment from the addresses written in the export "
            "(the old site must still be online). Off: the pieces come in "
            "without their images, which are listed in the report; run the "
            "import again with this on to add them."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run"),
        required=False,
        help_text=_("Shows what the import would do, and writes nothing."),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["export"].help_text %= {"size": filesizeformat(max_bytes)}

    def clean_export(self):
        export = self.cleaned_data["export"]
        if export.size > self.max_bytes:
            raise forms.ValidationError(
                _("This file is %(size)s; the limit is %(limit)s."),
                code="too_large",
                params={
                    "size": filesizeformat(export.size),
                    "limit": filesizeformat(self.max_bytes),
                },
            )
        return export

    def refuse(self, error) -> None:
        """Put the importer's refusal (a ``WxrError``) on the file field."""
        self.add_error(
            "export",
            forms.ValidationError(
                _(
                    "This is not a WordPress export we can read (line %(line)s, "
                    "column %(column)s: %(reason)s). Nothing was imported."
                ),
                code="not_wxr",
                params={
                    "line": error.line,
                    "column": error.column,
                    "reason": error.reason,
                },
            ),
        )
