"""The staff screens' admin site: branded, and each role's landing page."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.roles import is_coordinator


class CheckedSelectionAdmin(admin.ModelAdmin):
    """Refuses an action on selected rows whose keys are no row's key (a typed or forged "_selected_action"), as
    Django refuses one on no row: with its message, the list shown again, nothing changed. Django's admin would
    filter the rows by them and fail with a server error."""

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                self.model._meta.pk.to_python(value)
        except ValidationError:
            self.message_user(
                request,
                gettext("Items must be selected in order to perform actions on them. No items have been changed."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset)


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

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every model's admin, ours and the libraries' (axes, tasks, auth), checks an action's selected rows
        (CheckedSelectionAdmin) before Django's admin reads them."""
        admin_class = admin_class or admin.ModelAdmin
        module = {"__module__": admin_class.__module__}
        checked = type(admin_class.__name__, (CheckedSelectionAdmin, admin_class), module)
        super().register(model_or_iterable, checked, **options)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        # The index and the sidebar link the coordinator's screens (admin/commitments/_coordinator_screens.html);
        # the views refuse everyone else whatever the page shows.
        context["coordinator_screens"] = request.user.is_authenticated and is_coordinator(request.user)
        return context
