"""
The project's own middleware; the MIDDLEWARE setting says where each one runs.

``ContentSecurityPolicyMiddleware``: security headers that depend on where a
request goes. The public site and the admin get different
Content-Security-Policies. The
public pages carry no inline code at all, so they get the strict policy in
``settings.CONTENT_SECURITY_POLICY``. The admin hosts CKEditor 4, which needs
inline scripts (its editing frame's bootstrap, its toolbar's event handlers)
and inline styles; the directives in ``settings.NEWSROOM_ADMIN_CSP`` replace
the public ones there, and only under the admin's address. Why each one is
needed is written beside that setting.

Choosing by path in one middleware, rather than decorating views, covers every
admin view Django and third-party apps add (and CKEditor's upload and browse
views, which live under ``/admin/`` too) without touching each one, and keeps
a public view from ever getting the looser policy by accident.
"""

from functools import cache

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import NoReverseMatch, reverse


@cache
def admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin (some tests)
        return None


@receiver(setting_changed)
def _forget_admin_prefix(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        admin_prefix.cache_clear()


def is_admin_path(path: str) -> bool:
    prefix = admin_prefix()
    return prefix is not None and path.startswith(prefix)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy under the admin."""

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if (
            not report_only
            and parts.config is None
            and is_admin_path(request.path_info)
        ):
            parts.replace = {
                **settings.NEWSROOM_ADMIN_CSP,
                **(parts.replace or {}),
            }
        return parts
