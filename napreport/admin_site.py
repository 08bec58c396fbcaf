"""The staff screens' admin site: branded, and each role's landing page."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from commitments.roles import is_coordinator


class StaffAdminSite(admin.AdminSite):
    site_header = _("napreport — National Action Plan progress")
    site_title = _("napreport")
    index_title = _("Staff screens")

    # The stubs promise a TemplateResponse; department staff get a redirect instead (wider: any HttpResponse).
    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:  # type: ignore[override]
        # Department staff have one job here: after sign-in, the admin's home is their deliverables.
        if request.user.is_active and request.user.is_staff and not is_coordinator(request.user):
            return redirect("admin:commitments_statusupdate_changelist")
        return super().index(request, extra_context)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        # The index and the sidebar link the coordinator's screens (admin/commitments/_coordinator_screens.html);
        # the views refuse everyone else whatever the page shows.
        context["coordinator_screens"] = request.user.is_authenticated and is_coordinator(request.user)
        return context
