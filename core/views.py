"""
Site-wide pages: setting up two-factor sign-in (the forms are in
``core.forms``, django-otp keeps the devices), and the page a locked-out
editor sees (django-axes).
"""

from base64 import b32encode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext
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


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out editor sees (django-axes' AXES_LOCKOUT_CALLABLE).

    Says what happened, for how long, and what to do; it never says whether
    the username exists or the password was right.
    """
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "title": gettext("Too many failed sign-ins"),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
    }
    return render(
        request,
        "admin/locked_out.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
