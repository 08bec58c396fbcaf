"""The staff screens' admin site: branded, and each role's landing page."""

from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from commitments.roles import is_coordinator


class StaffAdminSite(admin.AdminSite):
    site_header = _("napreport — National Action Plan progress")
    site_title = _("napreport")
    index_title = _("Staff screens")

    def index(self, request, extra_context=None):
        # Department staff have one job here: after sign-in, the admin's home is their deliverables.
        if request.user.is_active and request.user.is_staff and not is_coordinator(request.user):
            return redirect("admin:commitments_statusupdate_changelist")
        return super().index(request, extra_context)
