"""The coordinator's screens beside the status list: the dashboard, its CSV for the taskforce meeting, and the
reminders (a confirmation page first, then the sending). Coordinator only, checked in each view."""

import csv
import io
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from commitments.dashboard import dashboard
from commitments.models import Department, ReportingPeriod, StatusUpdate
from commitments.reminders import last_sending_time, planned_reminders, send_reminders
from commitments.roles import is_coordinator
from commitments.spreadsheets import neutralise_formula

AdminView = Callable[..., HttpResponse]


def dashboard_urls(admin_site: admin.AdminSite) -> list[URLPattern]:
    """The URLs, under the status list's (StatusUpdateAdmin.get_urls), each behind the admin's sign-in."""

    def view(function: AdminView) -> Any:
        return admin_site.admin_view(partial(function, admin_site=admin_site))

    return [
        path("dashboard/", view(dashboard_view), name="commitments_dashboard"),
        path("dashboard/export/", view(dashboard_csv), name="commitments_dashboard_export"),
        path("dashboard/reminders/", view(reminders_view), name="commitments_reminders"),
    ]


def current_period() -> ReportingPeriod | None:
    """The period the coordinator is working on: open or in review."""
    return ReportingPeriod.objects.exclude(state=ReportingPeriod.State.PUBLISHED).select_related("plan").first()


def refuse_unless_coordinator(request: HttpRequest) -> None:
    if not is_coordinator(request.user):
        raise PermissionDenied


def status_list_url(period: ReportingPeriod, department: Department, **filters: str) -> str:
    """The status list showing one department's rows of `period`, narrowed by the list's `filters`."""
    query = {"period__id__exact": period.pk, "lead": department.slug, **filters}
    return reverse("admin:commitments_statusupdate_changelist") + "?" + urlencode(query)


@require_GET
def dashboard_view(request: HttpRequest, *, admin_site: admin.AdminSite) -> HttpResponse:
    refuse_unless_coordinator(request)
    period = current_period()
    context: dict[str, Any] = {**admin_site.each_context(request), "title": _("Reporting dashboard"), "period": period}
    if period:
        context.update(dashboard(period))
        for department in context["departments"]:  # the lists on demand: links, so the page does not grow
            department.outstanding_url = status_list_url(period, department, updated="no")
            department.returned_url = status_list_url(period, department, review=StatusUpdate.Review.RETURNED)
        # The targets moved later than last year's, each with its department's reason.
        context["slips"] = list(
            StatusUpdate.objects.filter(period=period).slipped().select_related("deliverable__task")
        )
    return TemplateResponse(request, "admin/commitments/dashboard.html", context)


@require_GET
def dashboard_csv(request: HttpRequest, *, admin_site: admin.AdminSite) -> HttpResponse:
    """The dashboard's table for the taskforce meeting: a row per department, then the totals.

    UTF-8 with a byte-order mark and CRLF line ends, as Excel opens it; headers in the user's language;
    text that a spreadsheet would run as a formula is neutralised.
    """
    refuse_unless_coordinator(request)
    period = current_period()
    if period is None:
        messages.warning(request, gettext("No period is open or in review: there is nothing to export."))
        return redirect("admin:commitments_dashboard")
    figures = dashboard(period)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers = [
        gettext("Department"),
        gettext("Updated"),
        gettext("Deliverables"),
        gettext("Outstanding"),
        gettext("Returned"),
        gettext("Last activity"),
        gettext("Last reminder"),
    ]
    writer.writerow(headers)

    def when(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    for department in figures["departments"]:
        row = [
            department.short_name,
            department.done,
            department.total,
            department.outstanding,
            department.returned,
            when(department.last),
            when(department.last_reminded),
        ]
        writer.writerow([neutralise_formula(cell) for cell in row])
    totals = figures["totals"]
    writer.writerow(
        [gettext("All departments"), totals.updated, totals.total, totals.outstanding, totals.returned, "", ""]
    )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = gettext("dashboard-%(period)s.csv") % {"period": period.label}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
def reminders_view(request: HttpRequest, *, admin_site: admin.AdminSite) -> HttpResponse:
    """GET: what would be sent to whom; POST (the confirmation): send it, once."""
    refuse_unless_coordinator(request)
    period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).select_related("plan").first()
    last_sent = last_sending_time(period) if period else None
    if request.method == "POST" and period is not None:
        # The page carries the time of the last sending it knew of: if reminders went out since (another
        # coordinator, or this form sent twice), nothing more is sent.
        if request.POST.get("last_sent", "") != (last_sent.isoformat() if last_sent else ""):
            messages.warning(request, gettext("Reminders were sent since this page was opened; nothing was sent."))
            return redirect("admin:commitments_reminders")
        return sent_response(request, period)
    reminders = planned_reminders(period) if period else []
    reachable = [reminder for reminder in reminders if reminder.recipients]
    context = {
        **admin_site.each_context(request),
        "title": _("Send reminders"),
        "period": period,
        "reminders": reachable,
        "unreachable": [reminder for reminder in reminders if not reminder.recipients],
        "message_count": len(reachable),
        "address_count": sum(len(reminder.recipients) for reminder in reachable),
        "last_sent": last_sent,
        "last_sent_token": last_sent.isoformat() if last_sent else "",
        "language_names": {
            "en": gettext("English"),
            "fr": gettext("French"),
            "both": gettext("English and French, in one message"),
        },
    }
    return TemplateResponse(request, "admin/commitments/reminders_confirm.html", context)


def sent_response(request: HttpRequest, period: ReportingPeriod) -> HttpResponse:
    sending = send_reminders(period, sent_by=request.user)  # type: ignore[arg-type]  # staff: a signed-in User
    if sending.sent:
        departments = ", ".join(str(reminder.department.short_name) for reminder in sending.sent)
        messages.success(
            request,
            ngettext(
                "%(count)d reminder sent: %(departments)s.",
                "%(count)d reminders sent: %(departments)s.",
                len(sending.sent),
            )
            % {"count": len(sending.sent), "departments": departments},
        )
    else:
        messages.info(request, gettext("No reminder was sent: no department with items left has an address."))
    if sending.failed:
        messages.error(
            request,
            ngettext(
                "The mail server refused the reminder to %(departments)s; try again later.",
                "The mail server refused the reminders to %(departments)s; try again later.",
                len(sending.failed),
            )
            % {"departments": ", ".join(str(department.short_name) for department in sending.failed)},
        )
    return redirect("admin:commitments_dashboard")
