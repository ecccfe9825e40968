"""
Optional two-factor sign-in for staff: a code from an authenticator app (TOTP).

A staff member turns it on for themselves on the admin's "Two-factor sign-in"
page: scan the code, type the current six digits to confirm. From then on the
admin login asks for a code as well as the password. Staff without a
confirmed device sign in with their password as before. A superuser can
remove a lost phone's device under *OTP_TOTP > TOTP devices*; its owner then
signs in with the password alone and sets up a new one.

django-otp keeps the devices and checks the codes (each code once, with its
own back-off after wrong codes); this module adds the login form field, the
set-up page and the QR code image.
"""

from base64 import b32encode

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

DEVICE_NAME = "Authenticator app"

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


def _pending_device(user) -> TOTPDevice:
    """The device being set up: unconfirmed, reused until confirmed so the
    QR code does not change on every reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=False
    )


@never_cache
@staff_member_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    from django.contrib import admin

    context = {**admin.site.each_context(request), "title": _("Two-factor sign-in")}
    if confirmed_device(request.user) is not None:
        return TemplateResponse(
            request, "admin/two_factor.html", {**context, "enabled": True}
        )
    device = _pending_device(request.user)
    form = ConfirmForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(
            request,
            _("Two-factor sign-in is on. Next time, enter a code after your password."),
        )
        return redirect("admin:index")
    secret = b32encode(device.bin_key).decode()
    return TemplateResponse(
        request,
        "admin/two_factor.html",
        {**context, "form": form, "secret": secret, "enabled": False},
    )


@never_cache
@staff_member_required
def setup_qr_code(request: HttpRequest) -> HttpResponse:
    """The pending device's key as a QR code (SVG), for its owner only."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        return HttpResponse(status=404)
    response = HttpResponse(content_type="image/svg+xml")
    write_qrcode_image(device.config_url, response)
    return response
