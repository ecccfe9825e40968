"""
Site-wide pages: setting up two-factor sign-in (the forms are in
``core.forms``, django-otp keeps the devices), the page a locked-out
editor sees (django-axes), and importing a WordPress export in the admin
(the work is ``core.importers.wordpress``; see docs/import.md).
"""

from base64 import b32encode
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from core.forms import ConfirmForm, WordPressImportForm, confirmed_device
from core.importers.wordpress import WxrError
from core.importers.wordpress.jobs import (
    JOB_PATH,
    wordpress_import_start,
    wordpress_upload_check,
)
from core.importers.wordpress.report import OUTCOMES
from core.jobs.models import JobRun
from core.roles import may_import

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


# Import from WordPress: the upload form, the page that follows the job, its
# progress as JSON for static/js/wordpress_import.js, and the report file.


def import_allowed(view):
    """Staff sign in first; then only those ``may_import`` (else 403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_import(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(staff_member_required(wrapped))


def _import_run(run_id: int) -> JobRun:
    return get_object_or_404(JobRun, pk=run_id, callable_path=JOB_PATH)


@import_allowed
@require_http_methods(["GET", "POST"])
def wordpress_import(request: HttpRequest) -> HttpResponse:
    """Upload an export; a good one is queued and its page shown."""
    form = WordPressImportForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=settings.NEWSROOM_IMPORT_MAX_BYTES,
    )
    if request.method == "POST" and form.is_valid():
        export = form.cleaned_data["export"]
        try:
            path = wordpress_upload_check(upload=export)
        except WxrError as error:
            form.refuse(error)
        else:
            run = wordpress_import_start(
                path=path,
                filename=Path(export.name).name,
                user=request.user,
                fetch_media=form.cleaned_data["fetch_media"],
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("core:wordpress-import-run", run_id=run.pk)
    recent = JobRun.objects.filter(callable_path=JOB_PATH).only(
        "name", "status", "created_at"
    )[:10]
    context = {
        **admin.site.each_context(request),
        "title": _("Import from WordPress"),
        "form": form,
        "recent": recent,
    }
    return TemplateResponse(request, "admin/wordpress_import.html", context)


@import_allowed
def wordpress_import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One import: its progress while it runs, then its report."""
    run = _import_run(run_id)
    result = run.result if isinstance(run.result, dict) else None
    context = {
        **admin.site.each_context(request),
        "title": run.name,
        "run": run,
        "finished": run.status in (JobRun.Status.DONE, JobRun.Status.FAILED),
        "report": result,
        "rows": [
            (kind, [row.get(outcome, 0) for outcome in OUTCOMES])
            for kind, row in (result or {}).get("counts", {}).items()
        ],
        "outcomes": OUTCOMES,
        "error": run.error.strip().splitlines()[-1] if run.error.strip() else "",
    }
    return TemplateResponse(request, "admin/wordpress_import_run.html", context)


@import_allowed
def wordpress_import_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """What the run's page polls: one query for the run."""
    run = (
        JobRun.objects.filter(pk=run_id, callable_path=JOB_PATH)
        .values("status", "done", "total", "message")
        .first()
    )
    if run is None:
        raise Http404
    run["finished"] = run["status"] in (JobRun.Status.DONE, JobRun.Status.FAILED)
    return JsonResponse(run)


@import_allowed
def wordpress_import_report(request: HttpRequest, run_id: int) -> JsonResponse:
    """The finished run's report as a JSON file, like the command's --report."""
    run = _import_run(run_id)
    if run.status != JobRun.Status.DONE or not isinstance(run.result, dict):
        raise Http404
    report = {key: value for key, value in run.result.items() if key != "table"}
    response = JsonResponse(report, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = (
        f'attachment; filename="wordpress-import-{run.pk}.json"'
    )
    return response
