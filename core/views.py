"""
Site-wide pages: setting up two-factor sign-in (the forms are in
``core.forms``, django-otp keeps the devices).
"""

from base64 import b32encode

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from core.forms import ConfirmForm, confirmed_device

DEVICE_NAME = "Authenticator app"


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
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on: scan the code, confirm with six digits."""
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
def two_factor_qr_code(request: HttpRequest) -> HttpResponse:
    """The pending device's key as a QR code (SVG), for its owner only."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        return HttpResponse(status=404)
    response = HttpResponse(content_type="image/svg+xml")
    write_qrcode_image(device.config_url, response)
    return response
