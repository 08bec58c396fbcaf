"""Signing in to the staff screens: the lockout page, and password reset links built from SITE_URL."""

import math
from typing import Any
from urllib.parse import urlsplit

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes's answer to a locked-out sign-in (AXES_LOCKOUT_CALLABLE): when to try again, in
    minutes and in a Retry-After header, and how to reset a forgotten password."""
    wait = get_cool_off(request)
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed sign-in attempts"),
        "minutes": minutes,
        "password_reset_url": reverse("admin_password_reset"),
    }
    # django-axes sets its settings' defaults when it loads (axes.conf), so django-stubs cannot see this one.
    status = settings.AXES_HTTP_RESPONSE_CODE  # type: ignore[misc]
    response = render(request, "axes/lockout.html", context, status=status)
    response["Retry-After"] = str(math.ceil(wait.total_seconds()))
    return response


def site_url_parts() -> tuple[str, bool]:
    """SITE_URL's host (with its port) and whether it is served over HTTPS."""
    site = urlsplit(settings.SITE_URL)
    return site.netloc, site.scheme == "https"


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, whose e-mailed link points to SITE_URL, never to the Host header of the request."""

    # Django's PasswordResetView passes every argument by keyword, the only way this override takes them.
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        kwargs["domain_override"], kwargs["use_https"] = site_url_parts()
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "valid_hours": math.ceil(settings.PASSWORD_RESET_TIMEOUT / 3600),
        }
        super().save(**kwargs)
